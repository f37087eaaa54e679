package dev.cairn.storage.memory;

import dev.cairn.api.ManualClock;
import dev.cairn.api.ReplicaStoreContract;
import dev.cairn.api.Store;
import java.time.Duration;

/** The replica contract on the memory store, which keeps tombstones only with a grace period. */
class MemoryReplicaStoreTest extends ReplicaStoreContract {
    @Override
    protected Store openReplica(ManualClock clock, Duration tombstoneGrace) {
        return new MemoryStore(MemoryStoreOptions.defaults().withClock(clock).withTombstoneGrace(tombstoneGrace));
    }
}
