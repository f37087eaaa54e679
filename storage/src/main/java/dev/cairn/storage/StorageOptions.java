package dev.cairn.storage;

import dev.cairn.api.StoreLimits;
import dev.cairn.storage.sstable.Compression;
import dev.cairn.storage.sstable.TableOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * Settings of an {@link LsmStore}. Build with {@link #builder(Path)}; every setting has a default
 * modelled on RocksDB's (64 MiB memtable, 4 KiB blocks, 10-bit Bloom filters, L0 compaction at 4
 * files, 256 MiB level base, x10 per level).
 */
public final class StorageOptions {
    /** How long tombstones outlive their delete unless configured: a day. */
    public static final java.time.Duration DEFAULT_TOMBSTONE_GRACE = java.time.Duration.ofHours(24);
    /** How many bytes of zeros a {@code SYNC} store keeps written ahead of its WAL's records: 1 MiB. */
    public static final long DEFAULT_WAL_PREFILL_BYTES = 1L << 20;

    final Path directory;
    final SyncMode syncMode;
    final long syncIntervalMillis;
    final long memtableBytes;
    final long blockCacheBytes;
    final boolean mapTables;
    final TableOptions table;
    final int l0CompactionTrigger;
    final int l0SlowdownTrigger;
    final int l0StopTrigger;
    final long levelBaseBytes;
    final int levelMultiplier;
    final long targetFileBytes;
    final long ttlSweepIntervalMillis;
    final WalRecovery walRecovery;
    final long walPrefillBytes;
    final long tombstoneGraceMillis;
    final StoreLimits limits;
    final Clock clock;

    private StorageOptions(Builder b) {
        directory = b.directory;
        syncMode = b.syncMode;
        syncIntervalMillis = b.syncIntervalMillis;
        memtableBytes = b.memtableBytes;
        blockCacheBytes = b.blockCacheBytes;
        mapTables = b.mapTables;
        table = new TableOptions(b.blockSize, 16, b.bloomBitsPerKey, b.compression);
        l0CompactionTrigger = b.l0CompactionTrigger;
        l0SlowdownTrigger = b.l0SlowdownTrigger;
        l0StopTrigger = b.l0StopTrigger;
        levelBaseBytes = b.levelBaseBytes;
        levelMultiplier = b.levelMultiplier;
        targetFileBytes = b.targetFileBytes;
        ttlSweepIntervalMillis = b.ttlSweepIntervalMillis;
        walRecovery = b.walRecovery;
        walPrefillBytes = b.walPrefillBytes;
        tombstoneGraceMillis = b.tombstoneGraceMillis;
        limits = b.limits;
        clock = b.clock;
    }

    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    public Path directory() {
        return directory;
    }

    public SyncMode syncMode() {
        return syncMode;
    }

    /** Builder; setters check their argument and return {@code this}. */
    public static final class Builder {
        private final Path directory;
        private SyncMode syncMode = SyncMode.SYNC;
        private long syncIntervalMillis = 1000;
        private long memtableBytes = 64L << 20;
        private long blockCacheBytes = 64L << 20;
        private boolean mapTables = true;
        private int blockSize = 4096;
        private int bloomBitsPerKey = 10;
        private Compression compression = Compression.NONE;
        private int l0CompactionTrigger = 4;
        private int l0SlowdownTrigger = 8;
        private int l0StopTrigger = 12;
        private long levelBaseBytes = 256L << 20;
        private int levelMultiplier = 10;
        private long targetFileBytes = 64L << 20;
        private long ttlSweepIntervalMillis = 1000;
        private WalRecovery walRecovery = WalRecovery.TOLERATE_TORN_TAIL;
        private long walPrefillBytes = DEFAULT_WAL_PREFILL_BYTES;
        private long tombstoneGraceMillis = DEFAULT_TOMBSTONE_GRACE.toMillis();
        private StoreLimits limits = StoreLimits.DEFAULT;
        private Clock clock = Clock.systemUTC();

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        public Builder syncMode(SyncMode mode) {
            this.syncMode = Objects.requireNonNull(mode);
            return this;
        }

        /** How often INTERVAL mode fsyncs the WAL. */
        public Builder syncIntervalMillis(long millis) {
            this.syncIntervalMillis = positive(millis, "syncIntervalMillis");
            return this;
        }

        /** Memtable size at which it is frozen and flushed. */
        public Builder memtableBytes(long bytes) {
            this.memtableBytes = positive(bytes, "memtableBytes");
            return this;
        }

        public Builder blockCacheBytes(long bytes) {
            this.blockCacheBytes = positive(bytes, "blockCacheBytes");
            return this;
        }

        /**
         * Whether tables are read through a read-only memory map of each file (the default): a
         * block is copied out of the mapping on each read, with no system call, and the operating
         * system's page cache is the cache — the block cache then holds only the blocks of tables
         * too large for one mapping (2 GiB). With {@code false}, blocks are read with positional
         * reads and kept in the block cache of {@link #blockCacheBytes}.
         */
        public Builder mapTables(boolean map) {
            this.mapTables = map;
            return this;
        }

        public Builder blockSize(int bytes) {
            this.blockSize = (int) positive(bytes, "blockSize");
            return this;
        }

        public Builder bloomBitsPerKey(int bits) {
            this.bloomBitsPerKey = (int) positive(bits, "bloomBitsPerKey");
            return this;
        }

        public Builder compression(Compression compression) {
            this.compression = Objects.requireNonNull(compression);
            return this;
        }

        /** L0 file count that starts a compaction, slows writers (1 ms each), and stops them. */
        public Builder level0Triggers(int compaction, int slowdown, int stop) {
            if (compaction < 1 || slowdown < compaction || stop < slowdown) {
                throw new IllegalArgumentException("need 1 <= compaction <= slowdown <= stop: "
                        + compaction + ", " + slowdown + ", " + stop);
            }
            this.l0CompactionTrigger = compaction;
            this.l0SlowdownTrigger = slowdown;
            this.l0StopTrigger = stop;
            return this;
        }

        /** Target size of level 1; each deeper level is {@code multiplier} times larger. */
        public Builder levelSizes(long baseBytes, int multiplier) {
            this.levelBaseBytes = positive(baseBytes, "levelBaseBytes");
            if (multiplier < 2) {
                throw new IllegalArgumentException("level multiplier must be at least 2: " + multiplier);
            }
            this.levelMultiplier = multiplier;
            return this;
        }

        /** Size at which a compaction starts a new output table. */
        public Builder targetFileBytes(long bytes) {
            this.targetFileBytes = positive(bytes, "targetFileBytes");
            return this;
        }

        /** How often expired entries in the memtable are swept. */
        public Builder ttlSweepIntervalMillis(long millis) {
            this.ttlSweepIntervalMillis = positive(millis, "ttlSweepIntervalMillis");
            return this;
        }

        /** What recovery does with damaged WAL records; {@link WalRecovery#TOLERATE_TORN_TAIL} by default. */
        public Builder walRecovery(WalRecovery mode) {
            this.walRecovery = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * In {@code SYNC} mode, how many bytes of zeros the WAL keeps written ahead of its records
         * (default {@link #DEFAULT_WAL_PREFILL_BYTES}; 0 turns it off), so that an fsync within
         * them changes neither the file's size nor its blocks and writes the data alone instead of
         * the data and then the inode. Segments are cut back to their records when done; after a
         * crash the newest one ends in zeros, which recovery reads as its end
         * ({@code storage/FORMAT.md}). Each WAL byte then reaches the disk twice, as a zero and
         * as a record. The other sync modes fsync rarely and write no zeros.
         */
        public Builder walPrefillBytes(long bytes) {
            if (bytes < 0 || bytes > (1L << 30)) {
                throw new IllegalArgumentException("walPrefillBytes must be between 0 and 1 GiB: " + bytes);
            }
            this.walPrefillBytes = bytes;
            return this;
        }

        /**
         * How long compaction keeps a tombstone after the delete (and an expired value after its
         * expiry), so that replicas can still tell a late, older write from a newer one
         * ({@link dev.cairn.api.ReplicaStore}). Zero drops them as soon as they reach the bottom
         * level. Default {@link #DEFAULT_TOMBSTONE_GRACE}.
         */
        public Builder tombstoneGrace(java.time.Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("tombstone grace must not be negative: " + grace);
            }
            this.tombstoneGraceMillis = grace.toMillis();
            return this;
        }

        public Builder limits(StoreLimits limits) {
            this.limits = Objects.requireNonNull(limits);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public StorageOptions build() {
            return new StorageOptions(this);
        }

        private static long positive(long v, String name) {
            if (v < 1) {
                throw new IllegalArgumentException(name + " must be positive: " + v);
            }
            return v;
        }
    }
}
