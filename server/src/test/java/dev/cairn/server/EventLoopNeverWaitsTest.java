package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.SyncMode;
import dev.cairn.storage.fault.Faults;
import dev.cairn.storage.wal.WalWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * In SYNC mode a write waits for its fsync; the event loops must not. With every fsync stalled
 * (through the fault agent), writers on several connections wait while clients on every event loop
 * still get answers; once the fsync returns, the writes are acknowledged and visible, and a
 * connection's pipeline still sees its own earlier writes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventLoopNeverWaitsTest {
    @TempDir
    Path dir;

    @Test
    void clientsGetAnswersWhileWritesWaitOnAStalledFsync() throws Exception {
        ServerOptions options = new ServerOptions(0, "127.0.0.1", dir.resolve("data"), SyncMode.SYNC, null, 100,
                2 * 1024 * 1024, 1024 * 1024);
        try (CairnNode node = CairnNode.start(options)) {
            CountDownLatch stalled = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<String>> writes = new ArrayList<>();
            List<Jedis> writers = new ArrayList<>();
            java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(8);
            try (Faults.Armed stall = Faults.onEntry(WalWriter.class, "fsync", () -> {
                stalled.countDown();
                release.await(30, TimeUnit.SECONDS);
            })) {
                // more writers than event loops, so every loop has a connection whose write waits
                for (int i = 0; i < 8; i++) {
                    Jedis w = new Jedis("127.0.0.1", node.port());
                    writers.add(w);
                    String key = i % 2 == 0 ? "plain-" + i : "append-" + i; // a non-blocking form and a blocking one
                    writes.add(CompletableFuture.supplyAsync(() -> key.startsWith("plain")
                            ? w.set(key, "v") : Long.toString(w.append(key, "v")), clients));
                }
                assertTrue(stalled.await(30, TimeUnit.SECONDS));
                for (int i = 0; i < 8; i++) {
                    try (Jedis reader = new Jedis("127.0.0.1", node.port())) {
                        assertEquals("PONG", reader.ping(), "connection " + i + " was answered");
                        assertFalse(reader.exists("plain-0"), "a write is not visible before its fsync");
                    }
                }
                writes.forEach(f -> assertFalse(f.isDone(), "no write was acknowledged before its fsync"));
                release.countDown();
            }
            for (CompletableFuture<String> f : writes) {
                String reply = f.get(30, TimeUnit.SECONDS);
                assertTrue(reply.equals("OK") || reply.equals("1"), reply);
            }
            try (Jedis c = new Jedis("127.0.0.1", node.port())) {
                assertEquals("v", c.get("plain-0"));
                assertEquals("v", c.get("append-1"));
                var p = c.pipelined(); // a pipeline sees its own writes in order
                p.set("p", "1");
                p.incr("p");
                var seen = p.get("p");
                p.sync();
                assertEquals("2", seen.get());
            }
            writers.forEach(Jedis::close);
            clients.shutdownNow();
        }
    }
}
