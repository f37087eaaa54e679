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
 * clients on a few keys through every member, while the cluster is steady and while a member leaves
 * (its segments are taken over under load). Prints {@code scenario= seed= ops= ok= failed=
 * indeterminate= linearizable=}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterHistoryTest {
    private static final long SEED = Long.getLong("cairn.seed", new Random().nextLong());
    private TestCluster cluster;

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
        History history = new History();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                ClusterStore store = new ClusterStore(services.get(c % services.size()), "history",
                        dev.cairn.api.StoreLimits.DEFAULT, Clock.systemUTC());
                futures.add(pool.submit(() -> {
                    Random rnd = new Random(SEED + client);
                    int failedInARow = 0;
                    for (int i = 0; i < ops && failedInARow < 3; i++) { // a client cut off gives up after 3 failures
                        boolean ok = operate(store, client, "key" + rnd.nextInt(4), rnd, history, client + "-" + i);
                        failedInARow = ok ? 0 : failedInARow + 1;
                        if (done.incrementAndGet() == clients * ops / 2 && midway != null) {
                            midway.run();
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
        return history;
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
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

    private static void report(String scenario, History h) {
        List<Linearizability.Result> failures = Linearizability.check(h);
        long indeterminate = h.ops().stream().filter(History.Op::indeterminate).count();
        System.out.printf("scenario=%s seed=%d ops=%d ok=%d failed=0 indeterminate=%d linearizable=%s%n", scenario, SEED,
                h.size(), h.size() - indeterminate, indeterminate, failures.isEmpty() ? "yes" : "no");
        assertTrue(failures.isEmpty(), "seed=" + SEED + " " + failures);
    }

    @Test
    void aSteadyClusterIsLinearizable() throws Exception {
        List<ReplicaService> services = cluster("history-" + System.nanoTime());
        report("steady", run(services, 6, 150, null));
    }

    @Test
    void aClusterIsLinearizableWhileAMemberLeavesUnderLoad() throws Exception {
        List<ReplicaService> services = cluster("handover-" + System.nanoTime());
        ReplicaService b = services.get(1);
        History h = run(List.of(services.get(0), services.get(2)), 4, 150, () -> {
            b.close();
            b.topology().close();
        });
        report("leave", h);
    }

    @Test
    void aClusterIsLinearizableWhenAMemberIsCutOffUnderLoad() throws Exception {
        List<ReplicaService> services = cluster("partition-" + System.nanoTime());
        ReplicaService c = services.get(2);
        History h = run(services, 6, 120, () -> {
            try {
                c.topology().member().channel().getProtocolStack().insertProtocol(
                        new org.jgroups.protocols.DISCARD().discardAll(true), org.jgroups.stack.ProtocolStack.Position.ABOVE,
                        c.topology().member().channel().getProtocolStack().getTransport().getClass());
            } catch (Exception e) {
                throw new IllegalStateException("cannot cut the member off", e);
            }
        });
        report("partition", h);
    }
}
