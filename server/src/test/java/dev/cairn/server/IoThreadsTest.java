package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.storage.SyncMode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --io-threads}: how many event loops serve the connections, from the command line, the config file or the default. */
class IoThreadsTest {
    @TempDir
    Path dir;

    /** The options {@code cairn-server} would run with, given {@code args}. */
    static ServerOptions parse(String... args) throws Exception {
        CairnServer server = new CairnServer();
        new CommandLine(server).parseArgs(args);
        return server.options();
    }

    @Test
    void theOptionTheConfigFileAndTheDefault() throws Exception {
        assertEquals(3, parse("--io-threads", "3").ioThreads());
        Path config = Files.writeString(dir.resolve("cairn.properties"), "io-threads = 2\n");
        assertEquals(2, parse("--config", config.toString()).ioThreads());
        assertEquals(5, parse("--config", config.toString(), "--io-threads", "5").ioThreads());
        assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), parse().ioThreads());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--io-threads", "0"));
        assertEquals("io-threads must be at least 1, not 0", e.getMessage());
    }

    @Test
    void connectionsShareAsManyEventLoopsAsConfigured() throws Exception {
        for (int loops : new int[] {1, 3}) {
            ServerOptions options = new ServerOptions(0, "127.0.0.1", dir.resolve("d" + loops), SyncMode.NONE, null, 100,
                    1024 * 1024, 1024 * 1024).withIoThreads(loops);
            try (CairnNode node = CairnNode.start(options)) {
                List<Socket> clients = new ArrayList<>();
                try {
                    for (int i = 0; i < 6; i++) { // Netty hands connections to its loops in turn: 6 reach all of 1 or 3
                        Socket s = new Socket("127.0.0.1", node.port());
                        clients.add(s);
                        assertEquals("+PONG\r\n", ping(s));
                    }
                    long running = Thread.getAllStackTraces().keySet().stream()
                            .filter(t -> t.getName().startsWith(node.ioThreadPrefix()) && t.isAlive()).count();
                    assertEquals(loops, running, "event loop threads named " + node.ioThreadPrefix() + "*");
                } finally {
                    for (Socket s : clients) {
                        s.close();
                    }
                }
            }
        }
    }

    /** Sends PING on {@code s} and returns the reply's bytes ("+PONG\r\n"). */
    static String ping(Socket s) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] reply = new byte[7];
        int n = 0;
        while (n < reply.length) {
            int r = in.read(reply, n, reply.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return new String(reply, 0, n, StandardCharsets.US_ASCII);
    }
}
