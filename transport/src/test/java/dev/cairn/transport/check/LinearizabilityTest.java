package dev.cairn.transport.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.transport.check.History.Kind;
import dev.cairn.transport.check.History.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The checker itself, tested: hand-written histories it must accept and reject, random histories
 * of a correct sequential register (must pass), and histories of deliberately broken replication
 * (reads from one arbitrary replica with R = W = 1), which it must catch. Seeded; the seed is
 * printed and {@code -Dcairn.seed=N} replays.
 */
class LinearizabilityTest {
    private static final long SEED = Long.getLong("cairn.seed", new Random().nextLong());

    static {
        System.out.println("LinearizabilityTest seed=" + SEED + " (replay with -Dcairn.seed=" + SEED + ")");
    }

    private static Op put(int c, String v, long call, long ret) {
        return new Op(c, "k", Kind.PUT, v, null, 0, call, ret, false, null);
    }

    private static Op get(int c, String seen, long call, long ret) {
        return new Op(c, "k", Kind.GET, null, null, 0, call, ret, false, seen);
    }

    private static Op cas(int c, String expected, String v, boolean ok, long call, long ret) {
        return new Op(c, "k", Kind.CAS, v, expected, 0, call, ret, false, Boolean.toString(ok));
    }

    private static boolean check(Op... ops) {
        return Linearizability.linearizable(List.of(ops));
    }

    @Test
    void sequentialAndOverlappingHistoriesThatCanBeOrderedPass() {
        assertTrue(check(put(1, "a", 0, 1), get(2, "a", 2, 3), put(1, "b", 4, 5), get(2, "b", 6, 7)));
        // a read overlapping a write may see the old or the new value
        assertTrue(check(put(1, "a", 0, 1), put(1, "b", 2, 10), get(2, "a", 3, 4), get(3, "b", 5, 6)));
        assertTrue(check(get(1, null, 0, 1), cas(2, null, "x", true, 2, 3), cas(3, null, "y", false, 2, 4), get(1, "x", 5, 6)));
        // an indeterminate write may have happened, late
        assertTrue(check(put(1, "a", 0, 1), new Op(2, "k", Kind.PUT, "b", null, 0, 2, 0, true, null), get(3, "a", 5, 6),
                get(3, "b", 7, 8)));
        // ... or never
        assertTrue(check(put(1, "a", 0, 1), new Op(2, "k", Kind.PUT, "b", null, 0, 2, 0, true, null), get(3, "a", 5, 6)));
    }

    @Test
    void historiesThatGoBackInTimeOrLoseUpdatesFail() {
        assertFalse(check(put(1, "a", 0, 1), put(1, "b", 2, 3), get(2, "a", 4, 5)), "a stale read after the write ended");
        assertFalse(check(put(1, "a", 0, 1), get(2, "b", 2, 3)), "a value nobody wrote");
        assertFalse(check(cas(1, null, "x", true, 0, 5), cas(2, null, "y", true, 0, 5)), "two winners of one put-if-absent");
        assertFalse(check(put(1, "a", 0, 10), get(2, "a", 1, 2), get(2, null, 3, 4)), "new then old again");
        List<Op> incr = List.of(new Op(1, "c", Kind.INCREMENT, null, null, 1, 0, 2, false, "1"),
                new Op(2, "c", Kind.INCREMENT, null, null, 1, 1, 3, false, "1"));
        assertFalse(Linearizability.linearizable(incr), "a lost increment");
        History h = new History();
        h.add(put(1, "a", 0, 1));
        h.add(put(1, "b", 2, 3));
        h.add(get(2, "a", 4, 5));
        h.add(get(2, "b", 6, 7));
        List<Linearizability.Result> failures = Linearizability.check(h);
        assertEquals(1, failures.size());
        assertEquals(3, failures.get(0).minimal().size(), "the smallest failing sub-history: " + failures.get(0));
    }

    /** Many clients on a correct register: each operation takes effect at a random instant inside its call. */
    @Test
    void randomHistoriesOfACorrectRegisterPass() {
        Random rnd = new Random(SEED);
        for (int run = 0; run < 30; run++) {
            History h = simulate(rnd, false, 4, 5, 400);
            List<Linearizability.Result> failures = Linearizability.check(h);
            assertTrue(failures.isEmpty(), "seed=" + SEED + " run=" + run + ": " + failures);
        }
    }

    /**
     * Two replicas with W = R = 1: a write reaches one replica and is copied to the other later, a
     * read asks one arbitrary replica. The checker must find the stale reads this allows.
     */
    @Test
    void historiesOfBrokenReplicationAreCaught() {
        Random rnd = new Random(SEED);
        int caught = 0;
        for (int run = 0; run < 10; run++) {
            if (!Linearizability.check(simulate(rnd, true, 4, 3, 300)).isEmpty()) {
                caught++;
            }
        }
        assertTrue(caught >= 8, "seed=" + SEED + ": caught " + caught + " of 10 broken histories");
    }

    @Test
    void tensOfThousandsOfOperationsCheckQuickly() {
        Random rnd = new Random(SEED);
        History h = simulate(rnd, false, 8, 200, 20_000);
        assertTrue(Linearizability.check(h).isEmpty(), "seed=" + SEED);
    }

    /**
     * Clients issue random operations on {@code keys} keys; each takes effect at one instant
     * inside [call, return] — on one register (correct), or, when {@code broken}, on replicas
     * that copy writes to each other only after a delay, with reads from either.
     */
    private static History simulate(Random rnd, boolean broken, int clients, int keys, int operations) {
        History h = new History();
        Map<String, String[]> replicas = new HashMap<>(); // key -> [replica 0, replica 1]
        Map<String, List<long[]>> pendingCopies = new HashMap<>();
        long[] free = new long[clients]; // each client calls again only after its last return
        List<Object[]> events = new ArrayList<>(); // {effectTime, Op builder}
        long time = 0;
        for (int i = 0; i < operations; i++) {
            int c = rnd.nextInt(clients);
            long call = Math.max(free[c], time) + rnd.nextInt(3);
            long effect = call + rnd.nextInt(5);
            long ret = effect + rnd.nextInt(5);
            free[c] = ret + 1;
            time = call;
            events.add(new Object[] {effect, c, "k" + rnd.nextInt(keys), rnd.nextInt(10), call, ret, i});
        }
        events.sort((a, b) -> Long.compare((long) a[0], (long) b[0]));
        for (Object[] e : events) {
            long effect = (long) e[0];
            int c = (int) e[1];
            String key = (String) e[2];
            int choice = (int) e[3];
            String[] reps = replicas.computeIfAbsent(key, k -> new String[2]);
            int replica = broken ? rnd.nextInt(2) : 0;
            if (broken) { // copies whose delay has passed arrive
                for (long[] copy : pendingCopies.getOrDefault(key, new ArrayList<>())) {
                    if (copy[0] <= effect) {
                        reps[(int) copy[1]] = reps[1 - (int) copy[1]];
                    }
                }
                pendingCopies.getOrDefault(key, new ArrayList<>()).removeIf(copy -> copy[0] <= effect);
            }
            String state = reps[replica];
            Op op;
            long call = (long) e[4];
            long ret = (long) e[5];
            String value = "v" + e[6];
            if (choice < 4) {
                op = new Op(c, key, Kind.GET, null, null, 0, call, ret, false, state);
            } else if (choice < 7) {
                reps[replica] = value;
                if (!broken) {
                    reps[1] = value;
                }
                op = new Op(c, key, Kind.PUT, value, null, 0, call, ret, false, null);
                pendingCopies.computeIfAbsent(key, k -> new ArrayList<>()).add(new long[] {effect + 20, 1 - replica});
            } else if (choice < 9) {
                String expected = rnd.nextBoolean() ? state : null;
                boolean matches = java.util.Objects.equals(state, expected);
                if (matches) {
                    reps[replica] = value;
                    if (!broken) {
                        reps[1] = value;
                    }
                }
                op = new Op(c, key, Kind.CAS, value, expected, 0, call, ret, false, Boolean.toString(matches));
            } else {
                op = new Op(c, key, Kind.DELETE, null, null, 0, call, ret, false, Boolean.toString(state != null));
                reps[replica] = null;
                if (!broken) {
                    reps[1] = null;
                }
            }
            h.add(op);
        }
        return h;
    }
}
