package dev.cairn.transport.replication;

import static dev.cairn.api.ByteStrings.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.ReplicaRecord;
import dev.cairn.api.ReplicaStore;
import dev.cairn.api.StoreLimits;
import dev.cairn.transport.TestCluster;
import dev.cairn.transport.placement.Placement;
import dev.cairn.transport.placement.SegmentTable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An owner that missed writes and deletes (W of N acknowledged them while its messages were lost)
 * stays behind until something repairs it; the anti-entropy pass does, with no read involved:
 * afterwards every owner holds, for every key, the newest record, tombstones included.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AntiEntropyTest {
    private TestCluster cluster;

    @AfterEach
    void closeAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anOwnerThatMissedWritesAndDeletesIsRepairedWithoutAnyRead() throws Exception {
        cluster = TestCluster.start("anti-entropy-" + System.nanoTime(), new ReplicationSettings(3, 2, 2, 3_000),
                Clock.systemUTC());
        List<ReplicaService> members = cluster.members();
        ReplicaService a = members.get(0);
        ReplicaService c = members.get(2);
        for (ReplicaService m : members) {
            m.antiEntropyEvery(0); // only the passes this test runs
        }
        SegmentTable table = a.topology().current().table(a.segments(), 3);
        // keys whose primary is not c: their writes complete with a and b while c hears nothing
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; keys.size() < 30; i++) {
            byte[] k = utf8("user:" + i);
            if (!table.primary(Placement.segmentOf(k, a.segments())).equals("c")) {
                keys.add(k);
            }
        }
        ClusterStore store = new ClusterStore(a, "users", StoreLimits.DEFAULT, Clock.systemUTC());
        for (byte[] k : keys.subList(0, 20)) {
            store.put(k, utf8("old"));
        }
        TestCluster.await("every owner holds the first writes", () -> keys.subList(0, 20).stream()
                .allMatch(k -> members.stream().allMatch(m -> record(m, k).isPresent())));

        // lose everything c receives above the reliable layers (acknowledged there, so never resent)
        ProtocolStack stack = c.topology().member().channel().getProtocolStack();
        CountingDiscard discard = new CountingDiscard();
        discard.discardAll(true);
        stack.insertProtocol(discard, ProtocolStack.Position.ABOVE, UNICAST3.class);
        try {
            for (byte[] k : keys.subList(0, 10)) {
                store.delete(k);
            }
            for (byte[] k : keys.subList(10, 30)) {
                store.put(k, utf8("new"));
            }
            // a write returns at its W-th acknowledgement, when c's copy may still be on its way
            // up c's stack: keep dropping until all 30 records have reached the DISCARD
            TestCluster.await("c dropped the 30 writes", () -> discard.droppedRecords() >= 30);
        } finally {
            stack.removeProtocol(DISCARD.class);
        }
        TestCluster.await("a and b hold the deletes and the new writes", () -> keys.stream()
                .allMatch(k -> members.subList(0, 2).stream().allMatch(m -> record(a, k).equals(record(m, k)))));
        assertTrue(keys.stream().noneMatch(k -> record(a, k).equals(record(c, k))), "c missed every one of them");

        int repaired = 0;
        for (ReplicaService m : members) {
            repaired += m.repairReplicas();
        }
        assertTrue(repaired > 0, "the passes found the differing segments");
        for (byte[] k : keys) {
            ReplicaRecord newest = record(a, k).orElseThrow();
            assertEquals(Optional.of(newest), record(c, k), "c's record of " + new String(k));
        }
        assertTrue(record(c, keys.get(0)).orElseThrow().isTombstone(), "the missed delete reached c");
        assertEquals("new", new String(record(c, keys.get(29)).orElseThrow().value()));
        long counted = members.stream().mapToLong(m -> m.metrics().snapshot().antiEntropyRepairs()).sum();
        assertEquals(repaired, counted);

        int again = 0;
        for (ReplicaService m : members) {
            again += m.repairReplicas();
        }
        assertEquals(0, again, "nothing differs after a pass");
    }

    /**
     * A DISCARD that counts the replicated records it dropped on their way up. Only replication
     * frames count: the stack's own messages (STABLE, the topology's) pass here too, and counting
     * them would let the test stop dropping before c's copy of the last write arrived.
     */
    private static final class CountingDiscard extends DISCARD {
        private final java.util.concurrent.atomic.AtomicInteger droppedRecords = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        protected boolean shouldDropUpMessage(org.jgroups.Message msg, org.jgroups.Address sender) {
            boolean drop = super.shouldDropUpMessage(msg, sender);
            if (drop) {
                droppedRecords.addAndGet(replicatedRecords(msg));
            }
            return drop;
        }

        /** The number of records a REPLICATE frame carries; 0 for any other message. */
        private static int replicatedRecords(org.jgroups.Message msg) {
            if (!msg.hasArray() || msg.getLength() == 0 || msg.getArray()[msg.getOffset()] != ReplicaService.REPLICATE) {
                return 0;
            }
            try {
                Wire.In in = new Wire.In(msg.getArray(), msg.getOffset(), msg.getLength());
                in.b();
                in.l(); // epoch
                in.s(); // namespace
                return in.i();
            } catch (java.io.IOException e) {
                return 0;
            }
        }

        int droppedRecords() {
            return droppedRecords.get();
        }
    }

    /** Member {@code m}'s own record of {@code key}, read from its engine. */
    private Optional<ReplicaRecord> record(ReplicaService m, byte[] key) {
        return ((ReplicaStore) cluster.engine(cluster.members().indexOf(m)).namespace("users")).readRecord(key);
    }
}
