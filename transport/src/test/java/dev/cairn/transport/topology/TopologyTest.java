package dev.cairn.transport.topology;

import static dev.cairn.transport.TestCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.transport.membership.ClusterConfig;
import dev.cairn.transport.placement.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jgroups.protocols.DISCARD;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The topology is decided by Raft over real channels: every member converges on the same epoch
 * and members after a join or a leave, and a member cut off in a minority can change nothing while
 * the majority moves on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopologyTest {
    private static final List<String> VOTING = List.of("a", "b", "c");
    private final List<TopologyService> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(TopologyService::close);
    }

    private TopologyService start(String cluster, String name) throws Exception {
        TopologyService s = TopologyService.start(ClusterConfig.loopback(cluster, name, VOTING));
        opened.add(s);
        return s;
    }

    /** Starts a, b and c of a new cluster named after {@code prefix} and waits until all three agree on {a, b, c}. */
    private List<TopologyService> startThree(String prefix) throws Exception {
        String cluster = prefix + "-" + System.nanoTime();
        List<TopologyService> three = List.of(start(cluster, "a"), start(cluster, "b"), start(cluster, "c"));
        await("all three agree on {a, b, c}", () -> three.stream().allMatch(s -> s.current().members().equals(VOTING)));
        return three;
    }

    @Test
    void everyMemberConvergesOnOneTopologyThroughJoinsAndLeaves() throws Exception {
        List<TopologyService> three = startThree("topology");
        TopologyService a = three.get(0);
        TopologyService b = three.get(1);
        TopologyService c = three.get(2);
        Topology agreed = a.current();
        assertEquals(agreed, b.current());
        assertEquals(agreed, c.current());
        assertEquals(agreed.table(Placement.DEFAULT_SEGMENTS, 2), c.current().table(Placement.DEFAULT_SEGMENTS, 2));

        opened.remove(b);
        b.close();
        await("a and c agree on {a, c} at a later epoch", () -> a.current().members().equals(List.of("a", "c"))
                && c.current().equals(a.current()) && a.current().epoch() > agreed.epoch());
    }

    @Test
    void aMinorityCannotChangeTheTopologyWhileTheMajorityMovesOn() throws Exception {
        List<TopologyService> three = startThree("partition");
        TopologyService a = three.get(0);
        TopologyService b = three.get(1);
        TopologyService c = three.get(2);
        long before = a.current().epoch();
        // cut c off from everyone, as a partition would
        c.member().channel().getProtocolStack().insertProtocol(new DISCARD().discardAll(true), ProtocolStack.Position.ABOVE,
                c.member().channel().getProtocolStack().getTransport().getClass());
        await("the majority {a, b} moves on without c", () -> a.current().members().equals(List.of("a", "b"))
                && b.current().equals(a.current()));
        assertTrue(a.current().epoch() > before);
        assertEquals(before, c.current().epoch(), "the minority changed nothing");
        assertEquals(VOTING, c.current().members());
        assertThrows(Exception.class, () -> c.propose(List.of("c"), 2000), "a minority cannot commit a topology");
        assertEquals(VOTING, c.current().members());
        // a primary of the majority marks its segments served; the minority cannot
        long epoch = a.current().epoch();
        a.markServed(epoch, new int[] {0, 7}, 10_000);
        await("b learns the mark", () -> b.state().lastServed(7) == epoch);
        assertThrows(Exception.class, () -> c.markServed(c.current().epoch(), new int[] {1}, 2000));
        assertEquals(0, c.state().lastServed(1));
    }

    /**
     * A member that joins and finds the Raft leader dead within a second has none of the log; the
     * next leader must bring it up to date although it keeps proposing the topology change that
     * needs it (jgroups-raft resends to a lagging follower only when its queue has been idle for
     * a second, which a leader proposing twice a second never is).
     */
    @Test
    void aLateMemberCatchesUpWhenTheLeaderDiesRightAfterItJoined() throws Exception {
        String cluster = "late-" + System.nanoTime();
        TopologyService a = start(cluster, "a");
        TopologyService b = start(cluster, "b");
        await("a and b agree on {a, b}", () -> a.current().members().equals(List.of("a", "b")) && b.current().equals(a.current()));
        TopologyService c = start(cluster, "c");
        TopologyService leader = a.leads() ? a : b;
        TopologyService survivor = leader == a ? b : a;
        opened.remove(leader);
        leader.close();
        List<String> expected = new Topology(0, List.of(survivor.member().name(), "c")).members();
        await(() -> "c catches up and the survivor and c agree on " + expected + "; now survivor " + survivor.current()
                        + " " + survivor.describeRaft() + ", c " + c.current() + " " + c.describeRaft(),
                () -> survivor.current().members().equals(expected) && c.current().equals(survivor.current()));
    }

    /**
     * The state a lost "leader elected" message leaves behind: the members believe in a leader
     * that is not leading, and no election runs. A member without a leader must get one elected.
     */
    @Test
    void membersWhoseLeaderNeverTookOfficeElectAgain() throws Exception {
        List<TopologyService> three = startThree("leaderless");
        TopologyService a = three.get(0);
        TopologyService b = three.get(1);
        TopologyService c = three.get(2);
        TopologyService leader = three.stream().filter(TopologyService::leads).findFirst().orElseThrow();
        leader.member().channel().getProtocolStack().<org.jgroups.protocols.raft.RAFT>findProtocol(org.jgroups.protocols.raft.RAFT.class).setLeaderAndTerm(null);
        assertTrue(three.stream().noneMatch(TopologyService::leads), "nobody leads now");
        long epoch = a.current().epoch();
        await(() -> "a leader again, and a mark committed through it; now " + a.describeRaft() + " " + b.describeRaft()
                        + " " + c.describeRaft(),
                () -> {
                    if (three.stream().noneMatch(TopologyService::leads)) {
                        return false;
                    }
                    try {
                        a.markServed(epoch, new int[] {3}, 2000);
                        return true;
                    } catch (Exception e) {
                        return false;
                    }
                });
        await("every member learns the mark", () -> three.stream().allMatch(s -> s.state().lastServed(3) == epoch));
    }
}
