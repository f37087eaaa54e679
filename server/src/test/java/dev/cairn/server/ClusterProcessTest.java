package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Three {@code cairn-server} processes form a cluster (TCP, Raft topology, SYNC replicas on disk);
 * while four clients write through all of them, one member is SIGKILLed and restarted on its data,
 * a fourth joins, and one leaves gracefully (SIGTERM). Every write that was acknowledged must be
 * readable afterwards, with its value; the counts of acknowledged, lost and failed writes are printed.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterProcessTest {
    @TempDir
    Path dir;

    private final ServerProcess[] nodes = new ServerProcess[4];

    @AfterEach
    void stopAll() throws Exception {
        ServerProcess.closeAll(nodes);
    }


    private ServerProcess start(int i, String members, int clusterPort) throws Exception {
        return ServerProcess.clusterNode(dir.resolve("node" + i), "proc", members, clusterPort);
    }

    private static Map<String, String> info(ServerProcess node) {
        try (Jedis j = new Jedis("127.0.0.1", node.port())) {
            Map<String, String> out = new java.util.HashMap<>();
            for (String line : j.info("cluster").split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    out.put(line.substring(0, colon), line.substring(colon + 1));
                }
            }
            return out;
        }
    }

    /** Waits until {@code node} sees exactly {@code members} and serves every segment it is primary of. */
    private static void awaitMembers(ServerProcess node, List<String> members) throws InterruptedException {
        String want = String.join(",", new TreeSet<>(members));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Map<String, String> last = Map.of();
        while (System.nanoTime() < deadline) {
            try {
                last = info(node);
                if (want.equals(last.get("cluster_members")) && "0".equals(last.get("cluster_taking_over"))) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // the node is starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("members never became " + want + "; last INFO cluster: " + last);
    }

    @Test
    void acknowledgedWritesSurviveAKillARestartAJoinAndAGracefulLeave() throws Exception {
        int[] cport = dev.cairn.api.FreePorts.loopback(4);
        List<String> endpoints = new ArrayList<>();
        for (int p : cport) {
            endpoints.add("127.0.0.1:" + p);
        }
        String firstThree = String.join(",", endpoints.subList(0, 3));
        for (int i = 0; i < 3; i++) {
            nodes[i] = start(i, firstThree, cport[i]);
        }
        awaitMembers(nodes[0], endpoints.subList(0, 3));

        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicLong failed = new AtomicLong();
        AtomicLong attempted = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                Jedis j = null;
                int target = client;
                for (int i = 0; !stop.get(); i++) {
                    String key = "c" + client + "-" + i;
                    String value = "v" + i + "-" + System.nanoTime();
                    attempted.incrementAndGet();
                    try {
                        if (j == null) {
                            ServerProcess n = nodes[target % 4];
                            target++;
                            if (n == null) {
                                continue;
                            }
                            j = new Jedis("127.0.0.1", n.port(), 2_000, 10_000);
                        }
                        if ("OK".equals(j.set(key, value))) {
                            acknowledged.put(key, value);
                        }
                    } catch (RuntimeException e) {
                        failed.incrementAndGet(); // not acknowledged: it may or may not have happened
                        if (j != null) {
                            j.close();
                            j = null;
                        }
                    }
                }
                if (j != null) {
                    j.close();
                }
            }, "client-" + c);
            t.start();
            clients.add(t);
        }
        try {
            Thread.sleep(2_000);
            nodes[2].kill9();
            awaitMembers(nodes[0], endpoints.subList(0, 2));
            Thread.sleep(1_000);
            nodes[2] = start(2, firstThree, cport[2]); // restarted on its data and Raft log
            awaitMembers(nodes[0], endpoints.subList(0, 3));
            nodes[3] = start(3, firstThree, cport[3]); // a new member lists the others, not itself
            awaitMembers(nodes[0], endpoints);
            Thread.sleep(1_000);
            assertTrue(nodes[0].term(), "node 0 did not stop after SIGTERM");
            nodes[0] = null;
            awaitMembers(nodes[1], endpoints.subList(1, 4));
            Thread.sleep(1_000);
        } finally {
            stop.set(true);
            for (Thread t : clients) {
                t.join(30_000);
            }
        }
        List<String> lost = new ArrayList<>();
        try (Jedis reader = new Jedis("127.0.0.1", nodes[3].port(), 2_000, 10_000)) {
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                if (!e.getValue().equals(reader.get(e.getKey()))) {
                    lost.add(e.getKey());
                }
            }
        }
        System.out.println("ClusterProcessTest: attempted=" + attempted.get() + " acknowledged=" + acknowledged.size()
                + " lost=" + lost.size() + " failed=" + failed.get());
        assertTrue(acknowledged.size() > 100, "too few writes were acknowledged to mean anything: " + acknowledged.size());
        assertEquals(List.of(), lost.subList(0, Math.min(lost.size(), 20)), lost.size() + " acknowledged writes lost");
        Map<String, String> after = info(nodes[1]);
        assertTrue(Long.parseLong(after.get("cluster_transfer_bytes_in")) + Long.parseLong(after.get("cluster_transfer_bytes_out")) > 0
                || Long.parseLong(info(nodes[3]).get("cluster_transfer_bytes_in")) > 0, "no takeover moved any data: " + after);
    }
}
