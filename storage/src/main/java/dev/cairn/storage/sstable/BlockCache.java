package dev.cairn.storage.sstable;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded LRU cache of decoded data blocks, shared by all tables of a store and keyed by
 * (table number, block offset). Split into 16 independently locked shards so concurrent readers
 * rarely contend; each shard holds at most 1/16 of the capacity in bytes.
 */
public final class BlockCache {
    private static final int SHARDS = 16;
    private final Shard[] shards = new Shard[SHARDS];

    public BlockCache(long capacityBytes) {
        for (int i = 0; i < SHARDS; i++) {
            shards[i] = new Shard(Math.max(1, capacityBytes / SHARDS));
        }
    }

    private Shard shard(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return shards[(int) (h >>> 60)];
    }

    static long key(long tableNumber, long offset) {
        return (tableNumber << 40) ^ offset;
    }

    Block get(long key) {
        return shard(key).get(key);
    }

    void put(long key, Block block) {
        shard(key).put(key, block);
    }

    /** Bytes currently held. */
    public long size() {
        long total = 0;
        for (Shard s : shards) {
            synchronized (s) {
                total += s.bytes;
            }
        }
        return total;
    }

    private static final class Shard {
        private final long capacity;
        private long bytes;
        private final LinkedHashMap<Long, Block> map = new LinkedHashMap<>(256, 0.75f, true);

        Shard(long capacity) {
            this.capacity = capacity;
        }

        synchronized Block get(long key) {
            return map.get(key);
        }

        synchronized void put(long key, Block block) {
            Block old = map.put(key, block);
            if (old != null) {
                bytes -= old.data.length;
            }
            bytes += block.data.length;
            var it = map.entrySet().iterator();
            while (bytes > capacity && it.hasNext()) {
                Map.Entry<Long, Block> eldest = it.next();
                if (eldest.getValue() == block) {
                    break;
                }
                bytes -= eldest.getValue().data.length;
                it.remove();
            }
        }
    }
}
