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
 * The {@link ClusterState} as a Raft state machine. Four commands, all idempotent:
 * <ul>
 *   <li>a compare-and-set of the members — "if the epoch is still E, the members are M" — so a
 *       proposal made on a stale topology (two leaders in turn reacting to the same view, a retry
 *       of a proposal already applied) changes nothing;</li>
 *   <li>"segments S are served in epoch E", which a new primary commits before it serves them
 *       (ignored once E is no longer current);</li>
 *   <li>"if the epoch is still E, prepare members M as the next topology" (staging);</li>
 *   <li>"member X has copied what it gains under staging M in epoch E".</li>
 * </ul>
 * Every member applies the same sequence of states. Raft decides the order of commands and only a
 * majority of the voting members can commit one: the two sides of a partition can never both
 * change the topology.
 */
public final class TopologyStateMachine implements StateMachine {
    private static final byte SET_MEMBERS = 1;
    private static final byte SERVED = 2;
    private static final byte STAGE = 3;
    private static final byte PREPARED = 4;

    private volatile ClusterState state;
    private final List<Consumer<Topology>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<ClusterState>> stagingListeners = new CopyOnWriteArrayList<>();

    public TopologyStateMachine(int segments) {
        this.state = ClusterState.initial(segments);
    }

    public Topology current() {
        return state.topology();
    }

    public ClusterState state() {
        return state;
    }

    /** Calls {@code listener} with every topology applied from now on (on the Raft apply thread). */
    public void onChange(Consumer<Topology> listener) {
        listeners.add(listener);
    }

    /** Calls {@code listener} with the state whenever what is staged (or who has prepared it) changes. */
    public void onStaging(Consumer<ClusterState> listener) {
        stagingListeners.add(listener);
    }

    /** The command: set {@code members} if the epoch is still {@code expectedEpoch}. */
    public static byte[] command(long expectedEpoch, List<String> members) {
        return membersCommand(SET_MEMBERS, expectedEpoch, members, null);
    }

    /** The command: prepare {@code members} as the next topology if the epoch is still {@code expectedEpoch}. */
    public static byte[] stageCommand(long expectedEpoch, List<String> members) {
        return membersCommand(STAGE, expectedEpoch, members, null);
    }

    /** The command: {@code member} has copied what it gains under staging {@code members} in {@code epoch}. */
    public static byte[] preparedCommand(long epoch, List<String> members, String member) {
        return membersCommand(PREPARED, epoch, members, member);
    }

    private static byte[] membersCommand(byte type, long epoch, List<String> members, String member) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(type);
            out.writeLong(epoch);
            new Topology(0, members).write(out);
            if (member != null) {
                out.writeUTF(member);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The command: {@code segments} are served in {@code epoch}. */
    public static byte[] servedCommand(long epoch, int[] segments) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(SERVED);
            out.writeLong(epoch);
            out.writeInt(segments.length);
            for (int s : segments) {
                out.writeInt(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Applies a committed command; answers the topology after it. */
    @Override
    public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) throws Exception {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, offset, length));
        ClusterState before = state;
        ClusterState after;
        byte type = in.readByte();
        if (type == SET_MEMBERS) {
            long expected = in.readLong();
            after = before.withMembers(expected, Topology.read(in).members());
        } else if (type == SERVED) {
            long epoch = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > before.segments()) {
                throw new IOException("a served mark of " + n + " segments");
            }
            int[] segments = new int[n];
            for (int i = 0; i < n; i++) {
                segments[i] = in.readInt();
            }
            after = before.withServed(epoch, segments);
        } else if (type == STAGE) {
            long expected = in.readLong();
            after = before.withStaged(expected, Topology.read(in).members());
        } else if (type == PREPARED) {
            long epoch = in.readLong();
            List<String> members = Topology.read(in).members();
            after = before.withPrepared(epoch, members, in.readUTF());
        } else {
            throw new IOException("unknown topology command " + type);
        }
        state = after;
        if (after.topology().epoch() != before.topology().epoch()) {
            listeners.forEach(l -> l.accept(after.topology()));
        }
        if (after != before && !after.staged().isEmpty()) {
            stagingListeners.forEach(l -> l.accept(after));
        }
        if (!serializeResponse) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(out)) {
            after.topology().write(d);
        }
        return out.toByteArray();
    }

    @Override
    public void readContentFrom(DataInput in) throws Exception {
        ClusterState s = ClusterState.read(in);
        state = s;
        listeners.forEach(l -> l.accept(s.topology()));
        if (!s.staged().isEmpty()) {
            stagingListeners.forEach(l -> l.accept(s));
        }
    }

    @Override
    public void writeContentTo(DataOutput out) throws Exception {
        state.write(out);
    }
}
