package dev.cairn.transport.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jgroups.raft.StateMachine;

/**
 * The topology as a Raft state machine. The one command is a compare-and-set: "if the epoch is
 * still E, the members are M" — so a proposal made on a stale topology (two leaders in turn
 * reacting to the same view, a retry of a proposal already applied) changes nothing, and every
 * member applies the same sequence of topologies. Raft decides the order of commands and only a
 * majority of the voting members can commit one: the two sides of a partition can never both
 * change the topology.
 */
public final class TopologyStateMachine implements StateMachine {
    private volatile Topology current = Topology.EMPTY;
    private final List<Consumer<Topology>> listeners = new CopyOnWriteArrayList<>();

    public Topology current() {
        return current;
    }

    /** Calls {@code listener} with every topology applied from now on (on the Raft apply thread). */
    public void onChange(Consumer<Topology> listener) {
        listeners.add(listener);
    }

    /** The command: set {@code members} if the epoch is still {@code expectedEpoch}. */
    public static byte[] command(long expectedEpoch, List<String> members) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(expectedEpoch);
            new Topology(0, members).write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Applies a committed command; answers the topology after it. */
    @Override
    public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) throws Exception {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, offset, length));
        long expected = in.readLong();
        Topology proposed = Topology.read(in);
        Topology before = current;
        if (expected == before.epoch() && !proposed.members().equals(before.members())) {
            Topology after = before.next(proposed.members());
            current = after;
            listeners.forEach(l -> l.accept(after));
        }
        if (!serializeResponse) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(out)) {
            current.write(d);
        }
        return out.toByteArray();
    }

    @Override
    public void readContentFrom(DataInput in) throws Exception {
        Topology t = Topology.read(in);
        current = t;
        listeners.forEach(l -> l.accept(t));
    }

    @Override
    public void writeContentTo(DataOutput out) throws Exception {
        current.write(out);
    }
}
