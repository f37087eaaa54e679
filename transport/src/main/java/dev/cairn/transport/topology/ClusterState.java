package dev.cairn.transport.topology;

import dev.cairn.transport.placement.Placement;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the cluster agrees on by Raft: the {@link Topology}, and for every segment the last
 * epoch in which a primary finished taking it over and began serving it, with the members of each
 * epoch still referenced. A new primary fences and pulls from the owners of the segment's last
 * served epoch ({@code PROTOCOL.md}); since serving begins only once the mark is committed, a
 * segment with no mark for an epoch was never served in it, so no write was acknowledged there.
 *
 * <p>It also holds the next topology being prepared, if any: the <em>staged</em> members (a join
 * or a graceful leave, while every member of the topology is alive), and which of them have
 * copied the segments they will gain. The topology stays as it is meanwhile, its primaries
 * serving; writes also reach the staged owners. Staging is only a head start for the takeover
 * that follows the change, which runs in full: it decides nothing about safety.
 *
 * <p>Immutable and pure: each change returns a new state; {@link #write}/{@link #read} are its
 * binary form in the Raft snapshot.
 */
public final class ClusterState {
    private final Topology topology;
    private final long[] lastServed;
    private final TreeMap<Long, List<String>> history; // epoch -> members, for every epoch in lastServed
    private final List<String> staged; // the next members being prepared in this epoch; empty: none
    private final java.util.SortedSet<String> prepared; // those of staged that have copied what they gain

    private ClusterState(Topology topology, long[] lastServed, TreeMap<Long, List<String>> history) {
        this(topology, lastServed, history, List.of(), java.util.Collections.emptySortedSet());
    }

    private ClusterState(Topology topology, long[] lastServed, TreeMap<Long, List<String>> history, List<String> staged,
                         java.util.SortedSet<String> prepared) {
        this.topology = topology;
        this.lastServed = lastServed;
        this.history = history;
        this.staged = staged;
        this.prepared = prepared;
    }

    /** A cluster that has agreed on nothing yet, with {@code segments} segments. */
    public static ClusterState initial(int segments) {
        if (segments < 1) {
            throw new IllegalArgumentException("segments must be positive: " + segments);
        }
        return new ClusterState(Topology.EMPTY, new long[segments], new TreeMap<>());
    }

    public Topology topology() {
        return topology;
    }

    public int segments() {
        return lastServed.length;
    }

    /** The last epoch in which {@code segment} was served (0: never). */
    public long lastServed(int segment) {
        return lastServed[segment];
    }

    /** The members of {@code epoch}, if this state still remembers it. */
    public List<String> membersOf(long epoch) {
        return epoch == topology.epoch() ? topology.members() : history.get(epoch);
    }

    /** "If the epoch is still {@code expectedEpoch}, the members are {@code members}": the next epoch, or this state. */
    public ClusterState withMembers(long expectedEpoch, List<String> members) {
        Topology proposed = new Topology(0, members);
        if (expectedEpoch != topology.epoch() || proposed.members().equals(topology.members()) || members.isEmpty()) {
            return this;
        }
        TreeMap<Long, List<String>> h = new TreeMap<>(history);
        if (topology.epoch() > 0) {
            h.put(topology.epoch(), topology.members());
        }
        return new ClusterState(topology.next(members), lastServed, prune(h, lastServed, topology.epoch() + 1));
    }

    /** The members staged as the next topology (empty: none), in the topology's form (sorted, distinct). */
    public List<String> staged() {
        return staged;
    }

    /** Whether {@code member}, one of the staged members, has copied the segments it gains. */
    public boolean prepared(String member) {
        return prepared.contains(member);
    }

    /** Whether every staged member has copied what it gains: the staged members may become the topology. */
    public boolean stagingComplete() {
        return !staged.isEmpty() && prepared.containsAll(staged);
    }

    /**
     * "If the epoch is still {@code expectedEpoch}, prepare {@code members} as the next topology":
     * replaces any staging under way (its preparations are forgotten); this state when stale, when
     * the members are the topology's already or when they are staged already.
     */
    public ClusterState withStaged(long expectedEpoch, List<String> members) {
        List<String> next = new Topology(0, members).members();
        if (expectedEpoch != topology.epoch() || topology.epoch() == 0 || next.isEmpty()
                || next.equals(topology.members()) || next.equals(staged)) {
            return this;
        }
        return new ClusterState(topology, lastServed, history, next, java.util.Collections.emptySortedSet());
    }

    /** "{@code member} has copied what it gains under staging {@code members} in {@code epoch}"; stale marks change nothing. */
    public ClusterState withPrepared(long epoch, List<String> members, String member) {
        if (epoch != topology.epoch() || staged.isEmpty() || !new Topology(0, members).members().equals(staged)
                || !staged.contains(member) || prepared.contains(member)) {
            return this;
        }
        java.util.TreeSet<String> p = new java.util.TreeSet<>(prepared);
        p.add(member);
        return new ClusterState(topology, lastServed, history, staged, java.util.Collections.unmodifiableSortedSet(p));
    }

    /** {@code segments} are served in {@code epoch}; a mark for an epoch that is no longer current changes nothing. */
    public ClusterState withServed(long epoch, int[] segments) {
        if (epoch != topology.epoch()) {
            return this;
        }
        long[] served = lastServed.clone();
        boolean changed = false;
        for (int s : segments) {
            if (s >= 0 && s < served.length && served[s] < epoch) {
                served[s] = epoch;
                changed = true;
            }
        }
        return changed ? new ClusterState(topology, served, prune(history, served, topology.epoch()), staged, prepared) : this;
    }

    /** History keeps the epochs some segment was last served in, besides the current one. */
    private static TreeMap<Long, List<String>> prune(Map<Long, List<String>> history, long[] served, long current) {
        TreeMap<Long, List<String>> kept = new TreeMap<>();
        for (long e : served) {
            if (e > 0 && e != current && history.containsKey(e)) {
                kept.put(e, history.get(e));
            }
        }
        return kept;
    }

    /**
     * The owners of {@code segment} (N = {@code owners}) in its last served epoch, which a new
     * primary must fence and pull from; empty when it was never served.
     */
    public List<String> previousOwners(int segment, int owners) {
        long e = lastServed[segment];
        List<String> members = e == 0 ? null : membersOf(e);
        if (members == null || members.isEmpty()) {
            return List.of();
        }
        return Placement.compute(members, lastServed.length, owners).owners(segment);
    }

    /**
     * How many of the previous owners a new primary must fence before it serves: enough that
     * every write quorum and every read quorum of the old epoch includes a fenced owner.
     */
    public static int fenceQuorum(int owners, int w, int r) {
        return Math.max(owners - w + 1, owners - r + 1);
    }

    public void write(DataOutput out) throws IOException {
        topology.write(out);
        out.writeInt(lastServed.length);
        for (long e : lastServed) {
            out.writeLong(e);
        }
        out.writeInt(history.size());
        for (Map.Entry<Long, List<String>> h : history.entrySet()) {
            new Topology(h.getKey(), h.getValue()).write(out);
        }
        new Topology(0, staged).write(out);
        new Topology(0, List.copyOf(prepared)).write(out);
    }

    public static ClusterState read(DataInput in) throws IOException {
        Topology t = Topology.read(in);
        int segments = in.readInt();
        if (segments < 1 || segments > 1 << 20) {
            throw new IOException("a state of " + segments + " segments");
        }
        long[] served = new long[segments];
        for (int i = 0; i < segments; i++) {
            served[i] = in.readLong();
        }
        int n = in.readInt();
        if (n < 0 || n > segments + 1) {
            throw new IOException("a history of " + n + " epochs");
        }
        TreeMap<Long, List<String>> history = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            Topology h = Topology.read(in);
            history.put(h.epoch(), h.members());
        }
        List<String> staged = Topology.read(in).members();
        java.util.TreeSet<String> prepared = new java.util.TreeSet<>(Topology.read(in).members());
        if (!staged.containsAll(prepared)) {
            throw new IOException("prepared members " + prepared + " not among the staged " + staged);
        }
        return new ClusterState(t, served, history, staged, java.util.Collections.unmodifiableSortedSet(prepared));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterState c && c.topology.equals(topology) && Arrays.equals(c.lastServed, lastServed)
                && c.history.equals(history) && c.staged.equals(staged) && c.prepared.equals(prepared);
    }

    @Override
    public int hashCode() {
        return topology.hashCode() * 31 + Arrays.hashCode(lastServed);
    }

    @Override
    public String toString() {
        return "ClusterState{" + topology + ", history=" + history.keySet()
                + (staged.isEmpty() ? "" : ", staged=" + staged + ", prepared=" + prepared) + "}";
    }
}
