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
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per connection: runs each decoded command in order and writes its reply. Replies to a
 * pipeline are flushed together when the read batch ends. A protocol error gets an error reply and
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
        session = new Session(context.clientIds.incrementAndGet(), String.valueOf(ctx.channel().remoteAddress()),
                context.requirePass == null);
        context.sessions.add(session);
        if (clients > context.maxClients) {
            send(ctx, Reply.error("ERR max number of clients reached"));
            ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireChannelActive();
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

    @SuppressWarnings("unchecked")
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (session.closing()) {
            return;
        }
        Reply reply = commands.execute(session, (List<byte[]>) msg);
        if (pending == null) {
            pending = ctx.alloc().buffer(256);
        }
        reply.write(pending);
        if (pending.readableBytes() > 64 * 1024) {
            ctx.write(pending, ctx.voidPromise());
            pending = null;
        }
        if (session.closing()) {
            flushPending(ctx);
            ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void flushPending(ChannelHandlerContext ctx) {
        if (pending != null) {
            ctx.write(pending, ctx.voidPromise());
            pending = null;
        }
        ctx.flush();
    }

    private static void send(ChannelHandlerContext ctx, Reply reply) {
        ByteBuf out = ctx.alloc().buffer(64);
        reply.write(out);
        ctx.write(out, ctx.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
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
