package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.FreePorts;
import dev.cairn.transport.check.History;
import dev.cairn.transport.check.History.Kind;
import dev.cairn.transport.check.Linearizability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/**
 * The process-level nemesis: three {@code cairn-server} processes under clients doing GET, SET,
 * SET NX, DEL on 24 registers and INCR on 8 counters (through every node, over RESP), while one
 * node is paused with SIGSTOP for longer than failure detection and then resumed (it wakes up
 * after it was replaced), and another is SIGKILLed and restarted on its data. The history is
 * checked for linearizability per key (an operation whose connection failed or timed out, or that
 * got an error, is indeterminate). Prints {@code scenario= seed= ops= ok= failed= indeterminate=
 * quorum_refusals= acknowledged_lost= linearizable=}; {@code -Dcairn.seed=N} replays the clients'
 * choices; {@code -Dcairn.chaos.minutes=M} repeats each scenario for M minutes with new seeds
 * (the long mode, appending to {@code target/chaos-results.txt}).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterChaosProcessTest {
    private static final Long FIXED_SEED = Long.getLong("cairn.seed");
    /** The long mode: each scenario again and again, with new seeds, for this many minutes (0: once). */
    private static final double MINUTES = Double.parseDouble(System.getProperty("cairn.chaos.minutes", "0"));
    private long seed = FIXED_SEED != null ? FIXED_SEED : new Random().nextLong();

    @TempDir
    Path dir;

    private final ServerProcess[] nodes = new ServerProcess[3];
    /** Where the clients reach node i (loopback, or the node's namespace address). */
    private final String[] hosts = {"127.0.0.1", "127.0.0.1", "127.0.0.1"};

    @AfterEach
    void stopAll() throws Exception {
        ServerProcess.closeAll(nodes);
    }

    /** Error replies that said a quorum was not reached (the minority side of a partition). */
    private final java.util.concurrent.atomic.AtomicLong quorumRefusals = new java.util.concurrent.atomic.AtomicLong();

    /** One client's loop: random operations through one node, reconnecting to the next one when its connection fails. */
    private void client(int id, History history, AtomicBoolean stop) {
        Random rnd = new Random(seed + id);
        Jedis j = null;
        int target = id;
        for (int i = 0; !stop.get(); i++) {
            if (j == null) {
                int which = target++ % 3;
                ServerProcess n = nodes[which];
                if (n == null) {
                    continue;
                }
                try {
                    j = new Jedis(hosts[which], n.port(), 2_000, 4_000); // a paused node accepts, then never answers
                } catch (redis.clients.jedis.exceptions.JedisConnectionException unreachable) {
                    continue; // no operation was sent: try the next node
                }
            }
            boolean counter = rnd.nextInt(5) == 0;
            // enough keys that no key's history piles up many indeterminate operations (each may or may
            // not have happened, which multiplies the checker's search)
            String key = counter ? "ctr" + rnd.nextInt(8) : "reg" + rnd.nextInt(24);
            int choice = rnd.nextInt(10);
            Kind kind = counter ? (choice < 4 ? Kind.GET : Kind.INCREMENT)
                    : choice < 4 ? Kind.GET : choice < 7 ? Kind.PUT : choice < 9 ? Kind.PUT_IF_ABSENT : Kind.DELETE;
            String value = kind == Kind.PUT || kind == Kind.PUT_IF_ABSENT ? id + "-" + i : null;
            long call = System.nanoTime();
            String result = null;
            boolean indeterminate = false;
            try {
                result = switch (kind) {
                    case GET -> j.get(key);
                    case PUT -> {
                        j.set(key, value);
                        yield null;
                    }
                    case PUT_IF_ABSENT -> Boolean.toString("OK".equals(j.set(key, value, SetParams.setParams().nx())));
                    case DELETE -> Boolean.toString(j.del(key) > 0);
                    case INCREMENT -> Long.toString(j.incr(key));
                    default -> throw new IllegalStateException();
                };
            } catch (redis.clients.jedis.exceptions.JedisConnectionException e) {
                indeterminate = true; // the connection died or timed out: it may still take effect
                j.close();
                j = null;
            } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                indeterminate = true; // an error reply (no quorum, no primary yet): it may have been applied
                if (e.getMessage() != null && e.getMessage().contains("quorum")) {
                    quorumRefusals.incrementAndGet();
                }
            }
            long ret = System.nanoTime();
            history.add(new History.Op(id, key, kind, value, null, kind == Kind.INCREMENT ? 1 : 0, call, ret, indeterminate,
                    result));
        }
        if (j != null) {
            j.close();
        }
    }

    /** Waits until the cluster answers a write through node 0. */
    private void awaitReady() throws Exception {
        try (Jedis probe = new Jedis(hosts[0], nodes[0].port())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                try {
                    probe.set("ready", "1");
                    break;
                } catch (RuntimeException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    private interface Nemesis {
        void run() throws Exception;
    }

    /** Six clients run while {@code nemesis} does its worst; then the history is checked. */
    private void checkUnder(String scenario, Nemesis nemesis) throws Exception {
        awaitReady();
        History history = new History();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            int id = c;
            Thread t = new Thread(() -> client(id, history, stop), "chaos-client-" + c);
            t.start();
            clients.add(t);
        }
        try {
            nemesis.run();
        } finally {
            stop.set(true);
            for (Thread t : clients) {
                t.join(30_000);
            }
        }
        List<Linearizability.Result> failures = Linearizability.check(history);
        long indeterminate = history.ops().stream().filter(History.Op::indeterminate).count();
        String line = String.format("scenario=%s seed=%d ops=%d ok=%d failed=0 indeterminate=%d quorum_refusals=%d "
                        + "acknowledged_lost=%s linearizable=%s", scenario, seed, history.size(), history.size() - indeterminate,
                indeterminate, quorumRefusals.get(), failures.isEmpty() ? "0" : "?", failures.isEmpty() ? "yes" : "no");
        System.out.println(line);
        if (MINUTES > 0) {
            java.nio.file.Files.writeString(java.nio.file.Path.of("target", "chaos-results.txt"), line + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
        assertTrue(history.size() - indeterminate > 100, "too few operations completed to mean anything");
        assertTrue(failures.isEmpty(), "seed=" + seed + " " + failures);
    }

    private interface Run {
        void run(Path base) throws Exception;
    }

    /**
     * Runs a scenario once, or with {@code -Dcairn.chaos.minutes=M} again and again, each time on
     * fresh nodes and directories with a new seed, appending each run's line to
     * {@code target/chaos-results.txt}.
     */
    private void repeat(Run run) throws Exception {
        long until = System.nanoTime() + (long) (MINUTES * 60e9);
        int round = 0;
        do {
            quorumRefusals.set(0);
            run.run(dir.resolve("round" + round++));
            ServerProcess.closeAll(nodes);
            java.util.Arrays.fill(nodes, null);
            seed = new Random().nextLong();
        } while (FIXED_SEED == null && System.nanoTime() < until);
    }

    @Test
    void aPausedAndAKilledMemberLeaveTheHistoryLinearizable() throws Exception {
        repeat(base -> {
            int[] cport = FreePorts.loopback(3);
            String members = "127.0.0.1:" + cport[0] + ",127.0.0.1:" + cport[1] + ",127.0.0.1:" + cport[2];
            for (int i = 0; i < 3; i++) {
                nodes[i] = ServerProcess.clusterNode(base.resolve("node" + i), "chaos", members, cport[i]);
            }
            checkUnder("process-pause-kill", () -> {
                Thread.sleep(3_000);
                nodes[2].pause(); // longer than failure detection (FD_ALL3 6 s + VERIFY_SUSPECT2 1 s)
                Thread.sleep(10_000);
                nodes[2].resume();
                Thread.sleep(6_000);
                nodes[1].kill9();
                Thread.sleep(3_000);
                nodes[1] = ServerProcess.clusterNode(base.resolve("node1"), "chaos", members, cport[1]);
                Thread.sleep(6_000);
            });
        });
    }

    /**
     * A member's disk fails under load: its WAL fsyncs start failing (injected into that process
     * only, by {@link FailingDiskServer}). It must acknowledge nothing it could not make durable,
     * leave the cluster and exit with {@link CairnServer#EXIT_STORAGE_FAILED}, and the other two
     * take its segments over; restarted on its data once the disk is back, it rejoins. The history
     * must be linearizable throughout.
     */
    @Test
    void aMemberWhoseFsyncFailsLeavesAndTheHistoryStaysLinearizable() throws Exception {
        repeat(base -> {
            int[] cport = FreePorts.loopback(3);
            String members = "127.0.0.1:" + cport[0] + ",127.0.0.1:" + cport[1] + ",127.0.0.1:" + cport[2];
            for (int i = 0; i < 2; i++) {
                nodes[i] = ServerProcess.clusterNode(base.resolve("node" + i), "chaos", members, cport[i]);
            }
            Path trigger = base.resolve("disk-failed");
            nodes[2] = new ServerProcess(List.of(), List.of("-Djdk.attach.allowAttachSelf=true",
                    "-Dcairn.test.failFsyncOnceExists=" + trigger), FailingDiskServer.class, "127.0.0.1", base.resolve("node2"),
                    "--cluster", "chaos", "--members", members, "--cluster-port", Integer.toString(cport[2]), "--sync", "SYNC");
            Integer[] exit = new Integer[1];
            List<String> failedLog = new ArrayList<>();
            checkUnder("process-failed-fsync", () -> {
                Thread.sleep(3_000);
                java.nio.file.Files.createFile(trigger);
                exit[0] = nodes[2].awaitExit(30);
                List<String> log = nodes[2].log();
                failedLog.addAll(log.subList(Math.max(0, log.size() - 30), log.size()));
                if (exit[0] == null) {
                    nodes[2].close();
                }
                java.nio.file.Files.delete(trigger);
                Thread.sleep(4_000); // the other two serve its segments meanwhile
                nodes[2] = ServerProcess.clusterNode(base.resolve("node2"), "chaos", members, cport[2]);
                Thread.sleep(8_000);
            });
            assertEquals(CairnServer.EXIT_STORAGE_FAILED, exit[0], "the member whose fsyncs failed did not leave and exit; "
                    + "its log ended: " + String.join("\n", failedLog));
        });
    }

    /**
     * Each node in its own network namespace; first one member, then another, is cut off from the
     * other two for longer than failure detection (every packet between them dropped) while the
     * clients still reach it: the isolated member is a minority and must refuse what needs a
     * quorum, the majority goes on, and after the partition heals the history is linearizable.
     */
    @Test
    void networkPartitionsBetweenProcessesLeaveTheHistoryLinearizable() throws Exception {
        repeat(base -> {
            try (NetworkNamespaces net = new NetworkNamespaces(3)) {
                int clusterPort = 7800; // every namespace has its own ports
                String members = net.address(0) + ":" + clusterPort + "," + net.address(1) + ":" + clusterPort + ","
                        + net.address(2) + ":" + clusterPort;
                for (int i = 0; i < 3; i++) {
                    hosts[i] = net.address(i);
                    nodes[i] = new ServerProcess(net.launcher(i), net.address(i), base.resolve("node" + i), "--cluster",
                            "partition", "--members", members, "--cluster-port", Integer.toString(clusterPort), "--sync", "SYNC");
                }
                try {
                    checkUnder("process-netns-partition", () -> {
                        Thread.sleep(3_000);
                        net.isolate(2);
                        Thread.sleep(12_000);
                        net.heal(2);
                        Thread.sleep(8_000);
                        net.isolate(0);
                        Thread.sleep(12_000);
                        net.heal(0);
                        Thread.sleep(8_000);
                    });
                    assertTrue(quorumRefusals.get() > 0, "the isolated member refused writes for want of a quorum");
                } finally {
                    ServerProcess.closeAll(nodes); // before the namespaces they run in go
                }
            }
        });
    }
}
