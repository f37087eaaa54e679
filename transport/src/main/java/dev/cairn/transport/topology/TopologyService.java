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
 * {@value #RETRY_MILLIS} ms until it is committed; a join or a graceful leave is staged first,
 * so that the members gaining segments copy them while the current owners serve. A member on
 * the minority side of a partition has no leader and changes nothing.
 *
 * <p>The voting members are Raft's configuration, which changes through Raft too: a member that
 * is not in it (one started with a member list that does not name it: a new member) asks the
 * leader to add it ({@code addServer}), and a member that leaves gracefully ({@link #leave}) asks
 * to be removed and waits until the others have taken its segments over. A member that crashes
 * stays a voter, absent from the view, until it comes back.
 */
public final class TopologyService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopologyService.class);
    static final long RETRY_MILLIS = 500;

    private final ClusterMember member;
    private final TopologyStateMachine state = new TopologyStateMachine(dev.cairn.transport.placement.Placement.DEFAULT_SEGMENTS);
    private final RaftHandle raft;
    private final ScheduledExecutorService timer;
    private volatile boolean leaving;
    private volatile boolean joined;

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
        s.state.onStaging(st -> s.timer.execute(s::propose)); // the last member prepared completes the staging at once
        s.timer.scheduleWithFixedDelay(s::propose, 0, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        s.timer.scheduleWithFixedDelay(s::joinVoters, JOIN_DELAY_MILLIS, JOIN_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        s.timer.scheduleWithFixedDelay(s::catchUpFollowers, CATCH_UP_MILLIS, CATCH_UP_MILLIS, TimeUnit.MILLISECONDS);
        member.handleTopologyRequests(s::handle);
        s.timer.scheduleWithFixedDelay(s::watchLeader, LEADERLESS_MILLIS, LEADERLESS_MILLIS / 3, TimeUnit.MILLISECONDS);
        return s;
    }

    /** How long a member waits to appear in the topology before it asks to be added to the voters, and between asks. */
    static final long JOIN_DELAY_MILLIS = 500;

    private org.jgroups.protocols.raft.RAFT raftProtocol() {
        return member.channel().getProtocolStack().findProtocol(org.jgroups.protocols.raft.RAFT.class);
    }

    private org.jgroups.protocols.raft.REDIRECT redirect() {
        return member.channel().getProtocolStack().findProtocol(org.jgroups.protocols.raft.REDIRECT.class);
    }

    /** This member's Raft state in a line (role, leader, term, commit and last index, voters), for diagnostics. */
    public String describeRaft() {
        org.jgroups.protocols.raft.RAFT r = raftProtocol();
        return "raft{role=" + (r.isLeader() ? "leader" : "follower") + " leader=" + r.leader() + " term=" + r.currentTerm()
                + " commit=" + r.commitIndex() + " last=" + r.lastAppended() + " voters=" + r.members() + "}";
    }

    /** Whether this member is the Raft leader now. */
    public boolean leads() {
        return raft.isLeader();
    }

    /** The current Raft configuration: the members that vote on the topology. */
    public List<String> voters() {
        return List.copyOf(raftProtocol().members());
    }

    /**
     * A member missing from the agreed topology that is not a voter asks the leader to add it: a
     * new member (not among the configured voters), or one that left gracefully and came back
     * (its Raft log, caught up, no longer lists it).
     */
    private void joinVoters() {
        try {
            Topology t = state.current();
            if (leaving || joined || t.epoch() == 0 || t.members().contains(member.name()) || member.members().size() < 2) {
                return;
            }
            if (!member.config().joining() && voters().contains(member.name())) {
                return; // a voter, absent from the topology only until the leader sees it in the view
            }
            redirect().addServer(member.name()).whenComplete((r, e) -> {
                if (e != null) {
                    log.debug("{}: asking to join the voters: {}", member.name(), e.toString());
                } else {
                    joined = true;
                    log.info("{}: added to the voting members", member.name());
                }
            });
        } catch (Exception e) {
            log.debug("{}: cannot ask to join the voters yet: {}", member.name(), e.toString());
        }
    }

    /**
     * Leaves gracefully: asks Raft to remove this member from the voters, then waits until a
     * topology without it is agreed and every segment has been taken over in it (the new
     * primaries fence and pull from this member meanwhile, so nothing it holds is lost). Returns
     * false when that did not happen within {@code timeoutMillis}; the caller closes anyway.
     */
    public boolean leave(long timeoutMillis) {
        if (closed) {
            return false; // stopped already (its storage failed): nothing to hand over through a closed channel
        }
        leaving = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        if (state.current().members().size() < 2 || member.members().size() < 2) {
            return true; // the last member: nobody to hand over to
        }
        while (System.nanoTime() < deadline) {
            try {
                if (voters().contains(member.name())) {
                    redirect().removeServer(member.name()).get(Math.max(1, remaining(deadline)), TimeUnit.MILLISECONDS);
                }
            } catch (Exception e) {
                log.debug("{}: removal from the voters not committed yet: {}", member.name(), e.toString());
            }
            ClusterState st = state.state();
            if (!st.topology().members().contains(member.name()) && st.topology().epoch() > 0) {
                boolean all = true;
                for (int s = 0; s < st.segments(); s++) {
                    all &= st.lastServed(s) == st.topology().epoch();
                }
                if (all) {
                    return true;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static long remaining(long deadlineNanos) {
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
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

    /**
     * How long the leader waits for the staged members to copy what they gain before it changes
     * the topology anyway (their takeovers then copy what is left, with the segments waiting).
     */
    static final long STAGING_TIMEOUT_MILLIS = 120_000;

    private List<String> stagedSeen = List.of(); // leader only: the staging it is waiting on
    private long stagedSinceNanos;

    /**
     * Proposes the view's voting members as the topology, if this member leads and they differ.
     * When every member of the topology is alive (a join, or a graceful leave), the change is
     * staged first: the current primaries keep serving while the members that will gain segments
     * copy them, and the topology changes once they all have (or after
     * {@value #STAGING_TIMEOUT_MILLIS} ms). When a member of the topology is gone (a crash), its
     * segments have no one serving them: the topology changes at once.
     */
    private void propose() {
        try {
            if (!raft.isLeader()) {
                return;
            }
            if (!proposal.isDone() && System.nanoTime() - proposedAtNanos < TimeUnit.MILLISECONDS.toNanos(PROPOSAL_PATIENCE_MILLIS)) {
                return; // one proposal at a time: repeats would only pile up in the log uncommitted
            }
            List<String> voting = voters();
            List<String> view = member.members();
            List<String> live = new ArrayList<>();
            for (String m : view) {
                if (voting.contains(m)) {
                    live.add(m);
                }
            }
            ClusterState st = state.state();
            Topology t = st.topology();
            List<String> next = new Topology(0, live).members();
            if (live.isEmpty() || next.equals(t.members())) {
                return;
            }
            byte[] cmd;
            if (t.epoch() == 0 || !view.containsAll(t.members())) {
                cmd = TopologyStateMachine.command(t.epoch(), live);
            } else if (!st.staged().equals(next)) {
                cmd = TopologyStateMachine.stageCommand(t.epoch(), live);
            } else {
                if (!stagedSeen.equals(next)) {
                    stagedSeen = next;
                    stagedSinceNanos = System.nanoTime();
                }
                boolean waitedEnough = System.nanoTime() - stagedSinceNanos > TimeUnit.MILLISECONDS.toNanos(STAGING_TIMEOUT_MILLIS);
                if (!st.stagingComplete() && !waitedEnough) {
                    return;
                }
                if (!st.stagingComplete()) {
                    log.warn("{}: staged members {} have not copied their segments in {} ms; changing the topology anyway",
                            member.name(), next, STAGING_TIMEOUT_MILLIS);
                }
                cmd = TopologyStateMachine.command(t.epoch(), live);
            }
            proposedAtNanos = System.nanoTime();
            proposal = raft.setAsync(cmd, 0, cmd.length);
            proposal.whenComplete((r, e) -> {
                if (e != null) {
                    log.debug("{}: topology proposal not committed (retrying): {}", member.name(), e.toString());
                }
            });
        } catch (Exception e) {
            log.debug("{}: topology proposal failed (retrying): {}", member.name(), e.toString());
        }
    }

    /**
     * How long the leader waits for its last proposal to commit (or fail, as it does when the
     * leadership changes) before it proposes again.
     */
    static final long PROPOSAL_PATIENCE_MILLIS = 5_000;

    private java.util.concurrent.CompletableFuture<byte[]> proposal = java.util.concurrent.CompletableFuture.completedFuture(null);
    private long proposedAtNanos; // both touched on the timer thread only

    /** How long a member waits without a leader, with a majority of the voters in its view, before it calls an election. */
    static final long LEADERLESS_MILLIS = 3_000;
    private static final byte ELECT = 1;

    private long leaderlessSinceNanos = -1; // timer thread only
    private volatile long electionCalledNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(LEADERLESS_MILLIS);

    /**
     * Calls an election when this member has had no leader for {@value #LEADERLESS_MILLIS} ms
     * although a majority of the voters is in its view. jgroups-raft elects on view changes only,
     * run by the view's coordinator, and a member drops the coordinator's "leader elected" when
     * it arrives before the view that makes it possible (two sides merging: the coordinator of
     * the merged view elects a member that still sees itself alone). The coordinator then
     * believes in a leader that never took office, nobody votes again, and nothing commits. Only
     * the coordinator can start a vote, so a member that is not it asks it to; a vote is always
     * safe in Raft (a new term; a leader still in office steps down or is elected again).
     */
    private void watchLeader() {
        try {
            org.jgroups.protocols.raft.RAFT r = raftProtocol();
            List<String> view = member.members();
            long present = voters().stream().filter(view::contains).count();
            org.jgroups.Address leader = r.leader();
            org.jgroups.View v = member.channel().getView();
            boolean leaderless = !closed && present >= r.majority() && (leader == null || v == null || !v.containsMember(leader));
            if (!leaderless) {
                leaderlessSinceNanos = -1;
                return;
            }
            long now = System.nanoTime();
            if (leaderlessSinceNanos < 0) {
                leaderlessSinceNanos = now;
                return;
            }
            if (now - leaderlessSinceNanos < TimeUnit.MILLISECONDS.toNanos(LEADERLESS_MILLIS)) {
                return;
            }
            leaderlessSinceNanos = now; // ask again if this one does not help
            String coordinator = view.isEmpty() ? null : view.get(0);
            log.info("{}: no Raft leader for {} ms with {} of the voters present; asking {} to call an election",
                    member.name(), LEADERLESS_MILLIS, present, coordinator);
            if (member.name().equals(coordinator)) {
                callElection();
            } else if (coordinator != null && member.addressOf(coordinator) != null) {
                member.dispatcher().sendMessage(new org.jgroups.BytesMessage(member.addressOf(coordinator),
                        new byte[] {dev.cairn.transport.membership.ClusterMember.TOPOLOGY_REQUEST, ELECT}),
                        org.jgroups.blocks.RequestOptions.ASYNC());
            }
        } catch (Exception e) {
            log.debug("{}: cannot check for a Raft leader: {}", member.name(), e.toString());
        }
    }

    private Object handle(org.jgroups.Message msg) {
        byte[] body = msg.getArray();
        if (msg.getLength() == 2 && body[msg.getOffset() + 1] == ELECT) {
            callElection();
        }
        return null;
    }

    /** On the view's coordinator: starts a vote, at most once per {@value #LEADERLESS_MILLIS} ms however many ask. */
    private synchronized void callElection() {
        long now = System.nanoTime();
        if (now - electionCalledNanos < TimeUnit.MILLISECONDS.toNanos(LEADERLESS_MILLIS)) {
            return;
        }
        electionCalledNanos = now;
        org.jgroups.protocols.raft.election.BaseElection election =
                member.channel().getProtocolStack().findProtocol(org.jgroups.protocols.raft.election.BaseElection.class);
        if (election != null && election.runVotingThread()) {
            log.info("{}: called a Raft election (a member had no leader)", member.name());
        }
    }

    /** How often the leader checks for followers that lag behind its log. */
    static final long CATCH_UP_MILLIS = 1_000;

    private final java.util.Map<org.jgroups.Address, Long> matchedBefore = new java.util.HashMap<>(); // timer thread only

    /**
     * On the leader: sends the missing entries to every follower whose log ends before the
     * leader's and has not grown since the last check (a member that joined, or came back, while
     * a leader it had never heard from died). jgroups-raft resends to lagging followers only after
     * its request queue has been idle for its resend interval, which a leader handling requests
     * more often than that never is; such a follower stays behind and, once its vote is needed for
     * a majority, nothing commits again. A follower whose log grows is left to RAFT.
     */
    private void catchUpFollowers() {
        try {
            org.jgroups.protocols.raft.RAFT r = raftProtocol();
            org.jgroups.raft.util.CommitTable table = r.commitTable();
            if (!r.isLeader() || table == null) {
                matchedBefore.clear();
                return;
            }
            long last = r.lastAppended();
            matchedBefore.keySet().retainAll(table.keys());
            table.forEach((follower, entry) -> {
                long matched = entry.matchIndex();
                Long before = matchedBefore.put(follower, matched);
                if (matched < last && before != null && before == matched) {
                    log.debug("{}: follower {} is stuck behind the log's end {} ({}); resending", member.name(), follower, last, entry);
                    r.flushCommitTable(follower);
                }
            });
        } catch (Exception e) {
            log.debug("{}: cannot bring followers up to date: {}", member.name(), e.toString());
        }
    }

    /**
     * Commits "this member has copied what it gains under staging {@code staged} in {@code epoch}"
     * through Raft, waiting up to {@code timeoutMillis}.
     */
    public void markPrepared(long epoch, List<String> staged, long timeoutMillis) throws Exception {
        byte[] cmd = TopologyStateMachine.preparedCommand(epoch, staged, member.name());
        raft.set(cmd, 0, cmd.length, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Calls {@code listener} (on the Raft apply thread) whenever a staging begins or a staged member has prepared. */
    public void onStaging(Consumer<ClusterState> listener) {
        state.onStaging(listener);
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

    private volatile boolean closed;

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        boolean removed = leaving && !voters().contains(member.name());
        org.jgroups.protocols.raft.Log log = raftProtocol().log();
        member.close();
        if (removed && log != null) {
            // no longer a voter: the log is of no use, and a Raft log that does not list this member
            // would refuse it at its next start (it joins afresh instead)
            try {
                log.delete();
            } catch (Exception e) {
                TopologyService.log.warn("{}: cannot delete the Raft log of a member that left: {}", member.name(), e.toString());
            }
        }
    }
}
