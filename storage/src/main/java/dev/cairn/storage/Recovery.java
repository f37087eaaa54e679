package dev.cairn.storage;

import dev.cairn.api.CorruptionException;
import dev.cairn.storage.manifest.Manifest;
import dev.cairn.storage.manifest.TableFile;
import dev.cairn.storage.manifest.TableSet;
import dev.cairn.storage.memtable.Memtable;
import dev.cairn.storage.sstable.BlockCache;
import dev.cairn.storage.sstable.SsTableReader;
import dev.cairn.storage.wal.WalReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What opening a store finds on disk, as LevelDB's recovery does it: the tables the manifest
 * lists (each checked), the files a crash left behind (deleted: tables no manifest reached, WAL
 * segments already flushed, a half-written manifest), and the WAL segments to replay, replayed in
 * order into one memtable under the {@link WalRecovery} mode. The store then writes that memtable
 * as a level-0 table before it takes writes.
 */
final class Recovery {
    /**
     * @param tables the manifest's tables, open
     * @param replayed every record of the replayed WAL segments
     * @param maxSequence the highest sequence number seen in the manifest, a table or the WAL
     * @param logs the WAL segments replayed (or dropped by point-in-time recovery): to delete once
     *     the memtable is a table
     * @param nextFileNumber the next free file number
     */
    record Result(TableSet tables, Memtable replayed, long maxSequence, List<Long> logs, long nextFileNumber) {
    }

    private Recovery() {
    }

    static Result run(Path dir, Manifest.State state, WalRecovery mode, BlockCache cache, StorageStats stats,
                      Consumer<String> report) throws IOException {
        List<List<TableFile>> levels = new ArrayList<>();
        for (int i = 0; i < TableSet.LEVELS; i++) {
            levels.add(new ArrayList<>());
        }
        long maxSequence = state.lastSequence();
        Set<Long> live = new HashSet<>();
        for (Manifest.LeveledTable lt : state.tables()) {
            Path file = dir.resolve(FileNames.table(lt.table().number()));
            if (!Files.exists(file)) {
                throw new CorruptionException(file, 0, "table listed in the manifest is missing");
            }
            SsTableReader reader = SsTableReader.open(file, lt.table().number(), cache, stats);
            levels.get(lt.level()).add(new TableFile(lt.table(), reader));
            live.add(lt.table().number());
            maxSequence = Math.max(maxSequence, lt.table().largestSequence());
        }
        TableSet tables = new TableSet(levels);

        long nextFileNumber = state.nextFileNumber();
        List<Long> logs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                long logNumber = FileNames.number(name, ".log");
                long tableNumber = FileNames.number(name, ".sst");
                if (logNumber >= 0) {
                    if (logNumber >= state.logNumber()) {
                        logs.add(logNumber);
                    } else {
                        Files.delete(p);
                    }
                } else if (tableNumber >= 0 && !live.contains(tableNumber)) {
                    Files.delete(p); // left by a flush or compaction that did not reach the manifest
                } else if (name.equals(FileNames.MANIFEST_TEMP)) {
                    Files.delete(p);
                }
                nextFileNumber = Math.max(nextFileNumber, Math.max(logNumber, tableNumber) + 1);
            }
        }
        logs.sort(null);
        // A crash right after a new segment was started can leave it empty (or holding only the
        // zeros written ahead), and the one before it unsealed: that one is the newest with records.
        int newest = logs.size() - 1;
        while (newest > 0 && WalReader.blank(dir.resolve(FileNames.wal(logs.get(newest))))) {
            newest--;
        }
        Memtable replayed = new Memtable(0);
        for (int i = 0; i < logs.size(); i++) {
            Path log = dir.resolve(FileNames.wal(logs.get(i)));
            WalReader.Replay r = WalReader.replay(log, i >= newest, mode,
                    batch -> batch.forEach(replayed::add), report);
            maxSequence = Math.max(maxSequence, r.maxSequence());
            if (r.stopped()) {
                break; // point in time: the later segments are dropped with this one's rest
            }
        }
        return new Result(tables, replayed, maxSequence, logs, nextFileNumber);
    }
}
