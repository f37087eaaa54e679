package dev.cairn.storage;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one store. Read a consistent-enough picture with {@link LsmStore#stats()},
 * which adds the per-level file counts and sizes of the current version.
 */
public final class StorageStats {
    /** Bytes the user asked to write (keys + values), the denominator of write amplification. */
    public final LongAdder userBytesWritten = new LongAdder();
    public final LongAdder walBytes = new LongAdder();
    public final LongAdder walSyncs = new LongAdder();
    public final LongAdder flushes = new LongAdder();
    public final LongAdder flushBytesWritten = new LongAdder();
    public final LongAdder compactions = new LongAdder();
    public final LongAdder compactionBytesRead = new LongAdder();
    public final LongAdder compactionBytesWritten = new LongAdder();
    public final LongAdder blockCacheHits = new LongAdder();
    public final LongAdder blockCacheMisses = new LongAdder();
    public final LongAdder bloomFilterSkips = new LongAdder();
    public final LongAdder writeStalls = new LongAdder();
    public final LongAdder expiredSwept = new LongAdder();

    /** A snapshot of the counters plus the shape of the tree. */
    public record Snapshot(
            long userBytesWritten,
            long walBytes,
            long walSyncs,
            long flushes,
            long flushBytesWritten,
            long compactions,
            long compactionBytesRead,
            long compactionBytesWritten,
            long blockCacheHits,
            long blockCacheMisses,
            long bloomFilterSkips,
            long writeStalls,
            long expiredSwept,
            List<Integer> filesPerLevel,
            List<Long> bytesPerLevel) {

        /** (WAL + flush + compaction bytes written) / user bytes written; 0 before any write. */
        public double writeAmplification() {
            return userBytesWritten == 0 ? 0
                    : (double) (walBytes + flushBytesWritten + compactionBytesWritten) / userBytesWritten;
        }

        /** Bytes of all live SSTables. */
        public long liveTableBytes() {
            return bytesPerLevel.stream().mapToLong(Long::longValue).sum();
        }
    }

    Snapshot snapshot(List<Integer> filesPerLevel, List<Long> bytesPerLevel) {
        return new Snapshot(userBytesWritten.sum(), walBytes.sum(), walSyncs.sum(), flushes.sum(),
                flushBytesWritten.sum(), compactions.sum(), compactionBytesRead.sum(),
                compactionBytesWritten.sum(), blockCacheHits.sum(), blockCacheMisses.sum(),
                bloomFilterSkips.sum(), writeStalls.sum(), expiredSwept.sum(), filesPerLevel, bytesPerLevel);
    }
}
