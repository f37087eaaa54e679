package dev.cairn.storage.manifest;

import dev.cairn.api.ByteStrings;
import dev.cairn.storage.FileNames;
import dev.cairn.storage.sstable.SsTableReader;
import dev.cairn.storage.sstable.TableSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One live SSTable: its summary (number, size, key range) and its open reader, reference-counted.
 * Every {@link TableSet} that lists the table holds one reference; when the last version that lists
 * it is released, the reader is closed and, if the table has been compacted away, its file is
 * deleted. So a read or scan that holds a version can keep reading tables a compaction replaced.
 */
public final class TableFile {
    private final TableSummary summary;
    private final SsTableReader reader;
    private final AtomicInteger refs = new AtomicInteger();
    private volatile boolean obsolete;
    /**
     * Point reads this table may still cost before it is compacted: reads that looked in it and
     * then had to look in another table too (LevelDB's {@code allowed_seeks}). One such read
     * costs about what compacting 16 KiB does, so a table may cost one per 16 KiB it holds
     * (at least {@value #MIN_ALLOWED_SEEKS}) before merging it down is the cheaper course.
     */
    private final AtomicInteger allowedSeeks;
    private static final int MIN_ALLOWED_SEEKS = 100;
    private static final int BYTES_PER_SEEK = 16 * 1024;

    public TableFile(TableSummary summary, SsTableReader reader) {
        this.summary = summary;
        this.reader = reader;
        this.allowedSeeks = new AtomicInteger((int) Math.max(MIN_ALLOWED_SEEKS,
                Math.min(Integer.MAX_VALUE, summary.size() / BYTES_PER_SEEK)));
    }

    /**
     * Charges one read that looked here in vain before another table; true for the read that
     * uses up the table's allowance (once), which should then have it compacted.
     */
    public boolean chargeSeek() {
        return allowedSeeks.get() > 0 && allowedSeeks.decrementAndGet() == 0;
    }

    public TableSummary summary() {
        return summary;
    }

    public SsTableReader reader() {
        return reader;
    }

    public long number() {
        return summary.number();
    }

    public long size() {
        return summary.size();
    }

    /** True when [smallest, largest] of this table intersects [start, end] (null = unbounded). */
    public boolean overlaps(byte[] start, byte[] end) {
        return (end == null || ByteStrings.compare(summary.smallestKey(), end) <= 0)
                && (start == null || ByteStrings.compare(summary.largestKey(), start) >= 0);
    }

    public boolean mayContain(byte[] key) {
        return overlaps(key, key);
    }

    /** Marks the table replaced: its file is deleted once no version references it. */
    public void markObsolete() {
        obsolete = true;
    }

    void retain() {
        refs.incrementAndGet();
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            try {
                reader.close();
                if (obsolete && Files.deleteIfExists(reader.file())) {
                    FileNames.fsyncDirectory(reader.file().getParent());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot release " + reader.file(), e);
            }
        }
    }
}
