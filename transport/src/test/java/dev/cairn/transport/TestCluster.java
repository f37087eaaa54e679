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
    private final List<MemoryNamespaces> engines = new ArrayList<>();

    private TestCluster() {
    }

    /** Waits (at most 90 s) for {@code condition}; fails naming {@code what} if it never holds. */
    public static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(() -> what, condition);
    }

    /** Waits (at most 90 s) for {@code condition}; fails with {@code what}'s account of the state if it never holds. */
    public static void await(java.util.function.Supplier<String> what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never happened: " + what.get());
            }
            Thread.sleep(50);
        }
    }

    /** Starts a, b and c with {@code settings}, reading {@code clock}, and waits until every segment is served. */
    public static TestCluster start(String name, ReplicationSettings settings, Clock clock) throws Exception {
        return start(name, settings, clock, VOTING);
    }

    /** Starts {@code voting} with {@code settings}, reading {@code clock}, and waits until every segment is served. */
    public static TestCluster start(String name, ReplicationSettings settings, Clock clock, List<String> voting)
            throws Exception {
        TestCluster c = new TestCluster();
        try {
            for (String m : voting) {
                c.add(name, m, voting, settings, clock);
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
        await(() -> {
            StringBuilder sb = new StringBuilder("every segment served by its primary, all members at one epoch; now:");
            for (ReplicaService s : live) {
                sb.append(' ').append(s.topology().member().name()).append("{epoch=").append(s.topology().current().epoch())
                        .append(" members=").append(s.topology().current().members()).append(" serving=")
                        .append(s.serving().size()).append(" inTransfer=").append(s.segmentsInTransfer())
                        .append(" view=").append(s.topology().member().members()).append(' ')
                        .append(s.topology().describeRaft()).append('}');
            }
            return sb.toString();
        }, () -> {
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

    /**
     * Starts member {@code member} of cluster {@code name} that knows {@code voting} as the voting
     * members (a new member lists the others and itself; it asks to be added to the voters).
     */
    public ReplicaService add(String name, String member, List<String> voting, ReplicationSettings settings, Clock clock)
            throws Exception {
        TopologyService t = TopologyService.start(ClusterConfig.loopback(name, member, voting));
        MemoryNamespaces engine = new MemoryNamespaces(MemoryStoreOptions.defaults().withClock(clock)
                .withTombstoneGrace(Duration.ofHours(1)));
        ReplicaService s = new ReplicaService(t, engine, settings, clock);
        open.add(engine);
        open.add(t);
        open.add(s);
        services.add(s);
        engines.add(engine);
        return s;
    }

    /** Stops {@code member} at once, as a crash would: no leave, its data gone with it. */
    public static void crash(ReplicaService member) {
        member.close();
        member.topology().close();
    }

    /** The local engine of the {@code i}th member started (its data, which a restart in these tests keeps). */
    public MemoryNamespaces engine(int i) {
        return engines.get(i);
    }

    /** Registers a service started in place of a member's (a restart of its replication), to be closed with the rest. */
    public void adopt(ReplicaService restarted) {
        open.add(restarted);
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
