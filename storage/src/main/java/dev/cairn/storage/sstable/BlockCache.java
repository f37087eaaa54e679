package dev.cairn.storage.sstable;

/**
 * A bounded cache of decoded data blocks, evicting by CLOCK (an approximation of LRU), shared by all tables of a store and keyed by
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
        return ((tableNumber + 1) << 40) ^ offset; // never 0, which marks an empty slot
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
            total += s.bytes();
        }
        return total;
    }

    /**
     * One shard: an open-addressing table of primitive keys (no boxing, one probe reads the key
     * inline) with CLOCK eviction, so a hit only sets a reference bit, where an access-ordered
     * linked map relinks its entry under the lock on every read.
     */
    private static final class Shard {
        private static final long EMPTY = 0; // keys are never 0 or negative (see key)
        private static final long REMOVED = -1;

        private final long capacity;
        private long bytes;
        private long[] keys = new long[64];
        private Block[] blocks = new Block[64];
        private boolean[] referenced = new boolean[64];
        private int live;
        private int removed;
        private int hand;

        Shard(long capacity) {
            this.capacity = capacity;
        }

        private int mask() {
            return keys.length - 1;
        }

        private static int slot(long key, int mask) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }

        /** The slot holding {@code key}, or -1. */
        private int find(long key) {
            int mask = mask();
            for (int i = slot(key, mask); ; i = (i + 1) & mask) {
                long k = keys[i];
                if (k == key) {
                    return i;
                }
                if (k == EMPTY) {
                    return -1;
                }
            }
        }

        synchronized Block get(long key) {
            int i = find(key);
            if (i < 0) {
                return null;
            }
            referenced[i] = true;
            return blocks[i];
        }

        synchronized void put(long key, Block block) {
            int i = find(key);
            if (i >= 0) {
                bytes += block.data.length - blocks[i].data.length;
                blocks[i] = block;
                referenced[i] = true;
            } else {
                if ((live + removed + 1) * 2 > keys.length) {
                    rebuild(live + 1);
                }
                int mask = mask();
                int j = slot(key, mask);
                while (keys[j] != EMPTY && keys[j] != REMOVED) {
                    j = (j + 1) & mask;
                }
                if (keys[j] == REMOVED) {
                    removed--;
                }
                keys[j] = key;
                blocks[j] = block;
                referenced[j] = false; // a block read once goes before one read again
                live++;
                bytes += block.data.length;
                i = j;
            }
            evictOver(i);
        }

        /** Evicts, by CLOCK, until the shard is within its capacity; never the block at {@code keep}. */
        private void evictOver(int keep) {
            int mask = mask();
            for (int steps = 0; bytes > capacity && live > 1 && steps < 3 * keys.length; steps++) {
                int i = hand;
                hand = (hand + 1) & mask;
                if (i == keep || keys[i] == EMPTY || keys[i] == REMOVED) {
                    continue;
                }
                if (referenced[i]) {
                    referenced[i] = false; // a second chance
                    continue;
                }
                bytes -= blocks[i].data.length;
                keys[i] = REMOVED;
                blocks[i] = null;
                live--;
                removed++;
            }
        }

        /** A new table sized for {@code entries}, without the removed slots. */
        private void rebuild(int entries) {
            int size = 64;
            while (size < entries * 4) {
                size <<= 1;
            }
            long[] oldKeys = keys;
            Block[] oldBlocks = blocks;
            boolean[] oldReferenced = referenced;
            keys = new long[size];
            blocks = new Block[size];
            referenced = new boolean[size];
            int mask = size - 1;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != EMPTY && oldKeys[i] != REMOVED) {
                    int j = slot(oldKeys[i], mask);
                    while (keys[j] != EMPTY) {
                        j = (j + 1) & mask;
                    }
                    keys[j] = oldKeys[i];
                    blocks[j] = oldBlocks[i];
                    referenced[j] = oldReferenced[i];
                }
            }
            removed = 0;
            hand &= mask;
        }

        synchronized long bytes() {
            return bytes;
        }
    }
}
