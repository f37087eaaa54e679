package dev.cairn.storage.sstable;

/**
 * A bounded cache of decoded data blocks, evicting by CLOCK (an approximation of LRU), shared by all tables of a store and keyed by
 * (table number, block offset). Split into 16 independently locked shards so concurrent readers
 * rarely contend; each shard holds at most 1/16 of the capacity in bytes.
 *
 * <p>The cache serves tables read with positional reads ({@link #mapTables} false, or a table
 * too large to map); mapped tables bypass it.
 *
 * <p>Admission: while a shard has room, every block goes in. Once it is full, a block goes in
 * only when it was missed once before, recently: the shard remembers the keys of the last blocks
 * it turned away (about as many as it holds), and lets a block in on its second miss. Blocks read
 * again (a skewed workload's hot set) still get in, on their second read; reads spread evenly over
 * more data than the cache holds, and a scan's blocks read once, do not churn it. Churn is what
 * cost read-only runs up to 25% of their time in the collector when every read went through the
 * cache: an admitted block evicts one that lived long enough to be promoted. The policy was
 * measured only in that setting (with tables mapped), not on the positional-read path it now
 * serves.
 */
public final class BlockCache {
    private static final int SHARDS = 16;
    private final Shard[] shards = new Shard[SHARDS];
    private final boolean mapTables;

    /** A cache for tables that are mapped (see {@link #mapTables}). */
    public BlockCache(long capacityBytes) {
        this(capacityBytes, true);
    }

    public BlockCache(long capacityBytes, boolean mapTables) {
        this.mapTables = mapTables;
        for (int i = 0; i < SHARDS; i++) {
            shards[i] = new Shard(Math.max(1, capacityBytes / SHARDS));
        }
    }

    /**
     * Whether the tables this cache serves read their blocks from a memory map of the file (and so
     * bypass the cache, whose blocks would only be copies of the page cache's) rather than with
     * positional reads into the cache. A store decides it once ({@code StorageOptions.mapTables}).
     */
    public boolean mapTables() {
        return mapTables;
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

    /** Offers a block just read; false when the cache turned it away (see admission, above). */
    boolean put(long key, Block block) {
        return shard(key).put(key, block);
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
        /** Keys of blocks turned away lately, one per slot by hash; a block found here is let in. */
        private final long[] ghosts;

        Shard(long capacity) {
            this.capacity = capacity;
            int n = 64;
            while (n < capacity / 4096) { // about one ghost per block the shard holds (blocks are some 4 KiB)
                n <<= 1;
            }
            ghosts = new long[n];
        }

        /** Whether a new block may go in; remembers the key of one turned away. Caller holds the lock. */
        private boolean admit(long key, int size) {
            if (bytes + size <= capacity) {
                return true;
            }
            // a fully mixed hash (MurmurHash3's finalizer: the keys of one table differ only in a
            // few offset bits, and one multiply leaves them in a few slots) to an aligned pair of
            // slots: a newer miss moves the older one over
            long z = (key ^ (key >>> 33)) * 0xFF51AFD7ED558CCDL;
            z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
            int g = (int) (z ^ (z >>> 33)) & (ghosts.length - 2);
            int h = g + 1;
            if (ghosts[g] == key || ghosts[h] == key) {
                ghosts[ghosts[g] == key ? g : h] = EMPTY;
                return true;
            }
            ghosts[h] = ghosts[g];
            ghosts[g] = key;
            return false;
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

        synchronized boolean put(long key, Block block) {
            int i = find(key);
            if (i < 0 && !admit(key, block.data.length)) {
                return false;
            }
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
            return true;
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
