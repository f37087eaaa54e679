package dev.cairn.storage.compaction;

import dev.cairn.storage.manifest.TableFile;
import java.util.List;

/**
 * What one compaction merges: tables from {@code level} and the overlapping tables of
 * {@code level + 1}, written to {@code level + 1}. A trivial move (one input, nothing overlapping
 * below) only relinks the table one level down.
 */
public record CompactionPlan(int level, List<TableFile> upper, List<TableFile> lower) {
    public int outputLevel() {
        return level + 1;
    }

    public boolean isTrivialMove() {
        return level > 0 && upper.size() == 1 && lower.isEmpty();
    }
}
