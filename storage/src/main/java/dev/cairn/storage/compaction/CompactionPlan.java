package dev.cairn.storage.compaction;

import dev.cairn.storage.manifest.TableFile;
import java.util.List;

/**
 * What one compaction merges: tables from {@code level} and the overlapping tables of
 * {@code level + 1}, written to {@code outputLevel} — normally {@code level + 1}; the bottom
 * level rewritten in place (to drop expired entries and tombstones) has {@code outputLevel ==
 * level}. A trivial move (one input, nothing overlapping below) only relinks the table one level
 * down.
 */
public record CompactionPlan(int level, List<TableFile> upper, List<TableFile> lower, int outputLevel) {
    public CompactionPlan(int level, List<TableFile> upper, List<TableFile> lower) {
        this(level, upper, lower, level + 1);
    }

    public boolean isTrivialMove() {
        return level > 0 && outputLevel == level + 1 && upper.size() == 1 && lower.isEmpty();
    }
}
