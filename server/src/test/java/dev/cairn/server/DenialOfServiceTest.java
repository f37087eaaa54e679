package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.SyncMode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The attacks of issue 11, each against a live node: the node stays up, answers other clients
 * while the attack goes on, and its memory stays bounded. Memory is this JVM's heap after a
 * collection, which the node shares with the test; the bounds are far below what the unfixed
 * server used (hundreds of MB to OOM) and far above noise.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DenialOfServiceTest {
    @TempDir
    Path dir;
    private CairnNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private CairnNode start(String password, long maxOutputBytes) throws Exception {
        node = CairnNode.start(new ServerOptions(0, "127.0.0.1", dir.resolve("data"), SyncMode.NONE, password, 10_000,
                ServerOptions.DEFAULT_MAX_BULK_BYTES, 1024 * 1024, true, null, List.of(), ServerOptions.DEFAULT_CLUSTER_PORT,
                ServerOptions.DEFAULT_MAX_REQUEST_BYTES, maxOutputBytes, ServerOptions.DEFAULT_MAX_BULK_BYTES, 16,
                ServerOptions.DEFAULT_IO_THREADS));
        return node;
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A RESP array of bulk strings. */
    private static byte[] command(byte[]... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(b("*" + args.length + "\r\n"));
        for (byte[] a : args) {
            out.writeBytes(b("$" + a.length + "\r\n"));
            out.writeBytes(a);
            out.writeBytes(b("\r\n"));
        }
        return out.toByteArray();
    }

    /** Reads what the server sends until it closes the connection or goes quiet for a while. */
    private static String readAll(Socket s) throws IOException {
        s.setSoTimeout(2_000);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            InputStream in = s.getInputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException | java.net.SocketException e) {
            // quiet or reset
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    private void assertOthersServed(String password) {
        try (Jedis j = new Jedis("127.0.0.1", node.port())) {
            if (password != null) {
                j.auth(password);
            }
            assertEquals("PONG", j.ping());
            j.set("canary", "alive");
            assertEquals("alive", j.get("canary"));
        }
    }

    @Test
    void unauthenticatedClientsCannotMakeTheNodeBufferOrAllocate() throws Exception {
        start("sesame", ServerOptions.DEFAULT_MAX_OUTPUT_BYTES);
        long before = heapAfterGc();
        List<Socket> attackers = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                Socket s = new Socket("127.0.0.1", node.port());
                attackers.add(s);
                // the declared array and bulk lengths, never followed by their bytes
                s.getOutputStream().write(b(i % 2 == 0 ? "*1048576\r\n" : "*2\r\n$4\r\nAUTH\r\n$100000000\r\n"));
                s.getOutputStream().flush();
            }
            assertOthersServed("sesame");
            for (int i = 0; i < attackers.size(); i++) {
                String reply = readAll(attackers.get(i));
                assertEquals(i % 2 == 0 ? "-ERR Protocol error: unauthenticated multibulk length\r\n"
                        : "-ERR Protocol error: unauthenticated bulk length\r\n", reply);
            }
        } finally {
            for (Socket s : attackers) {
                s.close();
            }
        }
        long grown = heapAfterGc() - before;
        assertTrue(grown < 64L * 1024 * 1024, "heap grew by " + grown + " bytes under the pre-AUTH attack");
        // the limits are for unauthenticated clients only: after AUTH, a 1 MB value goes through
        try (Jedis j = new Jedis("127.0.0.1", node.port())) {
            j.auth("sesame");
            byte[] big = new byte[1024 * 1024];
            Arrays.fill(big, (byte) 'x');
            j.set(b("big"), big);
            assertEquals(big.length, j.strlen("big"));
        }
    }

    @Test
    void malformedLengthsAreProtocolErrorsAsInRedis() throws Exception {
        start(null, ServerOptions.DEFAULT_MAX_OUTPUT_BYTES);
        for (String frame : List.of("*9999999999999999999\r\n", "*-\r\n", "*12a\r\n", "*\r\n")) {
            try (Socket s = new Socket("127.0.0.1", node.port())) {
                s.getOutputStream().write(b(frame));
                assertEquals("-ERR Protocol error: invalid multibulk length\r\n", readAll(s), frame);
            }
        }
        for (String frame : List.of("*1\r\n$\r\n", "*1\r\n$-\r\n", "*1\r\n$-1\r\n", "*1\r\n$99999999999999999999\r\n")) {
            try (Socket s = new Socket("127.0.0.1", node.port())) {
                s.getOutputStream().write(b(frame));
                assertEquals("-ERR Protocol error: invalid bulk length\r\n", readAll(s), frame);
            }
        }
        try (Socket s = new Socket("127.0.0.1", node.port())) {
            s.getOutputStream().write(b("*-1\r\n*0\r\nPING\r\n"));
            assertEquals("+PONG\r\n", readAll(s), "null and empty arrays are skipped, as Redis does");
        }
        assertOthersServed(null);
    }

    @Test
    void patternsMatchInLinearTimeWithoutHoldingTheEventLoop() throws Exception {
        start(null, ServerOptions.DEFAULT_MAX_OUTPUT_BYTES);
        try (Jedis j = new Jedis("127.0.0.1", node.port(), 60_000)) {
            for (int i = 0; i < 50; i++) {
                j.set("a".repeat(2_000) + i, "v");
            }
            String match = "a".repeat(40) + "b";
            j.set(match, "v");
            // 30 stars: exponential for a backtracking matcher, a few million steps here
            String stars = "a*".repeat(30) + "b";
            assertEquals(Set.of(match), new HashSet<>(j.keys(stars)));
            ScanResult<String> page = j.scan("0", new ScanParams().match(stars).count(1000));
            assertEquals(List.of(match), page.getResult());
            // 50,000 "*?" pairs: recursion would overflow the stack
            assertEquals(0, j.keys("*?".repeat(50_000)).size(), "no key is 50,000 bytes long");
            assertEquals(50, j.keys("*?".repeat(1_000)).size(), "the 50 keys of 2,000 bytes and more");
            assertEquals("PONG", j.ping(), "the connection is still there");
        }
        assertOthersServed(null);
    }

    @Test
    void aLongKeysDoesNotStallOtherClientsOnItsEventLoop() throws Exception {
        start(null, ServerOptions.DEFAULT_MAX_OUTPUT_BYTES);
        try (Jedis j = new Jedis("127.0.0.1", node.port(), 60_000)) {
            for (int i = 0; i < 2_000; i++) {
                j.set("k:" + i + ":" + "x".repeat(200), "v");
            }
        }
        // many connections land on every event loop; while slow KEYS run on some, PINGs on the others answer
        List<Thread> slow = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                try (Jedis j = new Jedis("127.0.0.1", node.port(), 60_000)) {
                    for (int k = 0; k < 3; k++) {
                        j.keys("*x*x*x*x*x*x*x*x*x*x*x*x*x*x*x*x*y");
                    }
                }
            });
            t.start();
            slow.add(t);
        }
        for (int i = 0; i < 20; i++) {
            try (Jedis j = new Jedis("127.0.0.1", node.port(), 10_000)) {
                assertEquals("PONG", j.ping());
            }
        }
        for (Thread t : slow) {
            t.join();
        }
    }

    @Test
    void scanCursorsDoNotAccumulate() throws Exception {
        start(null, ServerOptions.DEFAULT_MAX_OUTPUT_BYTES);
        Set<String> all = new HashSet<>();
        try (Jedis j = new Jedis("127.0.0.1", node.port(), 60_000)) {
            for (int i = 0; i < 400; i++) {
                String key = String.format("%04d", i) + "k".repeat(60_000);
                j.set(key, "v");
                all.add(key);
            }
            // each call leaves a cursor holding a 60 KB key: 3,000 of them would be 180 MB
            for (int i = 0; i < 3_000; i++) {
                j.scan("0", new ScanParams().count(1 + i % 5));
            }
            assertTrue(node.context().cursorBytes() <= 16L * 1024 * 1024, "cursor table holds " + node.context().cursorBytes());
            // a scan in progress still runs to its end and sees every key
            Set<String> seen = new HashSet<>();
            String cursor = "0";
            do {
                ScanResult<String> page = j.scan(cursor, new ScanParams().count(50));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals("0"));
            assertEquals(all, seen);
            assertEquals("ERR invalid cursor", assertThrowsMessage(() -> j.scan("12345", new ScanParams())));
        }
    }

    private static String assertThrowsMessage(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected an error reply");
    }

    @Test
    void unknownCommandErrorsEchoAShortPrefix() throws Exception {
        start(null, ServerOptions.DEFAULT_MAX_OUTPUT_BYTES);
        byte[][] args = new byte[20][];
        args[0] = b("nosuch");
        for (int i = 1; i < args.length; i++) {
            args[i] = new byte[1024 * 1024];
            Arrays.fill(args[i], (byte) ('a' + i));
        }
        try (Socket s = new Socket("127.0.0.1", node.port())) {
            s.getOutputStream().write(command(args));
            s.getOutputStream().write(b("PING\r\n"));
            String reply = readAll(s);
            assertEquals("-ERR unknown command 'nosuch', with args beginning with: '" + "b".repeat(128) + "' \r\n+PONG\r\n", reply);
        }
    }

    @Test
    void aClientThatNeverReadsIsPausedNotBuffered() throws Exception {
        start(null, ServerOptions.DEFAULT_MAX_OUTPUT_BYTES);
        byte[] big = new byte[1024 * 1024];
        Arrays.fill(big, (byte) 'v');
        try (Jedis j = new Jedis("127.0.0.1", node.port())) {
            j.set(b("big"), big);
        }
        long before = heapAfterGc();
        int requests = 1_000; // 1 GB of replies if the node buffered them
        try (Socket s = new Socket("127.0.0.1", node.port())) {
            s.setReceiveBufferSize(64 * 1024);
            OutputStream out = s.getOutputStream();
            byte[] get = command(b("GET"), b("big"));
            for (int i = 0; i < requests; i++) {
                out.write(get);
            }
            out.flush();
            Thread.sleep(1_000);
            assertOthersServed(null);
            long grown = heapAfterGc() - before;
            assertTrue(grown < 128L * 1024 * 1024, "heap grew by " + grown + " bytes for a client that does not read");
            // when the client reads at last, every reply is there, in order
            InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
            s.setSoTimeout(30_000);
            byte[] header = b("$" + big.length + "\r\n");
            for (int i = 0; i < requests; i++) {
                assertTrue(Arrays.equals(header, in.readNBytes(header.length)), "reply " + i);
                in.skipNBytes(big.length + 2L);
            }
        }
    }

    @Test
    void aReplyPastTheOutputLimitClosesThatConnectionOnly() throws Exception {
        start(null, 8L * 1024 * 1024);
        byte[] big = new byte[1024 * 1024];
        try (Jedis j = new Jedis("127.0.0.1", node.port())) {
            j.set(b("big"), big);
        }
        try (Socket s = new Socket("127.0.0.1", node.port())) {
            byte[][] mget = new byte[21][];
            mget[0] = b("MGET");
            Arrays.fill(mget, 1, mget.length, b("big"));
            s.getOutputStream().write(command(mget));
            s.setSoTimeout(10_000);
            // the node closes the connection; whatever arrived before is less than the reply
            InputStream in = s.getInputStream();
            long n = 0;
            try {
                byte[] buf = new byte[65536];
                for (int r; (r = in.read(buf)) > 0; ) {
                    n += r;
                }
            } catch (java.net.SocketException e) {
                // reset by the node: closed
            }
            assertTrue(n < 20L * big.length, "got " + n + " bytes");
        }
        assertEquals(1, node.context().outputLimitDisconnections.sum());
        assertOthersServed(null);
    }

    @Test
    void helloChecksTheNameAndSetsItOnlyOnceAuthenticated() throws Exception {
        start("sesame", ServerOptions.DEFAULT_MAX_OUTPUT_BYTES);
        try (Socket s = new Socket("127.0.0.1", node.port())) {
            OutputStream out = s.getOutputStream();
            out.write(command(b("HELLO"), b("2"), b("SETNAME"), b("ev il")));
            out.write(command(b("HELLO"), b("2"), b("SETNAME"), b("evil")));
            out.write(command(b("AUTH"), b("sesame")));
            out.write(command(b("CLIENT"), b("GETNAME")));
            assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
                    + "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH "
                    + "<user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n"
                    + "+OK\r\n$-1\r\n", readAll(s));
        }
        try (Jedis j = new Jedis("127.0.0.1", node.port())) {
            j.auth("sesame");
            assertNull(j.clientGetname());
        }
    }
}
