package dev.cairn.transport.replication;

import static dev.cairn.api.ByteStrings.utf8;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CairnException;
import dev.cairn.api.Expected;
import dev.cairn.transport.TestCluster;
import dev.cairn.transport.check.History;
import dev.cairn.transport.check.History.Kind;
import dev.cairn.transport.check.Linearizability;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client histories against a real 3-member cluster, checked for linearizability per key: many
 * clients on a few keys through every member, while the cluster is steady, while a member leaves
 * or crashes (its segments are taken over under load), while a member is cut off (for good, or
 * for longer than failure detection and then let back, as a paused process wakes up after it
 * was replaced), while a member joins and another leaves gracefully; and a counter that must end
 * at the acknowledged increments (within the indeterminate ones). Prints {@code scenario= seed=
 * ops= ok= failed= indeterminate= acknowledged_lost= linearizable=} per run.
 *
 * <p>{@code -Dcairn.seed=N} replays one seed. {@code -Dcairn.chaos.minutes=M} runs every scenario
 * again and again, a new seed each time, for about M minutes each, and appends each run's line
 * to {@code target/chaos-results.txt} (the long mode, {@code transport/CHAOS.md}).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterHistoryTest {
    private static final Long FIXED_SEED = Long.getLong("cairn.seed");
    private static final double MINUTES = Double.parseDouble(System.getProperty("cairn.chaos.minutes", "0"));
    private long seed = FIXED_SEED != null ? FIXED_SEED : new Random().nextLong();
    private TestCluster cluster;

    /** A scenario run once, or again and again with new seeds for {@code cairn.chaos.minutes}. */
    private interface Scenario {
        void run() throws Exception;
    }

    private void repeat(Scenario scenario) throws Exception {
        long until = System.nanoTime() + (long) (MINUTES * 60e9);
        do {
            scenario.run();
            if (cluster != null) {
                cluster.close();
                cluster = null;
            }
            seed = new Random().nextLong();
        } while (FIXED_SEED == null && System.nanoTime() < until);
    }

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private List<ReplicaService> cluster(String name) throws Exception {
        cluster = TestCluster.start(name, new ReplicationSettings(3, 2, 2, 3_000), Clock.systemUTC());
        return cluster.members();
    }

    /** Runs {@code clients} clients (spread over the members) for {@code ops} operations each; returns the history. */
    private History run(List<ReplicaService> services, int clients, int ops, Runnable midway) throws Exception {
        return run(services, clients, ops, midway == null ? List.of() : List.of(midway));
    }

    /**
     * As above, running the {@code faults} one after the other at evenly spaced points of the
     * run (one fault: half-way; two: at a third and two thirds).
     */
    private History run(List<ReplicaService> services, int clients, int ops, List<Runnable> faults) throws Exception {
        return run(services, clients, ops, faults, (store, client, key, rnd, history, value) ->
                operate(store, client, key, rnd, history, value));
    }

    /** One client's operation on {@code key}, recorded; false when its outcome is unknown. */
    private interface Operation {
        boolean run(ClusterStore store, int client, String key, Random rnd, History history, String value);
    }

    /** As above, each client running {@code operation} again and again. */
    private History run(List<ReplicaService> services, int clients, int ops, List<Runnable> faults, Operation operation)
            throws Exception {
        History history = new History();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        ExecutorService nemesis = Executors.newSingleThreadExecutor();
        List<Future<?>> faultsDone = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                ClusterStore store = new ClusterStore(services.get(c % services.size()), "history",
                        dev.cairn.api.StoreLimits.DEFAULT, Clock.systemUTC());
                futures.add(pool.submit(() -> {
                    Random rnd = new Random(seed + client);
                    int failedInARow = 0;
                    for (int i = 0; i < ops && failedInARow < 3; i++) { // a client cut off gives up after 3 failures
                        boolean ok = operation.run(store, client, "key" + rnd.nextInt(4), rnd, history, client + "-" + i);
                        failedInARow = ok ? 0 : failedInARow + 1;
                        int n = done.incrementAndGet();
                        for (int f = 0; f < faults.size(); f++) {
                            if (n == clients * ops * (f + 1) / (faults.size() + 1)) {
                                // one after the other, on their own thread: the clients go on meanwhile
                                faultsDone.add(nemesis.submit(faults.get(f)));
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(200, TimeUnit.SECONDS);
            }
            for (Future<?> f : new ArrayList<>(faultsDone)) {
                f.get(200, TimeUnit.SECONDS); // a fault that failed fails the run
            }
        } finally {
            pool.shutdownNow();
            nemesis.shutdownNow();
        }
        return history;
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /**
     * One random operation as a JCache cache runs it on a store, recorded: an increment, a put
     * and a remove are each a read and then a compare-and-set (or compare-and-delete) on the
     * version read, again until it holds; a get is a read. Values are numbers, so that
     * increments and puts mix. Returns false when the outcome is unknown.
     */
    private static boolean operateVersioned(ClusterStore store, int client, String key, Random rnd, History history) {
        int choice = rnd.nextInt(20);
        Kind kind = choice < 8 ? Kind.GET : choice < 15 ? Kind.INCREMENT : choice < 18 ? Kind.PUT : Kind.DELETE;
        String value = kind == Kind.PUT ? Integer.toString(rnd.nextInt(1_000)) : null;
        long call = System.nanoTime();
        String result = null;
        boolean indeterminate = false;
        try {
            switch (kind) {
                case GET -> result = text(store.get(utf8(key)).map(e -> e.value()).orElse(null));
                case DELETE -> {
                    while (true) {
                        Optional<dev.cairn.api.Entry> current = store.get(utf8(key));
                        if (current.isEmpty()) {
                            result = "false";
                            break;
                        }
                        if (store.compareAndDelete(utf8(key), Expected.version(current.get().version()))) {
                            result = "true";
                            break;
                        }
                    }
                }
                default -> {
                    while (true) {
                        Optional<dev.cairn.api.Entry> current = store.get(utf8(key));
                        String next = kind == Kind.PUT ? value
                                : Long.toString(current.map(e -> Long.parseLong(text(e.value()))).orElse(0L) + 1);
                        Expected condition = current.map(e -> Expected.version(e.version())).orElse(Expected.absent());
                        if (store.compareAndSet(utf8(key), condition, utf8(next)).isPresent()) {
                            result = kind == Kind.INCREMENT ? next : null;
                            break;
                        }
                    }
                }
            }
        } catch (CairnException e) {
            indeterminate = true; // timed out or refused: it may still take effect
        }
        history.add(new History.Op(client, key, kind, value, null, kind == Kind.INCREMENT ? 1 : 0, call, System.nanoTime(),
                indeterminate, result));
        return !indeterminate;
    }

    /** One random operation, recorded; returns false when its outcome is unknown. */
    private static boolean operate(ClusterStore store, int client, String key, Random rnd, History history, String value) {
        int choice = rnd.nextInt(10);
        Kind kind = choice < 4 ? Kind.GET : choice < 7 ? Kind.PUT : choice < 9 ? Kind.CAS : Kind.DELETE;
        String expected = kind == Kind.CAS && rnd.nextBoolean() ? null : "guess";
        long call = System.nanoTime();
        String result = null;
        boolean indeterminate = false;
        try {
            switch (kind) {
                case GET -> result = text(store.get(utf8(key)).map(e -> e.value()).orElse(null));
                case PUT -> store.put(utf8(key), utf8(value));
                case CAS -> {
                    String current = text(store.get(utf8(key)).map(e -> e.value()).orElse(null));
                    expected = rnd.nextBoolean() ? current : expected;
                    call = System.nanoTime(); // the CAS alone is the operation
                    Expected condition = expected == null ? Expected.absent() : Expected.value(utf8(expected));
                    result = Boolean.toString(store.compareAndSet(utf8(key), condition, utf8(value)).isPresent());
                }
                default -> result = Boolean.toString(store.delete(utf8(key)));
            }
        } catch (CairnException e) {
            indeterminate = true; // timed out or refused: it may still take effect
        }
        long ret = System.nanoTime();
        history.add(new History.Op(client, key, kind, kind == Kind.PUT || kind == Kind.CAS ? value : null,
                expected, 0, call, ret, indeterminate, result));
        return !indeterminate;
    }

    private void report(String scenario, History h) {
        List<Linearizability.Result> failures = Linearizability.check(h);
        long indeterminate = h.ops().stream().filter(History.Op::indeterminate).count();
        record(String.format("scenario=%s seed=%d ops=%d ok=%d failed=0 indeterminate=%d acknowledged_lost=%s linearizable=%s",
                scenario, seed, h.size(), h.size() - indeterminate, indeterminate, failures.isEmpty() ? "0" : "?",
                failures.isEmpty() ? "yes" : "no"));
        assertTrue(failures.isEmpty(), "seed=" + seed + " " + failures);
    }

    /** Prints a run's line, and in the long mode appends it to target/chaos-results.txt. */
    private static void record(String line) {
        System.out.println(line);
        if (MINUTES > 0) {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of("target", "chaos-results.txt"), line + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private static void cutOff(ReplicaService member) {
        try {
            member.topology().member().channel().getProtocolStack().insertProtocol(
                    new org.jgroups.protocols.DISCARD().discardAll(true), org.jgroups.stack.ProtocolStack.Position.ABOVE,
                    member.topology().member().channel().getProtocolStack().getTransport().getClass());
        } catch (Exception e) {
            throw new IllegalStateException("cannot cut the member off", e);
        }
    }

    private static void letBackIn(ReplicaService member) {
        member.topology().member().channel().getProtocolStack().removeProtocol(org.jgroups.protocols.DISCARD.class);
    }

    /** Waits until {@code member} is out of the topology {@code observer} knows. */
    private static void awaitGone(ReplicaService observer, String member) {
        try {
            TestCluster.await("topology without " + member, () -> !observer.topology().current().members().contains(member));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aSteadyClusterIsLinearizable() throws Exception {
        repeat(() -> {
            List<ReplicaService> services = cluster("history-" + System.nanoTime());
            report("steady", run(services, 6, 150, (Runnable) null));
        });
    }

    /**
     * Read-modify-writes on versions, as a JCache cache runs {@code invoke}, {@code put} and
     * {@code remove} on a store: increments must neither be lost nor counted twice, a removed
     * key must not come back.
     */
    @Test
    void versionedReadModifyWritesAreLinearizable() throws Exception {
        repeat(() -> {
            List<ReplicaService> services = cluster("versioned-" + System.nanoTime());
            report("versioned", run(services, 6, 300, List.of(),
                    (store, client, key, rnd, history, value) -> operateVersioned(store, client, key, rnd, history)));
        });
    }

    @Test
    void aClusterIsLinearizableWhileAMemberCrashesUnderLoad() throws Exception {
        repeat(() -> {
            List<ReplicaService> services = cluster("handover-" + System.nanoTime());
            ReplicaService b = services.get(1);
            History h = run(List.of(services.get(0), services.get(2)), 4, 150, () -> TestCluster.crash(b));
            report("crash", h);
        });
    }

    @Test
    void aClusterIsLinearizableWhenAMemberIsCutOffUnderLoad() throws Exception {
        repeat(() -> {
            List<ReplicaService> services = cluster("partition-" + System.nanoTime());
            ReplicaService c = services.get(2);
            report("partition", run(services, 6, 120, () -> cutOff(c)));
        });
    }

    /**
     * The in-JVM form of a pause: a member (the primary of about a third of the segments) is cut
     * off until the others have replaced it, then let back in — it wakes up believing it is still
     * primary, with clients still sending it requests.
     */
    @Test
    void aClusterIsLinearizableWhenACutOffPrimaryComesBack() throws Exception {
        repeat(() -> {
            List<ReplicaService> services = cluster("pause-" + System.nanoTime());
            ReplicaService c = services.get(2);
            report("pause", run(services, 6, 150, List.of(() -> {
                cutOff(c);
                awaitGone(services.get(0), "c");
            }, () -> letBackIn(c))));
        });
    }

    /** Membership churn under load: a fourth member joins, then one of the first three leaves gracefully. */
    @Test
    void aClusterIsLinearizableWhileMembersJoinAndLeave() throws Exception {
        repeat(() -> {
            String name = "churn-" + System.nanoTime();
            List<ReplicaService> services = cluster(name);
            ReplicaService a = services.get(0);
            report("join-leave", run(List.of(services.get(1), services.get(2)), 4, 180, List.of(() -> {
                try {
                    ReplicaService d = cluster.add(name, "d", TestCluster.VOTING, new ReplicationSettings(3, 2, 2, 3_000),
                            Clock.systemUTC());
                    TestCluster.awaitServing(List.of(services.get(0), services.get(1), services.get(2), d));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, () -> {
                a.topology().leave(30_000);
                TestCluster.crash(a);
            })));
        });
    }

    /**
     * The counter workload: clients increment one key through every member while a member
     * crashes; the final value must be at least the acknowledged increments and at most those plus
     * the indeterminate ones.
     */
    @Test
    void aCounterEndsAtTheAcknowledgedIncrements() throws Exception {
        repeat(() -> {
            List<ReplicaService> services = cluster("counter-" + System.nanoTime());
            ReplicaService b = services.get(1);
            java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong unknown = new java.util.concurrent.atomic.AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            AtomicInteger done = new AtomicInteger();
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    ClusterStore store = new ClusterStore(c % 2 == 0 ? services.get(0) : services.get(2), "counter",
                            dev.cairn.api.StoreLimits.DEFAULT, Clock.systemUTC());
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 150; i++) {
                            try {
                                store.increment(utf8("hits"), 1);
                                acknowledged.incrementAndGet();
                            } catch (CairnException e) {
                                unknown.incrementAndGet();
                            }
                            if (done.incrementAndGet() == 300) {
                                TestCluster.crash(b);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(200, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            ClusterStore reader = new ClusterStore(services.get(0), "counter", dev.cairn.api.StoreLimits.DEFAULT, Clock.systemUTC());
            long value = Long.parseLong(text(reader.get(utf8("hits")).orElseThrow().value()));
            long lost = Math.max(0, acknowledged.get() - value);
            boolean ok = value >= acknowledged.get() && value <= acknowledged.get() + unknown.get();
            record(String.format("scenario=counter seed=%d ops=%d ok=%d failed=0 indeterminate=%d acknowledged_lost=%d "
                    + "final=%d linearizable=%s", seed, acknowledged.get() + unknown.get(), acknowledged.get(), unknown.get(), lost,
                    value, ok ? "yes" : "no"));
            assertTrue(ok, "final " + value + " outside [" + acknowledged.get() + ", " + (acknowledged.get() + unknown.get()) + "]");
        });
    }
}
