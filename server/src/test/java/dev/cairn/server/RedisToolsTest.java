package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.SyncMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's redis-cli and redis-benchmark against a live node (`.ci/run` installs redis-tools).
 * Missing tools fail the test rather than skip it.
 */
class RedisToolsTest {
    @TempDir
    Path dir;
    private CairnNode node;

    @BeforeEach
    void start() throws Exception {
        node = CairnNode.start(new ServerOptions(0, "127.0.0.1", dir.resolve("data"), SyncMode.NONE, null, 1000,
                2 * 1024 * 1024, 1024 * 1024));
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private static String tool(String name) {
        for (String d : List.of("/usr/bin", "/usr/local/bin")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        throw new AssertionError(name + " is not installed: install Debian's redis-tools (.ci/run does)");
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private String cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool("redis-cli"), "-h", "127.0.0.1", "-p", Integer.toString(node.port())));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new)).trim();
    }

    @Test
    void redisCliSession() throws Exception {
        assertEquals("PONG", cli("PING"));
        assertEquals("OK", cli("SET", "greeting", "hello"));
        assertEquals("hello", cli("GET", "greeting"));
        assertEquals("1", cli("INCR", "visits"));
        assertEquals("2", cli("INCR", "visits"));
        assertEquals("1", cli("EXPIRE", "greeting", "100"));
        int ttl = Integer.parseInt(cli("TTL", "greeting"));
        assertTrue(ttl > 90 && ttl <= 100, "ttl " + ttl);
        assertEquals("", cli("GET", "nothing"));
        assertTrue(cli("GET").contains("ERR wrong number of arguments for 'get' command"));
        assertEquals("greeting\nvisits", String.join("\n", cli("--scan").lines().sorted().toList()));
        assertEquals("visits", cli("--scan", "--pattern", "vis*"));
        assertTrue(cli("INFO", "server").contains("redis_version:"));
    }

    @Test
    void redisBenchmarkRunsAgainstTheNode() throws Exception {
        String out = run(tool("redis-benchmark"), "-h", "127.0.0.1", "-p", Integer.toString(node.port()),
                "-t", "set,get,incr,mset", "-n", "2000", "-c", "10", "-q");
        for (String test : List.of("SET", "GET", "INCR", "MSET")) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(test) && l.contains("requests per second")), out);
        }
        String pipelined = run(tool("redis-benchmark"), "-h", "127.0.0.1", "-p", Integer.toString(node.port()),
                "-t", "set,get", "-n", "5000", "-c", "5", "-P", "16", "-q");
        assertTrue(pipelined.lines().anyMatch(l -> l.startsWith("GET") && l.contains("requests per second")), pipelined);
        assertEquals("OK", node.store().get("key:__rand_int__".getBytes()).isPresent() ? "OK" : "missing");
    }
}
