package dev.cairn.transport.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.transport.placement.Placement;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The agreed state, pure: random sequences of membership changes and served marks (seeded; the
 * seed is printed, {@code -Dcairn.seed=N} replays) keep its invariants, and its binary form reads
 * back equal.
 */
class ClusterStateTest {
    private static final long SEED = Long.getLong("cairn.seed", new Random().nextLong());

    static {
        System.out.println("ClusterStateTest seed=" + SEED + " (replay with -Dcairn.seed=" + SEED + ")");
    }

    @Test
    void staleProposalsAndStaleMarksChangeNothing() {
        ClusterState s = ClusterState.initial(16).withMembers(0, List.of("a", "b", "c"));
        assertEquals(1, s.topology().epoch());
        assertSame(s, s.withMembers(0, List.of("a", "b")), "proposed on epoch 0, but the epoch is 1");
        assertSame(s, s.withMembers(1, List.of("c", "b", "a")), "the same members in another order");
        ClusterState served = s.withServed(1, new int[] {0, 1});
        assertEquals(1, served.lastServed(0));
        ClusterState next = served.withMembers(1, List.of("a", "b"));
        assertSame(next, next.withServed(1, new int[] {2}), "a mark for a past epoch");
        assertEquals(Placement.compute(List.of("a", "b", "c"), 16, 2).owners(0), next.previousOwners(0, 2),
                "segment 0's previous owners are those of epoch 1, where it was last served");
        assertEquals(List.of(), next.previousOwners(2, 2), "never served: nothing to fence");
    }

    @Test
    void randomHistoriesKeepTheInvariantsAndTheBinaryForm() throws Exception {
        Random rnd = new Random(SEED);
        List<String> pool = List.of("a", "b", "c", "d", "e");
        for (int run = 0; run < 50; run++) {
            ClusterState s = ClusterState.initial(32);
            List<List<String>> membersByEpoch = new ArrayList<>();
            membersByEpoch.add(List.of());
            for (int step = 0; step < 60; step++) {
                if (rnd.nextInt(3) == 0) {
                    List<String> m = new ArrayList<>();
                    for (String p : pool) {
                        if (rnd.nextBoolean()) {
                            m.add(p);
                        }
                    }
                    long expected = rnd.nextInt(5) == 0 ? Math.max(0, s.topology().epoch() - 1) : s.topology().epoch();
                    ClusterState next = s.withMembers(expected, m);
                    if (next != s) {
                        membersByEpoch.add(next.topology().members());
                    }
                    s = next;
                } else if (rnd.nextInt(4) == 0) {
                    List<String> m = new ArrayList<>();
                    for (String p : pool) {
                        if (rnd.nextBoolean()) {
                            m.add(p);
                        }
                    }
                    ClusterState next = rnd.nextBoolean() ? s.withStaged(s.topology().epoch() - rnd.nextInt(2), m)
                            : s.withPrepared(s.topology().epoch() - rnd.nextInt(2), rnd.nextBoolean() ? s.staged() : m,
                                    pool.get(rnd.nextInt(pool.size())));
                    assertEquals(s.topology(), next.topology(), "staging changed the topology; seed=" + SEED);
                    s = next;
                } else {
                    int[] segs = rnd.ints(1 + rnd.nextInt(5), 0, 32).toArray();
                    s = s.withServed(s.topology().epoch() - rnd.nextInt(2), segs);
                }
                for (String m : pool) {
                    assertTrue(!s.prepared(m) || s.staged().contains(m), "prepared but not staged; seed=" + SEED);
                }
                for (int seg = 0; seg < 32; seg++) {
                    long e = s.lastServed(seg);
                    assertTrue(e <= s.topology().epoch(), "seed=" + SEED);
                    if (e > 0) {
                        assertEquals(membersByEpoch.get((int) e), s.membersOf(e), "seed=" + SEED + " remembers epoch " + e);
                        assertEquals(Placement.compute(membersByEpoch.get((int) e), 32, 2).owners(seg), s.previousOwners(seg, 2));
                    }
                }
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            s.write(new DataOutputStream(bytes));
            assertEquals(s, ClusterState.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
        }
    }

    @Test
    void stagingPreparesTheNextMembersWithoutChangingTheTopology() {
        ClusterState s = ClusterState.initial(16).withMembers(0, List.of("a", "b", "c"));
        ClusterState staged = s.withStaged(1, List.of("d", "c", "b", "a"));
        assertEquals(List.of("a", "b", "c", "d"), staged.staged());
        assertEquals(s.topology(), staged.topology(), "staging is not a change of topology");
        assertSame(staged, staged.withStaged(0, List.of("a", "b")), "staged on a stale epoch");
        assertSame(s, s.withStaged(1, List.of("c", "b", "a")), "the topology's own members");
        assertSame(staged, staged.withPrepared(1, List.of("a", "b", "c"), "a"), "prepared for another staging");
        assertSame(staged, staged.withPrepared(1, List.of("a", "b", "c", "d"), "e"), "not a staged member");
        ClusterState partly = staged.withPrepared(1, List.of("a", "b", "c", "d"), "d");
        assertTrue(partly.prepared("d") && !partly.stagingComplete());
        ClusterState all = partly;
        for (String m : List.of("a", "b", "c")) {
            all = all.withPrepared(1, List.of("a", "b", "c", "d"), m);
        }
        assertTrue(all.stagingComplete());
        ClusterState restaged = all.withStaged(1, List.of("a", "b", "c", "e"));
        assertTrue(!restaged.prepared("a"), "a new staging starts unprepared");
        ClusterState changed = all.withMembers(1, all.staged());
        assertEquals(2, changed.topology().epoch());
        assertEquals(List.of(), changed.staged(), "a change of topology ends the staging");
        assertSame(changed, changed.withPrepared(1, List.of("a", "b", "c", "d"), "a"), "a mark for a past staging");
    }

    @Test
    void theFenceQuorumMeetsEveryWriteAndReadQuorum() {
        for (int n = 1; n <= 7; n++) {
            for (int w = 1; w <= n; w++) {
                for (int r = 1; r <= n; r++) {
                    int f = ClusterState.fenceQuorum(n, w, r);
                    assertTrue(f + w > n && f + r > n && f <= n, "n=" + n + " w=" + w + " r=" + r + " f=" + f);
                }
            }
        }
    }
}
