package dev.cairn.storage.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.manifest.TableFile;
import dev.cairn.storage.manifest.TableSet;
import dev.cairn.storage.sstable.TableSummary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The picker is pure: table sets in, plans out. Tables here are summaries only (no files). */
class CompactionPickerTest {
    private long numbers;

    private TableFile table(String smallest, String largest, long size) {
        return new TableFile(new TableSummary(++numbers, size, 1, smallest.getBytes(StandardCharsets.US_ASCII), 1,
                largest.getBytes(StandardCharsets.US_ASCII), 1), null);
    }

    private static TableSet set(List<List<TableFile>> levels) {
        List<List<TableFile>> all = new ArrayList<>(levels);
        while (all.size() < TableSet.LEVELS) {
            all.add(List.of());
        }
        return new TableSet(all);
    }

    private final CompactionPicker picker = new CompactionPicker(4, 1000, 10);

    @Test
    void levelZeroIsCompactedWholeWithTheOverlappingPartOfLevelOne() {
        TableFile inside = table("c", "f", 100);
        TableFile outside = table("x", "z", 100);
        TableSet v = set(List.of(
                List.of(table("a", "d", 10), table("b", "e", 10), table("c", "g", 10), table("a", "b", 10)),
                List.of(inside, outside)));
        CompactionPlan plan = picker.pick(v);
        assertNotNull(plan);
        assertEquals(0, plan.level());
        assertEquals(4, plan.upper().size());
        assertEquals(List.of(inside), plan.lower(), "only level-1 tables overlapping [a, g]");
        assertEquals(1, plan.outputLevel());
    }

    @Test
    void aTreeInShapeNeedsNothing() {
        TableSet v = set(List.of(List.of(table("a", "b", 10)), List.of(table("a", "z", 900))));
        assertNull(picker.pick(v));
    }

    @Test
    void theLevelMostOverItsTargetGoesFirstAndItsTablesAreTakenRoundRobin() {
        List<TableFile> l1 = List.of(table("a", "b", 400), table("c", "d", 400), table("e", "f", 400));
        TableSet v = set(List.of(List.of(), l1, List.of(table("a", "z", 9000))));
        CompactionPlan first = picker.pick(v);
        assertEquals(1, first.level(), "level 1 is at 1.2x its target; level 2 at 0.9x");
        assertEquals(List.of(l1.get(0)), first.upper());
        CompactionPlan second = picker.pick(v);
        assertEquals(List.of(l1.get(1)), second.upper(), "the compaction pointer moves on");
        assertEquals(List.of(l1.get(2)), picker.pick(v).upper());
        assertEquals(List.of(l1.get(0)), picker.pick(v).upper(), "and wraps around");
    }

    @Test
    void aTableWithNothingBelowItOverlappingMovesTrivially() {
        TableSet v = set(List.of(List.of(), List.of(table("a", "b", 1500)), List.of(table("x", "z", 10))));
        CompactionPlan plan = picker.pick(v);
        assertTrue(plan.isTrivialMove(), plan.toString());
    }

    @Test
    void forcedPicksPushEverythingDownAndTheBottomCanBeRewritten() {
        TableSet v = set(List.of(List.of(table("a", "b", 1)), List.of(), List.of(table("a", "c", 1))));
        CompactionPlan plan = picker.pick(v, true);
        assertEquals(0, plan.level());
        TableSet bottomOnly = set(List.of(List.of(), List.of(), List.of(table("a", "c", 1))));
        assertNull(picker.pick(bottomOnly, true), "nothing above the last level");
        CompactionPlan rewrite = picker.pickBottomRewrite(bottomOnly);
        assertEquals(2, rewrite.level());
        assertEquals(2, rewrite.outputLevel());
    }
}
