package dev.cairn.storage.compaction;

import dev.cairn.storage.format.Record;
import dev.cairn.storage.format.RecordIterator;
import dev.cairn.storage.sstable.SsTableWriter;
import dev.cairn.storage.sstable.TableSummary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Writes a sorted record stream into new tables, keeping only what can still be read:
 *
 * <ul>
 *   <li>nothing of a key that is not {@code live} (its namespace was cleared or dropped);</li>
 *   <li>the newest version of each key; older ones are shadowed (no reader can ask for them:
 *       scans and gets that began earlier hold the version listing the input tables);</li>
 *   <li>a tombstone, or an expired put turned into a tombstone (same version, dead since its
 *       expiry), while its grace period runs — replicas compare late writes with its version — and
 *       after that only while an older version of the key may still lie in a deeper level
 *       ({@code mayExistBelow}); at the bottom it is then dropped.</li>
 * </ul>
 *
 * A new table is started once the current one passes {@code targetFileBytes}; since one version
 * per key is written, every cut falls between two user keys, keeping deeper levels disjoint.
 */
public final class TableOutput {
    /** Opens the next output table. */
    public interface TableFactory {
        SsTableWriter newTable() throws IOException;
    }

    private TableOutput() {
    }

    public static List<TableSummary> write(RecordIterator input, long nowMillis, long graceMillis,
                                           Predicate<byte[]> live, Predicate<byte[]> mayExistBelow,
                                           long targetFileBytes, TableFactory factory) throws IOException {
        List<TableSummary> out = new ArrayList<>();
        SsTableWriter writer = null;
        byte[] previousKey = null;
        try {
            for (input.seekToFirst(); input.valid(); input.next()) {
                Record r = input.current();
                if (previousKey != null && Arrays.equals(previousKey, r.key())) {
                    continue;
                }
                previousKey = r.key();
                if (!live.test(r.key())) {
                    continue; // a cleared or dropped namespace: every version of it is garbage
                }
                if (r.isDeadAt(nowMillis)) {
                    if (nowMillis - r.deathMillis() >= graceMillis && !mayExistBelow.test(r.key())) {
                        continue;
                    }
                    r = r.asTombstone();
                }
                if (writer == null) {
                    writer = factory.newTable();
                }
                writer.add(r);
                if (writer.estimatedSize() >= targetFileBytes) {
                    out.add(writer.finish());
                    writer = null;
                }
            }
            if (writer != null) {
                out.add(writer.finish());
                writer = null;
            }
            return out;
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
    }
}
