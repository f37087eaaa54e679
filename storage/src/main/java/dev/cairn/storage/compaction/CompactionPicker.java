package dev.cairn.storage.compaction;

import dev.cairn.api.ByteStrings;
import dev.cairn.storage.manifest.TableFile;
import dev.cairn.storage.manifest.TableSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses the next compaction, LevelDB style. Level 0 is compacted (all of it, with the
 * overlapping part of level 1) once it holds {@code l0Trigger} tables. A deeper level is compacted
 * when its size exceeds its target ({@code base * multiplier^(level-1)}); the table picked is the
 * first after the level's compaction pointer, so successive compactions sweep the key space
 * round-robin. Pure: no I/O, no locks, no clock.
 */
public final class CompactionPicker {
    private final int l0Trigger;
    private final long levelBaseBytes;
    private final int multiplier;
    private final byte[][] pointers = new byte[TableSet.LEVELS][];

    public CompactionPicker(int l0Trigger, long levelBaseBytes, int multiplier) {
        this.l0Trigger = l0Trigger;
        this.levelBaseBytes = levelBaseBytes;
        this.multiplier = multiplier;
    }

    public long maxBytes(int level) {
        long max = levelBaseBytes;
        for (int i = 1; i < level; i++) {
            max = max > Long.MAX_VALUE / multiplier ? Long.MAX_VALUE : max * multiplier;
        }
        return max;
    }

    /** The compaction to run next on {@code version}, or null when the tree is in shape. */
    public CompactionPlan pick(TableSet version) {
        return pick(version, false);
    }

    /**
     * As {@link #pick(TableSet)}; with {@code force}, also compacts any non-empty level that is not
     * the last non-empty one, so repeated forced picks push everything to one level.
     */
    public CompactionPlan pick(TableSet version, boolean force) {
        List<TableFile> l0 = version.level(0);
        if (l0.size() >= l0Trigger || (force && !l0.isEmpty())) {
            return planFor(version, 0, new ArrayList<>(l0));
        }
        int bestLevel = -1;
        double bestScore = 1.0;
        for (int level = 1; level < TableSet.LEVELS - 1; level++) {
            double score = (double) version.levelBytes(level) / maxBytes(level);
            if (score >= bestScore) {
                bestScore = score;
                bestLevel = level;
            }
        }
        if (bestLevel < 0 && force) {
            for (int level = 1; level < TableSet.LEVELS - 1; level++) {
                if (!version.level(level).isEmpty() && hasDataBelow(version, level)) {
                    bestLevel = level;
                    break;
                }
            }
        }
        if (bestLevel < 0) {
            return null;
        }
        TableFile chosen = null;
        for (TableFile t : version.level(bestLevel)) {
            if (pointers[bestLevel] == null || ByteStrings.compare(t.summary().smallestKey(), pointers[bestLevel]) > 0) {
                chosen = t;
                break;
            }
        }
        if (chosen == null) {
            chosen = version.level(bestLevel).get(0);
        }
        pointers[bestLevel] = chosen.summary().largestKey();
        return planFor(version, bestLevel, List.of(chosen));
    }

    /** Rewrites the deepest non-empty level in place, or null when the tree is empty. */
    public CompactionPlan pickBottomRewrite(TableSet version) {
        for (int level = TableSet.LEVELS - 1; level > 0; level--) {
            if (!version.level(level).isEmpty()) {
                return new CompactionPlan(level, new ArrayList<>(version.level(level)), List.of(), level);
            }
        }
        return null;
    }

    private static boolean hasDataBelow(TableSet version, int level) {
        for (int i = level + 1; i < TableSet.LEVELS; i++) {
            if (!version.level(i).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static CompactionPlan planFor(TableSet version, int level, List<TableFile> upper) {
        byte[] smallest = null;
        byte[] largest = null;
        for (TableFile t : upper) {
            if (smallest == null || ByteStrings.compare(t.summary().smallestKey(), smallest) < 0) {
                smallest = t.summary().smallestKey();
            }
            if (largest == null || ByteStrings.compare(t.summary().largestKey(), largest) > 0) {
                largest = t.summary().largestKey();
            }
        }
        return new CompactionPlan(level, upper, version.overlapping(level + 1, smallest, largest));
    }
}
