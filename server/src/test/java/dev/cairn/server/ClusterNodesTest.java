package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.SyncMode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Three nodes started with {@code --cluster} (in one JVM, real TCP on loopback between them):
 * a key written through one node is read through every node, and stays readable through the
 * others when a node leaves.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterNodesTest {
    @TempDir
    Path dir;

    private final List<CairnNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(CairnNode::close);
    }


    /** Retries a command until the cluster answers it (a new cluster takes a moment to serve every segment). */
    private static String eventually(java.util.concurrent.Callable<String> command) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try {
                return command.call();
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    @Test
    void aKeyWrittenThroughOneNodeIsReadThroughEveryNodeAndSurvivesALeave() throws Exception {
        int[] ports = dev.cairn.api.FreePorts.loopback(3);
        List<String> members = List.of("127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1], "127.0.0.1:" + ports[2]);
        for (int i = 0; i < 3; i++) {
            nodes.add(CairnNode.start(new ServerOptions(0, "127.0.0.1", dir.resolve("n" + i), SyncMode.NONE, null, 100,
                    2 * 1024 * 1024, 1024 * 1024, false, "test-cluster", members, ports[i])));
        }
        try (Jedis a = new Jedis("127.0.0.1", nodes.get(0).port());
             Jedis b = new Jedis("127.0.0.1", nodes.get(1).port());
             Jedis c = new Jedis("127.0.0.1", nodes.get(2).port())) {
            assertEquals("OK", eventually(() -> a.set("greeting", "hello")));
            assertEquals("hello", eventually(() -> b.get("greeting")));
            assertEquals("hello", eventually(() -> c.get("greeting")));
            assertEquals(1L, (long) Long.valueOf(eventually(() -> Long.toString(c.incr("visits")))));
            assertEquals("2", Long.toString(a.incr("visits")));
            for (int i = 0; i < 30; i++) {
                b.set("k" + i, "v" + i);
            }
            nodes.remove(2).close();
            for (int i = 0; i < 30; i++) {
                int k = i;
                assertEquals("v" + k, eventually(() -> a.get("k" + k)));
            }
            assertEquals("hello", eventually(() -> b.get("greeting")));
            assertEquals("OK", eventually(() -> b.set("after", "leave")));
            assertEquals("leave", eventually(() -> a.get("after")));
            String info = a.info("cluster");
            assertTrue(info.contains("cluster_enabled:1") && info.contains("cluster_members:"), info);
            assertTrue(info.contains("cluster_member:" + members.get(0)), info);
            // the leave was graceful: the two left agree on a topology without the third
            String left = String.join(",", new java.util.TreeSet<>(members.subList(0, 2)));
            assertTrue(info.contains("cluster_members:" + left + "\r\n"), info);
            long ordered = 0;
            for (Jedis j : List.of(a, b)) {
                String i = j.info("cluster");
                ordered += field(i, "cluster_primary_writes") + field(i, "cluster_primary_reads");
                assertTrue(field(i, "cluster_write_p99_us") >= 0 && i.contains("cluster_transfer_bytes_in:"), i);
            }
            assertTrue(ordered > 0, "no operation counted at a primary");
            javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            Object writes = jmx.getAttribute(new javax.management.ObjectName("dev.cairn:type=Cluster,member="
                    + javax.management.ObjectName.quote(members.get(0))), "PrimaryWrites");
            assertEquals(field(a.info("cluster"), "cluster_primary_writes"), ((Number) writes).longValue());
        }
    }

    private static long field(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return Long.parseLong(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError(name + " is not in " + info);
    }
}
