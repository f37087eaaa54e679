package dev.cairn.transport.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Placement's promises, checked over seeded random member sets (the seed is printed;
 * {@code -Dcairn.seed=N} replays): balance within {@value Placement#LOAD_FACTOR}x of the average,
 * about 1/members of the owner slots moving on a join or a leave, and the same table from any
 * order of input.
 */
class PlacementTest {
    private static final long SEED = Long.getLong("cairn.seed", new Random().nextLong());

    static {
        System.out.println("PlacementTest seed=" + SEED + " (replay with -Dcairn.seed=" + SEED + ")");
    }

    private static List<String> members(Random rnd, int n) {
        Set<String> out = new HashSet<>();
        while (out.size() < n) {
            out.add("10.0." + rnd.nextInt(256) + "." + rnd.nextInt(256) + ":" + (7000 + rnd.nextInt(1000)));
        }
        return new ArrayList<>(out);
    }

    @Test
    void theMostLoadedMemberOwnsAtMostALoadFactorTimesTheAverage() {
        Random rnd = new Random(SEED);
        for (int round = 0; round < 20; round++) {
            for (int n = 3; n <= 10; n++) {
                for (int owners = 1; owners <= 3; owners++) {
                    List<String> m = members(rnd, n);
                    SegmentTable t = Placement.compute(m, Placement.DEFAULT_SEGMENTS, owners);
                    Map<String, Integer> loads = Placement.loads(t);
                    double average = (double) Placement.DEFAULT_SEGMENTS * owners / n;
                    int max = Collections.max(loads.values());
                    assertTrue(max <= Placement.LOAD_FACTOR * average,
                            "seed=" + SEED + " members=" + n + " owners=" + owners + " max=" + max + " average=" + average);
                    for (int s = 0; s < t.segments(); s++) {
                        assertEquals(owners, new HashSet<>(t.owners(s)).size(), "distinct owners of segment " + s);
                    }
                }
            }
        }
    }

    /** Owner slots given to a member that did not own that segment before. */
    private static int moved(SegmentTable before, SegmentTable after) {
        int moved = 0;
        for (int s = 0; s < before.segments(); s++) {
            List<String> old = before.owners(s);
            for (String m : after.owners(s)) {
                if (!old.contains(m)) {
                    moved++;
                }
            }
        }
        return moved;
    }

    @Test
    void aJoinOrALeaveMovesAboutOneMembersShare() {
        Random rnd = new Random(SEED);
        double worst = 0;
        for (int round = 0; round < 20; round++) {
            for (int n = 3; n <= 9; n++) {
                int owners = 1 + rnd.nextInt(3);
                List<String> m = members(rnd, n + 1);
                List<String> before = m.subList(0, n);
                SegmentTable small = Placement.compute(before, Placement.DEFAULT_SEGMENTS, owners);
                SegmentTable large = Placement.compute(m, Placement.DEFAULT_SEGMENTS, owners);
                int slots = Placement.DEFAULT_SEGMENTS * Math.min(owners, n + 1);
                double ideal = (double) Placement.DEFAULT_SEGMENTS * Math.min(owners, n + 1) / (n + 1);
                int join = moved(small, large);
                int leave = moved(large, small);
                worst = Math.max(worst, Math.max(join, leave) / ideal);
                assertTrue(join <= 2 * ideal, "join: seed=" + SEED + " n=" + n + " owners=" + owners + " moved=" + join
                        + " of " + slots + " (ideal " + ideal + ")");
                assertTrue(leave <= 2 * ideal, "leave: seed=" + SEED + " n=" + (n + 1) + " owners=" + owners + " moved="
                        + leave + " (ideal " + ideal + ")");
            }
        }
        System.out.printf("PlacementTest worst movement: %.2fx one member's share%n", worst);
    }

    @Test
    void everyMemberComputesTheSameTableWhateverTheOrderOfInput() {
        Random rnd = new Random(SEED);
        List<String> m = members(rnd, 7);
        SegmentTable reference = Placement.compute(m, Placement.DEFAULT_SEGMENTS, 2);
        for (int i = 0; i < 10; i++) {
            List<String> shuffled = new ArrayList<>(m);
            Collections.shuffle(shuffled, rnd);
            assertEquals(reference, Placement.compute(shuffled, Placement.DEFAULT_SEGMENTS, 2));
        }
        assertNotEquals(reference, Placement.compute(m.subList(0, 6), Placement.DEFAULT_SEGMENTS, 2));
    }

    @Test
    void aSingleMemberOwnsEverythingAndOwnersNeverExceedMembers() {
        SegmentTable one = Placement.compute(List.of("a:1"), 16, 3);
        for (int s = 0; s < 16; s++) {
            assertEquals(List.of("a:1"), one.owners(s));
        }
        SegmentTable two = Placement.compute(List.of("a:1", "b:2"), 16, 3);
        for (int s = 0; s < 16; s++) {
            assertEquals(2, two.owners(s).size());
        }
    }

    @Test
    void keysSpreadEvenlyOverSegmentsAndAlwaysLandInTheSameOne() {
        int[] counts = new int[Placement.DEFAULT_SEGMENTS];
        int keys = 256_000;
        for (int i = 0; i < keys; i++) {
            byte[] key = ("user:" + i).getBytes(StandardCharsets.UTF_8);
            int s = Placement.segmentOf(key, Placement.DEFAULT_SEGMENTS);
            counts[s]++;
            assertEquals(s, Placement.segmentOf(key.clone(), Placement.DEFAULT_SEGMENTS));
        }
        for (int c : counts) {
            assertTrue(c > 800 && c < 1200, "a segment got " + c + " of about 1000 keys");
        }
        // MurmurHash3 x64 128's published vectors (first half, seed 0): every member computes these
        assertEquals(0L, KeyHash.hash64(new byte[0]));
        assertEquals(0xcbd8a7b341bd9b02L, KeyHash.hash64("hello".getBytes(StandardCharsets.UTF_8)));
    }
}
