package dev.cairn.transport.replication;

import dev.cairn.api.ManualClock;
import dev.cairn.api.Store;
import dev.cairn.api.StoreContract;
import dev.cairn.api.StoreLimits;
import dev.cairn.transport.TestCluster;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The {@code api} contract suite against a 3-member cluster in one JVM (real JGroups channels on
 * the loopback stack, Raft topology, memory engines on every member), each store a fresh namespace
 * reached through member a. Time is the suite's {@link ManualClock}, which every member reads.
 */
class ClusterStoreContractTest extends StoreContract {
    /** The clock the members read: whichever ManualClock the current test uses. */
    private static final class TestClock extends Clock {
        volatile Clock target = Clock.systemUTC();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return target.instant();
        }

        @Override
        public long millis() {
            return target.millis();
        }
    }

    private static final TestClock CLOCK = new TestClock();
    private static TestCluster cluster;
    private static ReplicaService entry;
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = TestCluster.start("contract-" + System.nanoTime(), new ReplicationSettings(3, 2, 2, 5_000), CLOCK);
        entry = cluster.members().get(0);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Override
    protected Store openStore(ManualClock clock, StoreLimits limits) {
        CLOCK.target = clock;
        return new ClusterStore(entry, "ns" + NAMESPACES.incrementAndGet(), limits, CLOCK);
    }

    @Override
    protected int replicationFactor() {
        return 3;
    }

    /** Keys live in segments on different members: batches are atomic per key, scans per key. */
    @Override
    protected boolean readsAreSnapshots() {
        return false;
    }

    @Override
    protected boolean reportsChanges() {
        return false;
    }
}
