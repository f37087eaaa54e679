package dev.cairn.storage;

import dev.cairn.storage.manifest.Manifest;
import dev.cairn.storage.manifest.TableFile;
import dev.cairn.storage.manifest.TableSet;
import dev.cairn.storage.sstable.BlockCache;
import dev.cairn.storage.sstable.SsTableReader;
import dev.cairn.storage.sstable.SsTableWriter;
import dev.cairn.storage.sstable.TableOptions;
import dev.cairn.storage.sstable.TableSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The persistent side of the tree's shape, as LevelDB's VersionSet: file numbers, the WAL log
 * number, new and opened tables, and the manifest record of each new table set ({@link
 * #logAndApply}). Changes of the table set happen under this object's monitor (flush, compaction,
 * namespace catalog changes), so each manifest write describes one consistent state; publishing
 * the new table set to readers is the store's part.
 */
final class VersionSet {
    private final Path dir;
    private final TableOptions table;
    private final BlockCache cache;
    private final StorageStats stats;
    private final AtomicLong nextFileNumber;
    private long logNumber; // guarded by this: WAL segments below it are flushed

    VersionSet(Path dir, TableOptions table, BlockCache cache, StorageStats stats, long nextFileNumber, long logNumber) {
        this.dir = dir;
        this.table = table;
        this.cache = cache;
        this.stats = stats;
        this.nextFileNumber = new AtomicLong(nextFileNumber);
        this.logNumber = logNumber;
    }

    /** A new file number, for a WAL segment or a table. */
    long newFileNumber() {
        return nextFileNumber.getAndIncrement();
    }

    long peekFileNumber() {
        return nextFileNumber.get();
    }

    synchronized long logNumber() {
        return logNumber;
    }

    /** A writer for a new table with the next file number. */
    SsTableWriter newTable() throws IOException {
        long number = newFileNumber();
        return new SsTableWriter(dir.resolve(FileNames.table(number)), number, table);
    }

    TableFile openTable(TableSummary t) throws IOException {
        return new TableFile(t, SsTableReader.open(dir.resolve(FileNames.table(t.number())), t.number(), cache, stats));
    }

    /** A modifiable copy of {@code v}'s levels, to build the next table set from. */
    static List<List<TableFile>> mutableLevels(TableSet v) {
        List<List<TableFile>> levels = new ArrayList<>();
        for (List<TableFile> level : v.levels()) {
            levels.add(new ArrayList<>(level));
        }
        return levels;
    }

    /**
     * Records {@code tables} with {@code logNumber} and the namespace catalog in the manifest (the
     * commit point of a flush or a compaction), then makes {@code logNumber} current. The caller
     * holds this monitor and publishes {@code tables} afterwards.
     */
    void logAndApply(TableSet tables, long logNumber, Catalog catalog, long lastSequence) throws IOException {
        write(dir, tables, peekFileNumber(), lastSequence, logNumber, catalog);
        this.logNumber = logNumber;
    }

    /** Writes a manifest of {@code tables} into {@code target}. */
    static void write(Path target, TableSet tables, long nextFile, long lastSequence, long logNumber, Catalog catalog)
            throws IOException {
        List<Manifest.LeveledTable> leveled = new ArrayList<>();
        for (int level = 0; level < TableSet.LEVELS; level++) {
            for (TableFile t : tables.level(level)) {
                leveled.add(new Manifest.LeveledTable(level, t.summary()));
            }
        }
        Manifest.write(target, new Manifest.State(nextFile, lastSequence, logNumber, leveled, catalog.nextId(), catalog.ids()));
    }
}
