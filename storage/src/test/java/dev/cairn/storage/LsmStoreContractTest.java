package dev.cairn.storage;

import dev.cairn.api.ManualClock;
import dev.cairn.api.Store;
import dev.cairn.api.StoreContract;
import dev.cairn.api.StoreLimits;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract suite on the LSM engine in disk mode, with a small memtable so that the larger
 * tests flush and compact while they run.
 */
class LsmStoreContractTest extends StoreContract {
    @TempDir
    Path dir;
    private int opened;

    @Override
    protected Store openStore(ManualClock clock, StoreLimits limits) throws Exception {
        return LsmStore.open(StorageOptions.builder(dir.resolve("store-" + opened++))
                .clock(clock)
                .limits(limits)
                .memtableBytes(256 * 1024)
                .targetFileBytes(512 * 1024)
                .levelSizes(1 << 20, 10)
                .build());
    }
}
