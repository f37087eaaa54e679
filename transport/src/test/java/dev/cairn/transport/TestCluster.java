package dev.cairn.transport;

import dev.cairn.storage.memory.MemoryNamespaces;
import dev.cairn.storage.memory.MemoryStoreOptions;
import dev.cairn.transport.membership.ClusterConfig;
import dev.cairn.transport.replication.ReplicaService;
import dev.cairn.transport.replication.ReplicationSettings;
import dev.cairn.transport.topology.TopologyService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the transport tests share: a bounded wait for the cluster to reach a state, and members a,
 * b, c in one JVM (loopback stack, Raft topology, memory engines) started and closed together.
 */
public final class TestCluster implements AutoCloseable {
    public static final List<String> VOTING = List.of("a", "b", "c");

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<ReplicaService> services = new ArrayList<>();

    private TestCluster() {
    }

    /** Waits (at most 90 s) for {@code condition}; fails naming {@code what} if it never holds. */
    public static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never happened: " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Starts a, b and c with {@code settings}, reading {@code clock}, and waits until every segment is served. */
    public static TestCluster start(String name, ReplicationSettings settings, Clock clock) throws Exception {
        TestCluster c = new TestCluster();
        try {
            for (String m : VOTING) {
                TopologyService t = TopologyService.start(ClusterConfig.loopback(name, m, VOTING));
                MemoryNamespaces engine = new MemoryNamespaces(MemoryStoreOptions.defaults().withClock(clock)
                        .withTombstoneGrace(Duration.ofHours(1)));
                ReplicaService s = new ReplicaService(t, engine, settings, clock);
                c.open.add(engine);
                c.open.add(t);
                c.open.add(s);
                c.services.add(s);
            }
            awaitServing(c.services);
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Waits until the members of {@code live} see each other and serve every segment between them. */
    public static void awaitServing(List<ReplicaService> live) throws InterruptedException {
        await("every segment served by its primary, all members at one epoch", () -> {
            int served = 0;
            long epoch = live.get(0).topology().current().epoch();
            for (ReplicaService s : live) {
                if (s.topology().current().members().size() != live.size() || s.topology().current().epoch() != epoch) {
                    return false;
                }
                served += s.serving().size();
            }
            return served == live.get(0).segments();
        });
    }

    public List<ReplicaService> members() {
        return services;
    }

    @Override
    public void close() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
    }
}
