package dev.cairn.bench;

import dev.cairn.api.Entry;
import dev.cairn.api.KeyRange;
import dev.cairn.api.WriteOptions;
import dev.cairn.storage.LsmStore;
import dev.cairn.storage.StorageOptions;
import dev.cairn.storage.SyncMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Cairn's LSM engine. The store's sync mode decides durability, so a SYNC store serves the fillsync runs. */
final class CairnEngine implements KvEngine {
    private final LsmStore store;

    CairnEngine(Path dir, StorageBench.Settings s, boolean sync) throws IOException {
        store = LsmStore.open(StorageOptions.builder(dir)
                .syncMode(sync ? SyncMode.SYNC : SyncMode.NONE)
                .memtableBytes(s.memtableBytes())
                .blockCacheBytes(s.blockCacheBytes())
                .blockSize(4096)
                .bloomBitsPerKey(10)
                .level0Triggers(4, 20, 36)
                .levelSizes(256L << 20, 10)
                .targetFileBytes(64L << 20)
                .build());
    }

    @Override
    public void put(byte[] key, byte[] value, boolean sync) {
        store.put(key, value, WriteOptions.DEFAULT);
    }

    @Override
    public int get(byte[] key) {
        Optional<Entry> e = store.get(key);
        return e.isPresent() ? e.get().value().length : -1;
    }

    @Override
    public int scan(byte[] start, int count) {
        List<Entry> page = store.scan(KeyRange.from(start), count);
        return page.size();
    }

    @Override
    public long readAll() {
        long n = 0;
        KeyRange range = KeyRange.all();
        while (true) {
            List<Entry> page = store.scan(range, 1000);
            n += page.size();
            if (page.size() < 1000) {
                return n;
            }
            range = range.startingAfter(page.get(page.size() - 1).key());
        }
    }

    @Override
    public double writeAmplification() {
        return store.stats().writeAmplification();
    }

    @Override
    public void settle() {
        store.flush();
    }

    @Override
    public void close() {
        if (Boolean.getBoolean("cairn.bench.verbose")) {
            System.err.println("# cairn stats: " + store.stats());
        }
        store.close();
    }
}
