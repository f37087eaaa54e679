package dev.cairn.transport.membership;

import static dev.cairn.transport.TestCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.transport.placement.Placement;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jgroups.protocols.DISCARD;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real JGroups channels: members find each other, agree on the view and so on placement, notice a
 * graceful leave at once and a member that went silent within the failure-detection timeout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MembershipTest {
    private final List<ClusterMember> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(ClusterMember::close);
    }

    private ClusterMember join(ClusterConfig config) throws Exception {
        ClusterMember m = ClusterMember.join(config);
        opened.add(m);
        return m;
    }

    private static Set<String> set(List<String> l) {
        return new TreeSet<>(l);
    }

    @Test
    void loopbackMembersAgreeOnTheViewAndThePlacementAndSeeALeave() throws Exception {
        String cluster = "membership-" + System.nanoTime();
        ClusterMember a = join(ClusterConfig.loopback(cluster, "a", List.of("a", "b", "c")));
        ClusterMember b = join(ClusterConfig.loopback(cluster, "b", List.of("a", "b", "c")));
        ClusterMember c = join(ClusterConfig.loopback(cluster, "c", List.of("a", "b", "c")));
        await("three members in every view", () -> a.members().size() == 3 && b.members().size() == 3 && c.members().size() == 3);
        assertEquals(Set.of("a", "b", "c"), set(a.members()));
        assertEquals(a.members(), b.members());
        assertEquals(a.placement(Placement.DEFAULT_SEGMENTS, 2), c.placement(Placement.DEFAULT_SEGMENTS, 2));

        List<List<String>> seenByA = new java.util.concurrent.CopyOnWriteArrayList<>();
        a.onView(seenByA::add);
        opened.remove(b);
        b.close();
        await("b's leave seen", () -> set(a.members()).equals(Set.of("a", "c")) && set(c.members()).equals(Set.of("a", "c")));
        assertTrue(seenByA.stream().anyMatch(v -> set(v).equals(Set.of("a", "c"))), seenByA.toString());
        assertEquals(a.placement(Placement.DEFAULT_SEGMENTS, 2), c.placement(Placement.DEFAULT_SEGMENTS, 2));
    }

    @Test
    void aMemberThatGoesSilentIsExcludedByFailureDetection() throws Exception {
        String cluster = "silent-" + System.nanoTime();
        ClusterMember a = join(ClusterConfig.loopback(cluster, "a", List.of("a", "b", "c")));
        ClusterMember b = join(ClusterConfig.loopback(cluster, "b", List.of("a", "b", "c")));
        ClusterMember c = join(ClusterConfig.loopback(cluster, "c", List.of("a", "b", "c")));
        await("three members", () -> a.members().size() == 3 && c.members().size() == 3);
        // c stops hearing and being heard, as if its process hung or its link was cut
        DISCARD discard = new DISCARD().discardAll(true);
        c.channel().getProtocolStack().insertProtocol(discard, ProtocolStack.Position.ABOVE,
                c.channel().getProtocolStack().getTransport().getClass());
        await("c excluded by a and b", () -> set(a.members()).equals(Set.of("a", "b")) && set(b.members()).equals(Set.of("a", "b")));
    }

    @Test
    void tcpMembersOnLoopbackFindEachOtherFromTheStaticList() throws Exception {
        int[] ports = dev.cairn.api.FreePorts.loopback(3);
        List<String> list = List.of("127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1], "127.0.0.1:" + ports[2]);
        String cluster = "tcp-" + System.nanoTime();
        List<ClusterMember> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(join(ClusterConfig.tcp(cluster, "n" + i, "127.0.0.1", ports[i], list, List.of("n0", "n1", "n2"), null)));
        }
        await("a view of three over TCP", () -> members.stream().allMatch(m -> m.members().size() == 3));
        assertEquals(Set.of("n0", "n1", "n2"), set(members.get(2).members()));
        assertEquals(members.get(0).placement(256, 3), members.get(1).placement(256, 3));
    }

}
