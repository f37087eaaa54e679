package dev.cairn.transport.topology;

import dev.cairn.transport.membership.ClusterConfig;
import dev.cairn.transport.membership.ClusterMember;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jgroups.raft.RaftHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the topology agreed: this member's side of the Raft group. Whichever member is the Raft
 * leader proposes a new topology when the JGroups view's voting members differ from the
 * topology's (a join, a leave, a crash detected by the failure detectors), and again every
 * {@value #RETRY_MILLIS} ms until it is committed. A member on the minority side of a partition
 * has no leader and changes nothing.
 */
public final class TopologyService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopologyService.class);
    static final long RETRY_MILLIS = 500;

    private final ClusterMember member;
    private final TopologyStateMachine state = new TopologyStateMachine(dev.cairn.transport.placement.Placement.DEFAULT_SEGMENTS);
    private final RaftHandle raft;
    private final ScheduledExecutorService timer;

    private TopologyService(ClusterMember member) {
        this.member = member;
        this.raft = new RaftHandle(member.channel(), state);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cairn-topology-" + member.name());
            t.setDaemon(true);
            return t;
        });
    }

    /** Joins the cluster with Raft attached from the start; the topology follows the views from then on. */
    public static TopologyService start(ClusterConfig config) throws Exception {
        TopologyService[] service = new TopologyService[1];
        ClusterMember member = ClusterMember.join(config, m -> service[0] = new TopologyService(m));
        TopologyService s = service[0];
        member.onView(v -> s.timer.execute(s::propose));
        s.timer.scheduleWithFixedDelay(s::propose, 0, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        return s;
    }

    public Topology current() {
        return state.current();
    }

    /** The whole agreed state: topology, last served epoch per segment. */
    public ClusterState state() {
        return state.state();
    }

    /**
     * Commits "{@code segments} are served in {@code epoch}" through Raft, waiting up to
     * {@code timeoutMillis}; a primary serves them only once this returns. Fails without a majority.
     */
    public void markServed(long epoch, int[] segments, long timeoutMillis) throws Exception {
        byte[] cmd = TopologyStateMachine.servedCommand(epoch, segments);
        raft.set(cmd, 0, cmd.length, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    public void onChange(Consumer<Topology> listener) {
        state.onChange(listener);
    }

    public ClusterMember member() {
        return member;
    }

    public boolean isLeader() {
        return raft.isLeader();
    }

    /** Proposes the view's voting members as the topology, if this member leads and they differ. */
    private void propose() {
        try {
            if (!raft.isLeader()) {
                return;
            }
            List<String> voting = member.config().votingMembers();
            List<String> live = new ArrayList<>();
            for (String m : member.members()) {
                if (voting.contains(m)) {
                    live.add(m);
                }
            }
            Topology t = state.current();
            if (live.isEmpty() || new Topology(0, live).members().equals(t.members())) {
                return;
            }
            byte[] cmd = TopologyStateMachine.command(t.epoch(), live);
            raft.setAsync(cmd, 0, cmd.length).whenComplete((r, e) -> {
                if (e != null) {
                    log.debug("{}: topology proposal not committed (retrying): {}", member.name(), e.toString());
                }
            });
        } catch (Exception e) {
            log.debug("{}: topology proposal failed (retrying): {}", member.name(), e.toString());
        }
    }

    /**
     * Proposes {@code members} as the topology through Raft and waits up to {@code timeoutMillis}
     * for the commit; returns the topology after it. Fails when no majority can commit it.
     */
    public Topology propose(List<String> members, long timeoutMillis) throws Exception {
        byte[] cmd = TopologyStateMachine.command(state.current().epoch(), members);
        byte[] after = raft.set(cmd, 0, cmd.length, timeoutMillis, TimeUnit.MILLISECONDS);
        return Topology.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(after)));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        member.close();
    }
}
