package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.storage.SyncMode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Pipelines in SYNC mode, where a connection's writes that the store applies at once run without
 * waiting for the fsync of the ones before (they share group commits), and consecutive SETs go to
 * the store as one batch: the replies still come in command order, reads and read-first writes
 * (SET XX, APPEND) still see every write before them, and every acknowledged write survives
 * SIGKILL.
 */
class PipelinedWritesTest {
    @TempDir
    Path dir;

    private static byte[] resp(List<List<String>> commands) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (List<String> c : commands) {
            out.writeBytes(("*" + c.size() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            for (String a : c) {
                byte[] b = a.getBytes(StandardCharsets.ISO_8859_1);
                out.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.writeBytes(b);
                out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return out.toByteArray();
    }

    private static String exchange(int port, List<List<String>> commands, String expectedReplies) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(resp(commands));
            s.getOutputStream().flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            byte[] got = in.readNBytes(expectedReplies.getBytes(StandardCharsets.ISO_8859_1).length);
            return new String(got, StandardCharsets.ISO_8859_1);
        }
    }

    /** In every store the server batches a pipeline's writes for: the LSM tree with and without an fsync per write, and memory. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"SYNC", "INTERVAL", "memory"})
    void aMixedPipelineAnswersInOrderAndSeesItsOwnWrites(String store) throws Exception {
        boolean memory = store.equals("memory");
        try (CairnNode node = CairnNode.start(new ServerOptions(0, "127.0.0.1", dir.resolve("d"),
                memory ? SyncMode.NONE : SyncMode.valueOf(store), null, 100, 2 * 1024 * 1024, 1024 * 1024, memory))) {
            List<List<String>> commands = List.of(
                    List.of("SET", "a", "1"), List.of("SET", "b", "2"), List.of("SET", "a", "3"),
                    List.of("INCR", "n"), List.of("INCR", "n"), List.of("INCRBY", "n", "10"),
                    List.of("GET", "a"), List.of("GET", "n"),
                    List.of("SET", "b", "x", "XX", "GET"), List.of("APPEND", "b", "yz"),
                    List.of("DEL", "a"), List.of("SETNX", "a", "again"), List.of("GET", "a"),
                    List.of("INCR", "b"), List.of("MSET", "m1", "v1", "m2", "v2"), List.of("MGET", "m1", "m2", "b"));
            String expected = "+OK\r\n+OK\r\n+OK\r\n:1\r\n:2\r\n:12\r\n$1\r\n3\r\n$2\r\n12\r\n"
                    + "$1\r\n2\r\n:3\r\n:1\r\n:1\r\n$5\r\nagain\r\n"
                    + "-ERR value is not an integer or out of range\r\n+OK\r\n*3\r\n$2\r\nv1\r\n$2\r\nv2\r\n$3\r\nxyz\r\n";
            assertEquals(expected, exchange(node.port(), commands, expected));
        }
    }

    @Test
    void pipelinedAcknowledgedWritesSurviveSigkill() throws Exception {
        Path data = dir.resolve("data");
        int sets = 3_000;
        int incrs = 1_000;
        try (ServerProcess server = new ServerProcess(data, "--sync", "SYNC")) {
            List<List<String>> commands = new java.util.ArrayList<>();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < sets; i++) {
                commands.add(List.of("SET", "key-" + i, "value-" + i));
                expected.append("+OK\r\n");
                if (i % 3 == 0 && i / 3 < incrs) {
                    commands.add(List.of("INCR", "counter"));
                    expected.append(':').append(i / 3 + 1).append("\r\n");
                }
            }
            // every reply has arrived: every write is acknowledged
            assertEquals(expected.toString(), exchange(server.port(), commands, expected.toString()));
            server.kill9();
        }
        try (ServerProcess server = new ServerProcess(data, "--sync", "SYNC");
             Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            for (int i = 0; i < sets; i++) {
                assertEquals("value-" + i, jedis.get("key-" + i), "key-" + i);
            }
            assertEquals(Integer.toString(incrs), jedis.get("counter"));
        }
    }
}
