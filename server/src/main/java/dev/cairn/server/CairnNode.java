package dev.cairn.server;

import dev.cairn.server.command.Commands;
import dev.cairn.server.command.ServerContext;
import dev.cairn.server.resp.RespDecoder;
import dev.cairn.api.Namespaces;
import dev.cairn.api.Store;
import dev.cairn.api.Stores;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: a store opened through {@link Stores#open} — {@code file:} the data directory,
 * or {@code mem:} with {@code memory} — behind a RESP endpoint on Netty. Redis database 0 is the
 * store's namespace {@value #DATABASE_0}.
 *
 * <p>Commands run on the Netty event loop of their connection, in the order they arrived, so a
 * pipeline's replies come back in order. {@link #close()} stops accepting, lets the event loops
 * finish the commands they have, then closes the store (which syncs its WAL).
 */
public final class CairnNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CairnNode.class);

    /** The namespace of Redis database 0. */
    public static final String DATABASE_0 = "0";
    private static final java.util.concurrent.atomic.AtomicLong MEMORY_NODES = new java.util.concurrent.atomic.AtomicLong();

    private final Namespaces namespaces;
    private final Store store;
    /** Linux's epoll transport when its native library loads, NIO otherwise. */
    private static final boolean EPOLL = Epoll.isAvailable();

    private final EventLoopGroup boss = EPOLL ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
    /** {@link ServerOptions#ioThreads} event loops (Netty's default is two per core), threads named {@link #ioThreadPrefix}. */
    private final EventLoopGroup workers;
    private static final java.util.concurrent.atomic.AtomicLong NODES = new java.util.concurrent.atomic.AtomicLong();
    private final String ioThreadPrefix = "cairn-io-" + NODES.incrementAndGet() + "-";
    private final Channel serverChannel;
    private final ServerContext context;
    private volatile boolean closed;

    private CairnNode(ServerOptions options, java.time.Clock clock) throws IOException, InterruptedException {
        java.util.concurrent.atomic.AtomicInteger loops = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ThreadFactory named = r -> new io.netty.util.concurrent.FastThreadLocalThread(r,
                ioThreadPrefix + loops.incrementAndGet());
        long spinNanos = options.ioSpinMicros() * 1000L;
        SelectStrategyFactory strategies = spinNanos > 0 ? () -> new SpinningSelectStrategy(spinNanos)
                : DefaultSelectStrategyFactory.INSTANCE;
        workers = EPOLL ? new EpollEventLoopGroup(options.ioThreads(), named, strategies)
                : new NioEventLoopGroup(options.ioThreads(), named, SelectorProvider.provider(), strategies);
        String valueLimit = Integer.toString(options.maxValueBytes());
        namespaces = options.cluster() != null ? joinCluster(options, clock)
                : options.memory()
                ? Stores.open("mem:cairn-server-" + MEMORY_NODES.incrementAndGet(), Map.of("maxValueBytes", valueLimit), clock)
                : Stores.open("file:" + options.dataDir().toAbsolutePath(),
                        Map.of("sync", options.sync().name(), "maxValueBytes", valueLimit), clock);
        // database i of SELECT is namespace "i"
        context = new ServerContext(db -> namespaces.namespace(Integer.toString(db)), options.databases(),
                namespaces::names, options.requirePass(), options.bind(), options.maxClients(), options.maxBulkBytes(), options.maxOutputBytes(),
                options.cluster() != null ? ServerContext.CLUSTER : options.memory() ? "NONE" : options.sync().name(),
                version());
        if (clock instanceof dev.cairn.server.command.SettableClock settable) {
            context.testClock(settable);
        }
        store = context.store;
        Commands commands = new Commands(context);
        try {
            serverChannel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // past 4 MiB of unsent replies a connection stops running commands until its client reads
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new io.netty.channel.WriteBufferWaterMark(1024 * 1024, 4 * 1024 * 1024))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            CommandHandler handler = new CommandHandler(context, commands);
                            ch.pipeline().addLast(
                                    new RespDecoder(options.maxBulkBytes(), options.maxArrayLength(), 64 * 1024,
                                            options.maxRequestBytes(), handler::authenticated),
                                    handler);
                        }
                    })
                    .bind(options.bind(), options.port()).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            shutdownLoops();
            namespaces.close();
            throw e;
        }
        context.port(((InetSocketAddress) serverChannel.localAddress()).getPort());
    }

    /**
     * Joins the cluster: the local engine in the data directory (or in memory), the topology's
     * Raft log beside it, the cluster endpoint on the bind address and cluster port.
     */
    private static Namespaces joinCluster(ServerOptions options, java.time.Clock clock) {
        Map<String, String> settings = new java.util.HashMap<>();
        settings.put("member", options.clusterEndpoint());
        settings.put("members", String.join(",", options.members()));
        // listen at once: the first node of a cluster started one by one has no majority yet, and
        // requests wait for a primary (then fail with a retriable error) rather than the port
        settings.put("joinWaitMillis", "0");
        settings.put("maxValueBytes", Integer.toString(options.maxValueBytes()));
        if (options.memory()) {
            settings.put("data", "mem:cairn-server-" + MEMORY_NODES.incrementAndGet());
        } else {
            java.nio.file.Path dir = options.dataDir().toAbsolutePath();
            settings.put("data", "file:" + dir.resolve("data"));
            // a replica's acknowledgement means what --sync says: with SYNC, the write is on its disk
            settings.put("data.sync", options.sync().name());
            settings.put("raftLogDir", dir.resolve("raft").toString());
            try {
                java.nio.file.Files.createDirectories(dir.resolve("raft"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return Stores.open("cluster:" + options.cluster(), settings, clock);
    }

    /** Opens the store and starts listening; {@code port} 0 picks a free port (see {@link #port()}). */
    public static CairnNode start(ServerOptions options) throws IOException, InterruptedException {
        return new CairnNode(options, java.time.Clock.systemUTC());
    }

    /**
     * As above, the store reading time from {@code clock}; a {@link dev.cairn.server.command.SettableClock}
     * (--test-clock) also enables {@code CAIRN.CLOCK SET}.
     */
    public static CairnNode start(ServerOptions options, java.time.Clock clock) throws IOException, InterruptedException {
        return new CairnNode(options, clock);
    }

    /** The Netty transport in use: "epoll" or "nio". */
    public static String transport() {
        return EPOLL ? "epoll" : "nio";
    }

    public int port() {
        return context.port();
    }

    public Store store() {
        return store;
    }

    /**
     * Calls {@code listener} once if this node is a cluster member and its storage fails (a failed
     * fsync): the member has left the cluster by then, its segments taken over by the others.
     */
    public void onStorageFailure(java.util.function.Consumer<Throwable> listener) {
        if (store instanceof dev.cairn.transport.replication.ClusterStore cs) {
            cs.onStorageFailure(listener);
        }
    }

    /** How this node's event loop threads are named ("cairn-io-<node>-<loop>"), so a thread dump tells them apart. */
    String ioThreadPrefix() {
        return ioThreadPrefix;
    }

    /** What the commands share: settings, counters, the SCAN cursor table. */
    ServerContext context() {
        return context;
    }

    static String version() {
        Properties p = new Properties();
        try (InputStream in = CairnNode.class.getResourceAsStream("/cairn-server.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to unknown
        }
        return p.getProperty("version", "unknown");
    }

    private void shutdownLoops() {
        boss.shutdownGracefully(0, 5_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        // a short quiet period lets commands already read finish; then the loops stop
        workers.shutdownGracefully(100, 10_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    /** Stops accepting, finishes in-flight commands, then flushes and closes the store. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("stopping: no new connections, finishing in-flight commands");
        serverChannel.close().syncUninterruptibly();
        shutdownLoops();
        context.shutdown();
        namespaces.close(); // the engine syncs its WAL as it closes
        log.info("stopped; store closed cleanly");
    }
}
