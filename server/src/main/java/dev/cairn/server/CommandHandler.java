package dev.cairn.server;

import dev.cairn.server.command.Commands;
import dev.cairn.server.command.ServerContext;
import dev.cairn.server.command.Session;
import dev.cairn.server.resp.Reply;
import dev.cairn.server.resp.RespProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per connection: runs each decoded command in order and writes its reply. A command whose
 * reply is not ready at once (a write waiting on an fsync, off this event loop) holds back the
 * connection's later commands until it completes — so every command sees the writes before it —
 * while the event loop serves other connections; reading pauses when too many commands (or bytes
 * of them) queue up. Replies to a pipeline are flushed together when the read batch ends.
 *
 * <p>A client that does not read its replies cannot make the server buffer without bound: once
 * the connection's unsent replies pass the channel's high water mark, the handler stops running
 * its commands and stops reading from it until the client has drained them below the low mark;
 * a single reply that pushes the unsent bytes past the output limit closes the connection (as
 * Redis's {@code client-output-buffer-limit} does). A protocol error gets an error reply and
 * closes this connection only.
 */
final class CommandHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);

    private final ServerContext context;
    private final Commands commands;
    private Session session;

    CommandHandler(ServerContext context, Commands commands) {
        this.context = context;
        this.commands = commands;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        context.totalConnections.increment();
        int clients = context.connectedClients.incrementAndGet();
        session = new Session(context.clientIds.incrementAndGet(), hostAndPort(ctx.channel().remoteAddress()),
                hostAndPort(ctx.channel().localAddress()), context.requirePass == null);
        context.sessions.add(session);
        if (clients > context.maxClients) {
            send(ctx, Reply.error("ERR max number of clients reached"));
            ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireChannelActive();
    }

    /** "127.0.0.1:52914", as Redis writes addresses (no leading slash). */
    private static String hostAndPort(java.net.SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress a) {
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        return String.valueOf(address);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        context.connectedClients.decrementAndGet();
        context.sessions.remove(session);
        context.closedCommands.add(session.commands());
        ctx.fireChannelInactive();
    }

    /** Replies of the current read batch (a pipeline), written out together at the end of the batch. */
    private ByteBuf pending;

    /** Commands read but not yet run, because an earlier one is still waiting for its reply. */
    private final ArrayDeque<List<byte[]>> queued = new ArrayDeque<>();
    private static final int MAX_QUEUED = 1024;
    /** The most pipelined writes run as one batch. */
    private static final int MAX_RUN = 256;
    /** Commands of a read batch run as they arrive only past this many; else when the read batch ends, together. */
    private static final int RUN_EARLY = 256;
    /** Reading pauses while the queued commands hold more than this many argument bytes. */
    private static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;
    private long queuedBytes;
    private boolean awaiting;

    /** Whether this connection has authenticated (or needs no password); the decoder's limits depend on it. */
    boolean authenticated() {
        return session != null && session.authenticated();
    }

    private static long size(List<byte[]> command) {
        if (command instanceof dev.cairn.server.resp.RespDecoder.Request r) {
            return r.bytes();
        }
        long n = 0;
        for (byte[] arg : command) {
            n += arg.length;
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (session.closing()) {
            return;
        }
        List<byte[]> command = (List<byte[]>) msg;
        queued.add(command);
        queuedBytes += size(command);
        if (queued.size() >= MAX_QUEUED || queuedBytes > MAX_QUEUED_BYTES) {
            ctx.channel().config().setAutoRead(false);
        }
        if (queued.size() >= RUN_EARLY || queuedBytes > MAX_QUEUED_BYTES / 2) {
            runQueued(ctx);
        }
        // otherwise the commands of this read run when it ends (channelReadComplete): a
        // pipeline's consecutive writes then go to the store as one batch
    }

    /**
     * {@code command} and the writes queued right behind it as one batch, taken off the queue;
     * null (and nothing taken) unless at least two consecutive writes can join one.
     */
    private Commands.WriteRun writeRun(List<byte[]> command) {
        if (!commands.joinsWriteRun(session, command) || !commands.joinsWriteRun(session, queued.peek())) {
            return null;
        }
        Commands.WriteRun run = commands.newWriteRun(session);
        if (run == null || !run.add(command)) {
            return null;
        }
        while (run.size() < MAX_RUN && !queued.isEmpty() && run.add(queued.peek())) {
            queuedBytes -= size(queued.poll());
        }
        if (run.size() == 1) {
            return null; // the one behind it could not join after all: run it alone
        }
        return run;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            runQueued(ctx);
            flushPending(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * Replies of writes that were applied when they ran and wait only to become durable
     * ({@link Commands.AppliedWrite}), oldest first. While there are any, the connection may run
     * more such writes (in SYNC mode a pipeline of SETs or INCRs then shares fsyncs instead of
     * paying one each, one after another), but nothing else: a read must see them durable.
     */
    private final ArrayDeque<CompletableFuture<Reply>> inFlight = new ArrayDeque<>();
    private static final int MAX_IN_FLIGHT = 1024;

    /** Runs queued commands until one has to wait; on the event loop. */
    private void runQueued(ChannelHandlerContext ctx) {
        if (!awaiting) {
            session.beginBatch(); // (while a command runs elsewhere, its thread owns the session's clock mark)
        }
        while (!awaiting && !queued.isEmpty() && !session.closing()) {
            if (!ctx.channel().isWritable()) {
                // the client is not reading its replies: run nothing more, read nothing more,
                // until it drains them (channelWritabilityChanged resumes)
                ctx.channel().config().setAutoRead(false);
                flushPending(ctx);
                return;
            }
            if (inFlight.size() >= MAX_IN_FLIGHT) {
                return; // resumed as they complete
            }
            List<byte[]> command = queued.poll();
            queuedBytes -= size(command);
            CompletableFuture<Reply> reply;
            Commands.WriteRun run = queued.isEmpty() ? null : writeRun(command);
            if (run != null) {
                holdDurabilityForThisRound(ctx);
                reply = commands.execute(run);
            } else if (!inFlight.isEmpty() && !commands.mayRunBehindWrites(session, command)) {
                // wait for the applied writes to become durable before anything that may read
                queued.addFirst(command);
                queuedBytes += size(command);
                return;
            } else {
                if (context.writesMayBlock() && commands.joinsWriteRun(session, command)) {
                    holdDurabilityForThisRound(ctx); // a write the event loop issues itself
                }
                reply = commands.executeAsync(session, command);
            }
            if (reply.isDone() && inFlight.isEmpty()) {
                write(ctx, reply.join());
                continue;
            }
            // replies go out in command order: this one after those still in flight
            inFlight.add(reply);
            boolean blocking = !(reply instanceof Commands.AppliedWrite) && !reply.isDone();
            if (blocking) {
                awaiting = true; // not applied yet: the next command must not run before it
            }
            reply.whenComplete((r, e) -> ctx.executor().execute(() -> {
                if (blocking) {
                    awaiting = false;
                }
                drainInFlight(ctx);
                runQueued(ctx);
                flushPending(ctx);
            }));
        }
        if (queued.size() < MAX_QUEUED / 2 && queuedBytes <= MAX_QUEUED_BYTES / 2 && ctx.channel().isWritable()
                && !ctx.channel().config().isAutoRead() && !session.closing()) {
            ctx.channel().config().setAutoRead(true);
        }
        if (session.closing() && inFlight.isEmpty()) {
            queued.clear();
            flushPending(ctx);
            ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Writes the replies of in-flight writes that completed, in order, up to the first still waiting. */
    private void drainInFlight(ChannelHandlerContext ctx) {
        while (!inFlight.isEmpty() && inFlight.peek().isDone()) {
            CompletableFuture<Reply> done = inFlight.poll();
            Reply r;
            try {
                r = done.join();
            } catch (RuntimeException e) {
                r = Reply.error("ERR internal error: " + e);
            }
            write(ctx, r);
        }
    }

    private void write(ChannelHandlerContext ctx, Reply reply) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (pending == null) {
            pending = ctx.alloc().buffer(256);
        }
        reply.write(pending);
        if (pending.readableBytes() > 64 * 1024) {
            ctx.write(pending, ctx.voidPromise());
            pending = null;
            checkOutputLimit(ctx);
        }
    }

    /** Closes a connection whose unsent replies passed the output limit. */
    private void checkOutputLimit(ChannelHandlerContext ctx) {
        io.netty.channel.ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        long unsent = (out == null ? 0 : out.totalPendingWriteBytes()) + (pending == null ? 0 : pending.readableBytes());
        if (unsent > context.maxOutputBytes) {
            log.warn("closing client {}: {} bytes of replies unsent, over the output buffer limit of {}",
                    ctx.channel().remoteAddress(), unsent, context.maxOutputBytes);
            context.outputLimitDisconnections.increment();
            session.close();
            queued.clear();
            queuedBytes = 0;
            if (pending != null) {
                pending.release();
                pending = null;
            }
            ctx.close();
        }
    }

    private void flushPending(ChannelHandlerContext ctx) {
        if (pending != null) {
            ctx.write(pending, ctx.voidPromise());
            pending = null;
            checkOutputLimit(ctx);
        }
        ctx.flush();
    }

    private static void send(ChannelHandlerContext ctx, Reply reply) {
        ByteBuf out = ctx.alloc().buffer(64);
        reply.write(out);
        ctx.write(out, ctx.voidPromise());
    }

    /** Whether this event loop holds the store's group commit for the round of ready connections it is serving. */
    private static final io.netty.util.concurrent.FastThreadLocal<boolean[]> HOLDING =
            new io.netty.util.concurrent.FastThreadLocal<>() {
                @Override
                protected boolean[] initialValue() {
                    return new boolean[1];
                }
            };

    /**
     * Where writes wait on an fsync, holds the store's group commit
     * ({@link dev.cairn.api.AsyncStore#holdDurability}), from the first write this event loop
     * issues in a round, until it has served the connections that are ready now: a task queued on
     * the loop runs after them and lets go (a round of reads takes no hold). The
     * writes of one round then share one fsync, as redis-server's {@code appendfsync always}
     * syncs once per round of its event loop, instead of the first write of the round starting
     * an fsync of its own while the others queue for the next.
     */
    private void holdDurabilityForThisRound(ChannelHandlerContext ctx) {
        if (!context.writesMayBlock()) {
            return;
        }
        boolean[] holding = HOLDING.get();
        if (holding[0]) {
            return;
        }
        Runnable release = context.database(session.db()).async().holdDurability();
        if (release == dev.cairn.api.AsyncStore.NO_HOLD) {
            return;
        }
        holding[0] = true;
        Runnable letGo = () -> {
            holding[0] = false;
            release.run();
        };
        try {
            ctx.executor().execute(letGo);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            letGo.run(); // the loop is shutting down: hold nothing
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        runQueued(ctx);
        flushPending(ctx);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof RespProtocolException) {
            ByteBuf out = ctx.alloc().buffer(64);
            Reply.error("ERR Protocol error: " + root.getMessage()).write(out);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        } else if (root instanceof IOException) {
            ctx.close(); // the peer went away
        } else {
            log.warn("closing connection {} after an unexpected error", ctx.channel().remoteAddress(), root);
            ctx.close();
        }
    }
}
