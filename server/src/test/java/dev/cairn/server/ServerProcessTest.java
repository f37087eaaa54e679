package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/** The server as a real process: SIGKILL loses no acknowledged SYNC write, SIGTERM shuts down cleanly. */
class ServerProcessTest {
    @TempDir
    Path dir;

    @Test
    void acknowledgedSyncWritesSurviveSigkillAndRestart() throws Exception {
        Path data = dir.resolve("data");
        int written = 0;
        try (ServerProcess server = new ServerProcess(data, "--sync", "SYNC");
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            Random rnd = new Random(1);
            for (; written < 2_000; written++) {
                jedis.set("key-" + written, "value-" + written + "-" + rnd.nextInt());
                if (written % 10 == 0) {
                    jedis.incr("counter");
                }
            }
            server.kill9();
        }
        try (ServerProcess server = new ServerProcess(data, "--sync", "SYNC");
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            Random rnd = new Random(1);
            for (int i = 0; i < written; i++) {
                assertEquals("value-" + i + "-" + rnd.nextInt(), jedis.get("key-" + i), "key-" + i);
            }
            assertEquals("200", jedis.get("counter"));
        }
    }

    @Test
    void memoryModeKeepsNothingAcrossARestart() throws Exception {
        Path data = dir.resolve("unused");
        try (ServerProcess server = new ServerProcess(data, "--memory");
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            jedis.set("k", "v");
            assertEquals("v", jedis.get("k"));
            assertTrue(server.log().stream().anyMatch(l -> l.contains("memory only")), server.log().toString());
        }
        assertTrue(!java.nio.file.Files.exists(data), "memory mode writes no files");
    }

    @Test
    void sigtermFinishesCleanlyAndKeepsTheData() throws Exception {
        Path data = dir.resolve("data");
        try (ServerProcess server = new ServerProcess(data, "--sync", "INTERVAL")) {
            try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
                jedis.mset("a", "1", "b", "2");
            }
            assertTrue(server.term(), "the server stopped after SIGTERM");
            assertTrue(server.log().stream().anyMatch(l -> l.contains("store closed cleanly")), server.log().toString());
        }
        try (ServerProcess server = new ServerProcess(data);
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            assertEquals("1", jedis.get("a"));
            assertEquals("2", jedis.get("b"));
        }
    }
}
