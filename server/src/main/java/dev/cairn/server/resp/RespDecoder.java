package dev.cairn.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes RESP2 requests into {@code List<byte[]>} commands, one per request, so pipelined
 * requests come out one after another. Accepts the two forms clients send: an array of bulk
 * strings ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) and an inline command ({@code PING\r\n}).
 *
 * <p>Limits: a bulk string longer than {@code maxBulkBytes}, an array with more than
 * {@code maxArrayLength} elements, or an inline line longer than {@code maxInlineBytes} is refused
 * before its bytes are buffered, with a {@link RespProtocolException} (as is anything malformed).
 * The decoder keeps its position across partial reads, so a request split over many TCP segments
 * is decoded once, without rescanning.
 */
public final class RespDecoder extends ByteToMessageDecoder {
    private final int maxBulkBytes;
    private final int maxArrayLength;
    private final int maxInlineBytes;

    // State of a partially read array request.
    private List<byte[]> args;
    private int remaining;
    private int bulkLength = -1;

    public RespDecoder(int maxBulkBytes, int maxArrayLength, int maxInlineBytes) {
        this.maxBulkBytes = maxBulkBytes;
        this.maxArrayLength = maxArrayLength;
        this.maxInlineBytes = maxInlineBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            if (args == null) {
                if (in.getByte(in.readerIndex()) == '*') {
                    Long n = readNumberLine(in, '*');
                    if (n == null) {
                        return;
                    }
                    if (n > maxArrayLength) {
                        throw new RespProtocolException("invalid multibulk length");
                    }
                    if (n <= 0) {
                        continue; // an empty or null array is no command: ignored, as Redis does
                    }
                    args = new ArrayList<>((int) n.longValue());
                    remaining = (int) n.longValue();
                } else {
                    List<byte[]> inline = readInline(in);
                    if (inline == null) {
                        return;
                    }
                    if (!inline.isEmpty()) {
                        out.add(inline);
                    }
                    continue;
                }
            }
            while (remaining > 0) {
                if (bulkLength < 0) {
                    if (!in.isReadable()) {
                        return;
                    }
                    if (in.getByte(in.readerIndex()) != '$') {
                        throw new RespProtocolException("expected '$', got '" + printable(in.getByte(in.readerIndex())) + "'");
                    }
                    Long n = readNumberLine(in, '$');
                    if (n == null) {
                        return;
                    }
                    if (n < 0 || n > maxBulkBytes) {
                        throw new RespProtocolException("invalid bulk length");
                    }
                    bulkLength = (int) n.longValue();
                }
                if (in.readableBytes() < bulkLength + 2) {
                    return;
                }
                byte[] arg = new byte[bulkLength];
                in.readBytes(arg);
                if (in.readByte() != '\r' || in.readByte() != '\n') {
                    throw new RespProtocolException("bulk string not terminated by CRLF");
                }
                args.add(arg);
                bulkLength = -1;
                remaining--;
            }
            out.add(args);
            args = null;
        }
    }

    /** Reads "<prefix><digits>\r\n"; null if the line is not complete yet. */
    private Long readNumberLine(ByteBuf in, char prefix) {
        int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (eol < 0) {
            if (in.readableBytes() > 32) {
                throw new RespProtocolException("invalid " + (prefix == '*' ? "multibulk" : "bulk") + " length");
            }
            return null;
        }
        int start = in.readerIndex() + 1;
        int end = eol - 1; // the '\r'
        if (end < start || in.getByte(end) != '\r' || end - start > 19) {
            throw new RespProtocolException("invalid " + (prefix == '*' ? "multibulk" : "bulk") + " length");
        }
        long n = 0;
        boolean negative = false;
        for (int i = start; i < end; i++) {
            byte b = in.getByte(i);
            if (i == start && b == '-') {
                negative = true;
                continue;
            }
            if (b < '0' || b > '9') {
                throw new RespProtocolException("invalid " + (prefix == '*' ? "multibulk" : "bulk") + " length");
            }
            n = n * 10 + (b - '0');
        }
        in.readerIndex(eol + 1);
        return negative ? -n : n;
    }

    /** An inline command: space-separated words up to CRLF (or LF), with Redis-style quoting. */
    private List<byte[]> readInline(ByteBuf in) {
        int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (eol < 0) {
            if (in.readableBytes() > maxInlineBytes) {
                throw new RespProtocolException("too big inline request");
            }
            return null;
        }
        int length = eol - in.readerIndex();
        if (length > maxInlineBytes) {
            throw new RespProtocolException("too big inline request");
        }
        byte[] line = new byte[length];
        in.readBytes(line);
        in.skipBytes(1);
        int n = line.length;
        if (n > 0 && line[n - 1] == '\r') {
            n--;
        }
        return InlineSplitter.split(line, n);
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xFF);
    }
}
