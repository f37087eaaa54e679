package dev.cairn.transport.placement;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Where keys live: a key hashes into one of a fixed number of segments, and each segment's owners
 * are members found on a consistent-hash ring with virtual nodes. Pure and deterministic: the same
 * members, segment count and owner count give the same table on every member, in any order of
 * input, with no I/O, clock or randomness.
 *
 * <h2>The ring</h2>
 * Each member has {@code virtualNodes} points on a 64-bit ring, at {@link KeyHash} of
 * {@code "<member>#<i>"}; segment {@code s} sits at the evenly spaced point {@code s * 2^64 / S}.
 * A segment's owners are the first distinct members clockwise from its point, primary first. A
 * member joining or leaving moves only the segments whose walk meets its points: about
 * {@code 1/members} of them.
 *
 * <h2>Bounded loads</h2>
 * With a few hundred segments, hashing alone leaves some members with noticeably more segments
 * than others. So, as in consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam),
 * a member that already holds {@code capacity} owner slots is passed over and the walk goes on:
 * {@code capacity} is {@value #LOAD_FACTOR} times the average, rounded down but never below the
 * average rounded up. Segments are placed in order, so the result stays deterministic; the cap
 * costs a little extra movement on membership changes in exchange for balance.
 */
public final class Placement {
    public static final int DEFAULT_SEGMENTS = 256;
    public static final int DEFAULT_VIRTUAL_NODES = 64;
    public static final double LOAD_FACTOR = 1.25;

    private Placement() {
    }

    /** The segment of {@code key} among {@code segments}. */
    public static int segmentOf(byte[] key, int segments) {
        return (int) Long.remainderUnsigned(KeyHash.hash64(key), segments);
    }

    /** {@link #compute(Collection, int, int, int)} with {@value #DEFAULT_VIRTUAL_NODES} virtual nodes per member. */
    public static SegmentTable compute(Collection<String> members, int segments, int owners) {
        return compute(members, segments, owners, DEFAULT_VIRTUAL_NODES);
    }

    /**
     * The owners of every segment: {@code min(owners, members)} distinct members each, primary
     * first. Members are named by stable identifiers (their addresses or configured names).
     */
    public static SegmentTable compute(Collection<String> members, int segments, int owners, int virtualNodes) {
        Objects.requireNonNull(members, "members");
        if (segments < 1 || owners < 1 || virtualNodes < 1) {
            throw new IllegalArgumentException("segments, owners and virtual nodes must be positive: " + segments
                    + ", " + owners + ", " + virtualNodes);
        }
        List<String> sorted = new ArrayList<>(new TreeSet<>(members));
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("no members to place segments on");
        }
        int copies = Math.min(owners, sorted.size());
        Ring ring = new Ring(sorted, virtualNodes);
        double average = (double) segments * copies / sorted.size();
        int capacity = Math.max((int) Math.ceil(average), (int) Math.floor(average * LOAD_FACTOR));
        int[] load = new int[sorted.size()];
        int[][] table = new int[segments][];
        long step = Long.divideUnsigned(-1L, segments); // 2^64 / segments, rounded down
        for (int s = 0; s < segments; s++) {
            table[s] = ring.walk(s * step, copies, load, capacity);
        }
        return new SegmentTable(sorted, table);
    }

    /** The points of every member, sorted; members by index into the sorted member list. */
    private static final class Ring {
        private final long[] points;
        private final int[] owners;

        Ring(List<String> members, int virtualNodes) {
            int n = members.size() * virtualNodes;
            long[][] pairs = new long[n][];
            int i = 0;
            for (int m = 0; m < members.size(); m++) {
                for (int v = 0; v < virtualNodes; v++) {
                    long point = KeyHash.hash64((members.get(m) + "#" + v).getBytes(StandardCharsets.UTF_8));
                    pairs[i++] = new long[] {point, m};
                }
            }
            // unsigned ring order; ties (vanishingly rare) broken by member index, so still deterministic
            Arrays.sort(pairs, (a, b) -> {
                int c = Long.compareUnsigned(a[0], b[0]);
                return c != 0 ? c : Long.compare(a[1], b[1]);
            });
            points = new long[n];
            owners = new int[n];
            for (int j = 0; j < n; j++) {
                points[j] = pairs[j][0];
                owners[j] = (int) pairs[j][1];
            }
        }

        /** The first {@code copies} distinct members clockwise from {@code from} with room; takes their slots. */
        int[] walk(long from, int copies, int[] load, int capacity) {
            int start = firstAtOrAfter(from);
            int[] chosen = new int[copies];
            int found = 0;
            // first pass honours the capacity; a second (only if members ran out of room) ignores it
            for (int pass = 0; pass < 2 && found < copies; pass++) {
                for (int k = 0; k < points.length && found < copies; k++) {
                    int m = owners[(start + k) % points.length];
                    if (contains(chosen, found, m) || (pass == 0 && load[m] >= capacity)) {
                        continue;
                    }
                    chosen[found++] = m;
                    load[m]++;
                }
            }
            return chosen;
        }

        private int firstAtOrAfter(long point) {
            int lo = 0;
            int hi = points.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(points[mid], point) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo == points.length ? 0 : lo;
        }

        private static boolean contains(int[] a, int n, int v) {
            for (int i = 0; i < n; i++) {
                if (a[i] == v) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Owner slots per member in {@code table}. */
    public static Map<String, Integer> loads(SegmentTable table) {
        Map<String, Integer> loads = new HashMap<>();
        for (String m : table.members()) {
            loads.put(m, 0);
        }
        for (int s = 0; s < table.segments(); s++) {
            for (String m : table.owners(s)) {
                loads.merge(m, 1, Integer::sum);
            }
        }
        return loads;
    }
}
