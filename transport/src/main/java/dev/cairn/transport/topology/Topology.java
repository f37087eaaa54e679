package dev.cairn.transport.topology;

import dev.cairn.transport.placement.Placement;
import dev.cairn.transport.placement.SegmentTable;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The cluster's agreed shape: an epoch and the members that own data in it. The epoch grows by one
 * with every change; segment owners follow from the members alone ({@link Placement}), so every
 * member holding the same topology places every key the same way. Versions a primary assigns carry
 * the epoch, so writes of a later epoch order after every write of an earlier one.
 *
 * <p>Immutable and pure; {@link #write}/{@link #read} are its stable binary form (the Raft log
 * entry and snapshot), with no Java serialization.
 */
public record Topology(long epoch, List<String> members) {
    /** Before the first agreement: no members, epoch 0. */
    public static final Topology EMPTY = new Topology(0, List.of());

    private static final int MAX_MEMBERS = 10_000;

    public Topology {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0: " + epoch);
        }
        members = List.copyOf(new TreeSet<>(members)); // sorted, distinct: one form for one set
    }

    /** The next topology: {@code members} at the next epoch. */
    public Topology next(List<String> members) {
        return new Topology(epoch + 1, members);
    }

    public SegmentTable table(int segments, int owners) {
        return Placement.compute(members, segments, owners);
    }

    public void write(DataOutput out) throws IOException {
        out.writeLong(epoch);
        out.writeInt(members.size());
        for (String m : members) {
            out.writeUTF(m);
        }
    }

    public static Topology read(DataInput in) throws IOException {
        long epoch = in.readLong();
        int n = in.readInt();
        if (n < 0 || n > MAX_MEMBERS) {
            throw new IOException("a topology of " + n + " members");
        }
        List<String> members = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            members.add(in.readUTF());
        }
        return new Topology(epoch, members);
    }
}
