package dev.cairn.transport.replication;

import dev.cairn.api.ManualClock;
import dev.cairn.api.Store;
import dev.cairn.api.StoreContract;
import dev.cairn.api.StoreLimits;
import dev.cairn.storage.memory.MemoryNamespaces;
import dev.cairn.storage.memory.MemoryStoreOptions;
import dev.cairn.transport.membership.ClusterConfig;
import dev.cairn.transport.topology.TopologyService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    private static final List<AutoCloseable> CLUSTER = new ArrayList<>();
    private static ReplicaService entry;
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    @BeforeAll
    static void startCluster() throws Exception {
        String name = "contract-" + System.nanoTime();
        List<ReplicaService> services = new ArrayList<>();
        for (String m : List.of("a", "b", "c")) {
            TopologyService t = TopologyService.start(ClusterConfig.loopback(name, m, List.of("a", "b", "c")));
            MemoryNamespaces engine = new MemoryNamespaces(MemoryStoreOptions.defaults().withClock(CLOCK)
                    .withTombstoneGrace(Duration.ofDays(1)));
            ReplicaService s = new ReplicaService(t, engine, new ReplicationSettings(3, 2, 2, 5_000), CLOCK);
            services.add(s);
            CLUSTER.add(s);
            CLUSTER.add(t);
            CLUSTER.add(engine);
        }
        entry = services.get(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (services.stream().mapToInt(s -> s.serving().size()).sum() != entry.segments()
                || services.stream().anyMatch(s -> s.topology().current().members().size() != 3)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the cluster never served every segment");
            }
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (AutoCloseable c : CLUSTER) {
            c.close();
        }
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
