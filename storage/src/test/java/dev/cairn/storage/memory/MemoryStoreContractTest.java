package dev.cairn.storage.memory;

import dev.cairn.api.ManualClock;
import dev.cairn.api.Store;
import dev.cairn.api.StoreContract;
import dev.cairn.api.StoreLimits;

/** The contract suite on the memory-only store (unbounded, LRU). */
class MemoryStoreContractTest extends StoreContract {
    @Override
    protected Store openStore(ManualClock clock, StoreLimits limits) {
        return new MemoryStore(MemoryStoreOptions.defaults().withClock(clock).withLimits(limits));
    }
}
