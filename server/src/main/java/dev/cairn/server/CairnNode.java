package dev.cairn.server;

import dev.cairn.server.command.Commands;
import dev.cairn.server.command.ServerContext;
import dev.cairn.server.resp.RespDecoder;
import dev.cairn.api.Store;
import dev.cairn.storage.LsmStore;
import dev.cairn.storage.memory.MemoryStore;
import dev.cairn.storage.StorageOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: an {@link LsmStore} in the data directory (or, with {@code memory}, a
 * {@link MemoryStore}) behind a RESP endpoint on Netty.
 *
 * <p>Commands run on the Netty event loop of their connection, in the order they arrived, so a
 * pipeline's replies come back in order. {@link #close()} stops accepting, lets the event loops
 * finish the commands they have, then closes the store (which syncs its WAL).
 */
public final class CairnNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CairnNode.class);

    private final Store store;
    /** Linux's epoll transport when its native library loads, NIO otherwise. */
    private static final boolean EPOLL = Epoll.isAvailable();

    private final EventLoopGroup boss = EPOLL ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
    private final EventLoopGroup workers = EPOLL ? new EpollEventLoopGroup() : new NioEventLoopGroup();
    private final Channel serverChannel;
    private final ServerContext context;
    private volatile boolean closed;

    private CairnNode(ServerOptions options) throws IOException, InterruptedException {
        store = options.memory() ? new MemoryStore()
                : LsmStore.open(StorageOptions.builder(options.dataDir()).syncMode(options.sync()).build());
        context = new ServerContext(store, options.requirePass(), options.bind(), options.maxClients(),
                options.maxBulkBytes(), options.memory() ? "NONE" : options.sync().name(), version());
        Commands commands = new Commands(context);
        try {
            serverChannel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(
                                    new RespDecoder(options.maxBulkBytes(), options.maxArrayLength(), 64 * 1024),
                                    new CommandHandler(context, commands));
                        }
                    })
                    .bind(options.bind(), options.port()).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            shutdownLoops();
            store.close();
            throw e;
        }
        context.port(((InetSocketAddress) serverChannel.localAddress()).getPort());
    }

    /** Opens the store and starts listening; {@code port} 0 picks a free port (see {@link #port()}). */
    public static CairnNode start(ServerOptions options) throws IOException, InterruptedException {
        return new CairnNode(options);
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
        try {
            if (store instanceof LsmStore lsm) {
                lsm.flush();
            }
        } finally {
            store.close();
        }
        log.info("stopped; store closed cleanly");
    }
}
