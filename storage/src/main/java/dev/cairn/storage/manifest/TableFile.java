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

    public TableFile(TableSummary summary, SsTableReader reader) {
        this.summary = summary;
        this.reader = reader;
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
