package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.SyncMode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Malformed, oversized and random frames: each gets an error reply (or is waited out), the server
 * stays up, other connections are unaffected, and acknowledged data is intact.
 */
class GarbageInputTest {
    @TempDir
    Path dir;
    private CairnNode node;

    @BeforeEach
    void start() throws Exception {
        node = CairnNode.start(new ServerOptions(0, "127.0.0.1", dir.resolve("data"), SyncMode.NONE, null, 1000,
                64 * 1024, 1000));
    }

    @AfterEach
    void stop() {
        node.close();
    }

    /** Sends bytes on a fresh connection and returns what the server answered before closing or going quiet. */
    private String exchange(byte[] request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", node.port())) {
            s.setSoTimeout(300);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // quiet (waiting for more bytes) or reset: both are fine
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void specificBadFramesGetProtocolErrors() throws Exception {
        assertEquals("-ERR Protocol error: invalid bulk length\r\n", exchange(b("*1\r\n$999999999\r\n")));
        assertEquals("-ERR Protocol error: invalid multibulk length\r\n", exchange(b("*99999999\r\n")));
        assertEquals("-ERR Protocol error: invalid bulk length\r\n", exchange(b("*1\r\n$abc\r\n")));
        assertEquals("-ERR Protocol error: expected '$', got 'x'\r\n", exchange(b("*1\r\nxyz\r\n")));
        assertEquals("-ERR Protocol error: bulk string not terminated by CRLF\r\n", exchange(b("*1\r\n$3\r\nGETXX")));
        assertEquals("-ERR Protocol error: unbalanced quotes in request\r\n", exchange(b("SET \"a b\r\n")));
        assertTrue(exchange(b("NOSUCH 1\r\nPING\r\n")).endsWith("+PONG\r\n"), "an unknown command keeps the connection");
        assertEquals("", exchange(b("*2\r\n$3\r\nGET\r\n$1\r\n")), "a truncated frame waits for more bytes");
        assertEquals("+PONG\r\n+PONG\r\n", exchange(b("PING\r\n*1\r\n$4\r\nPING\r\n")), "inline and array forms");
    }

    @Test
    void thousandsOfRandomAndTruncatedFramesLeaveTheServerUpAndTheDataIntact() throws Exception {
        try (Jedis jedis = new Jedis("127.0.0.1", node.port())) {
            for (int i = 0; i < 100; i++) {
                jedis.set("safe-" + i, "value-" + i);
            }
            Random rnd = new Random(42);
            String[] templates = {"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
                    "PING\r\n", "*1\r\n$4\r\nPING\r\n"};
            int frames = 0;
            for (int conn = 0; conn < 60; conn++) {
                try (Socket s = new Socket("127.0.0.1", node.port())) {
                    s.setSoTimeout(200);
                    OutputStream out = s.getOutputStream();
                    for (int f = 0; f < 50; f++, frames++) {
                        byte[] frame;
                        switch (rnd.nextInt(4)) {
                            case 0 -> {
                                frame = new byte[1 + rnd.nextInt(200)];
                                rnd.nextBytes(frame);
                            }
                            case 1 -> {
                                byte[] t = b(templates[rnd.nextInt(templates.length)]);
                                frame = java.util.Arrays.copyOf(t, rnd.nextInt(t.length));
                            }
                            case 2 -> {
                                frame = b(templates[rnd.nextInt(templates.length)]);
                                frame[rnd.nextInt(frame.length)] = (byte) rnd.nextInt(256);
                            }
                            default -> frame = b("*" + rnd.nextInt(5) + "\r\n$" + (rnd.nextInt(3) - 1) + "\r\n");
                        }
                        try {
                            out.write(frame);
                            out.flush();
                        } catch (java.io.IOException closedByServer) {
                            break;
                        }
                    }
                    try {
                        s.getInputStream().read(new byte[65536]);
                    } catch (java.io.IOException ignored) {
                        // timeout or reset
                    }
                }
            }
            assertTrue(frames >= 1000, "sent " + frames + " frames");
            try (Jedis fresh = new Jedis("127.0.0.1", node.port())) {
                assertEquals("PONG", fresh.ping());
                for (int i = 0; i < 100; i++) {
                    assertEquals("value-" + i, fresh.get("safe-" + i));
                }
            }
            assertEquals("PONG", jedis.ping(), "a connection open the whole time is unaffected");
        }
    }
}
