package dev.cairn.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.SyncMode;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --io-spin-micros}: an event loop polls without blocking for a bounded time before it
 * sleeps; a task from another thread ends the spin, and an idle loop sleeps.
 */
class SpinningSelectStrategyTest {
    @TempDir
    Path dir;

    @Test
    void theOptionTheConfigFileTheDefaultAndTheBounds() throws Exception {
        assertEquals(ServerOptions.DEFAULT_IO_SPIN_MICROS, IoThreadsTest.parse().ioSpinMicros());
        assertEquals(0, IoThreadsTest.parse("--io-spin-micros", "0").ioSpinMicros());
        Path config = Files.writeString(dir.resolve("cairn.properties"), "io-spin-micros = 200\n");
        assertEquals(200, IoThreadsTest.parse("--config", config.toString()).ioSpinMicros());
        assertEquals(7, IoThreadsTest.parse("--config", config.toString(), "--io-spin-micros", "7").ioSpinMicros());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IoThreadsTest.parse("--io-spin-micros", "1001"));
        assertEquals("io-spin-micros must be between 0 and 1000, not 1001", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IoThreadsTest.parse("--io-spin-micros", "-1"));
    }

    /**
     * A loop that spins for ten seconds still runs a task handed to it from another thread at
     * once: the spin watches the loop's task queue (a task's wake-up goes unnoticed by a loop
     * that is not asleep, so a spin that only polled the sockets would hold the task back for
     * the whole ten seconds).
     */
    @Test
    void aTaskFromAnotherThreadEndsTheSpin() throws Exception {
        long tenSeconds = TimeUnit.SECONDS.toNanos(10);
        for (boolean epoll : Epoll.isAvailable() ? new boolean[] {true, false} : new boolean[] {false}) {
            EventLoopGroup group = epoll
                    ? new EpollEventLoopGroup(1, (java.util.concurrent.ThreadFactory) null, () -> new SpinningSelectStrategy(tenSeconds))
                    : new NioEventLoopGroup(1, (java.util.concurrent.ThreadFactory) null, SelectorProvider.provider(),
                            () -> new SpinningSelectStrategy(tenSeconds));
            try {
                for (int i = 0; i < 5; i++) {
                    Thread.sleep(20); // the loop is spinning (or about to) when the task comes
                    CompletableFuture<Long> ran = new CompletableFuture<>();
                    long handed = System.nanoTime();
                    group.next().execute(() -> ran.complete(System.nanoTime()));
                    long waited = ran.get(9, TimeUnit.SECONDS) - handed;
                    assertTrue(waited < TimeUnit.SECONDS.toNanos(5), (epoll ? "epoll" : "nio") + ": the task waited "
                            + TimeUnit.NANOSECONDS.toMillis(waited) + " ms for the spin");
                }
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
    }

    /** After serving a client, a node's event loop uses (almost) no CPU while no request comes: the spin ends and the loop sleeps. */
    @Test
    void anIdleLoopSleepsAfterItsSpin() throws Exception {
        ServerOptions options = new ServerOptions(0, "127.0.0.1", dir.resolve("d"), SyncMode.NONE, null, 100,
                1024 * 1024, 1024 * 1024).withIoSpinMicros(ServerOptions.MAX_IO_SPIN_MICROS);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (CairnNode node = CairnNode.start(options); Socket s = new Socket("127.0.0.1", node.port())) {
            for (int i = 0; i < 100; i++) {
                assertEquals("+PONG\r\n", IoThreadsTest.ping(s));
            }
            Thread loop = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith(node.ioThreadPrefix())).findFirst().orElseThrow();
            Thread.sleep(100);
            long before = threads.getThreadCpuTime(loop.getId());
            Thread.sleep(1000);
            long used = threads.getThreadCpuTime(loop.getId()) - before;
            // a loop that kept spinning would use most of the second; a sleeping one, next to nothing
            assertTrue(used < TimeUnit.MILLISECONDS.toNanos(300), "the idle loop used " + used / 1_000_000 + " ms of CPU in 1 s");
            assertEquals("+PONG\r\n", IoThreadsTest.ping(s)); // and wakes for the next request
        }
    }
}
