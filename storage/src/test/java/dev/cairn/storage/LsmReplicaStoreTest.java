package dev.cairn.storage;

import dev.cairn.api.ManualClock;
import dev.cairn.api.ReplicaStoreContract;
import dev.cairn.api.Store;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The replica contract on the LSM engine, with a small memtable so records move into tables. */
class LsmReplicaStoreTest extends ReplicaStoreContract {
    @TempDir
    Path dir;

    @Override
    protected Store openReplica(ManualClock clock, Duration tombstoneGrace) throws Exception {
        return LsmStore.open(StorageOptions.builder(dir).clock(clock).tombstoneGrace(tombstoneGrace)
                .syncMode(SyncMode.NONE).memtableBytes(64 * 1024).build());
    }
}
