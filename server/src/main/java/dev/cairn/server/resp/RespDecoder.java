package dev.cairn.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.BooleanSupplier;

/**
 * Decodes RESP2 requests into {@code List<byte[]>} commands ({@link Request}: one array of arguments), one per request, so pipelined
 * requests come out one after another. Accepts the two forms clients send: an array of bulk
 * strings ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) and an inline command ({@code PING\r\n}).
 *
 * <p>Limits, as redis-server applies them, each refused with a {@link RespProtocolException}
 * before the bytes it announces are buffered:
 * <ul>
 *   <li>an array of more than {@code maxArrayLength} elements (Redis: 1,048,576), a bulk string
 *       longer than {@code maxBulkBytes} ({@code proto-max-bulk-len}), an inline line longer than
 *       {@code maxInlineBytes};
 *   <li>before the connection has authenticated, an array of more than
 *       {@value #UNAUTHENTICATED_ARRAY} elements and a bulk string longer than
 *       {@value #UNAUTHENTICATED_BULK} bytes, so an unauthenticated client holds a few kilobytes;
 *   <li>a request whose bulk strings add up to more than {@code maxRequestBytes}
 *       ({@code client-query-buffer-limit}).
 * </ul>
 * Nothing is allocated from a declared length before the bytes arrive: the argument list grows as
 * arguments come. Lengths are strict decimals ({@code *-}, {@code $} with no digits, or a number
 * that overflows 64 bits are errors). The decoder keeps its position across partial reads, so a
 * request split over many TCP segments is decoded once, without rescanning.
 */
public final class RespDecoder extends ByteToMessageDecoder {
    /** The most elements an unauthenticated client's request may have (Redis's limit). */
    public static final int UNAUTHENTICATED_ARRAY = 10;
    /** The longest bulk string an unauthenticated client may send (Redis's limit). */
    public static final int UNAUTHENTICATED_BULK = 16 * 1024;
    /** The longest length line ({@code *<n>} or {@code $<n>}) before its CRLF. */
    private static final int MAX_LENGTH_LINE = 64 * 1024;

    private final int maxBulkBytes;
    private final int maxArrayLength;
    private final int maxInlineBytes;
    private final long maxRequestBytes;
    private final BooleanSupplier authenticated;

    /**
     * A decoded request: its arguments, and how many bytes they hold (which the connection
     * handler counts against its queue limit without adding them up again). Read-only to its
     * users; its array is sized from the declared count (up to {@value #PRESIZED} arguments, so a
     * declared length never reserves more than that) and grows only past it.
     */
    public static final class Request extends AbstractList<byte[]> implements RandomAccess {
        /** The most arguments a request's array is sized for before they arrive. */
        static final int PRESIZED = 64;
        private byte[][] args;
        private int size;
        private long bytes;

        Request(int declared) {
            args = new byte[Math.min(declared, PRESIZED)][];
        }

        private void append(byte[] arg) {
            if (size == args.length) {
                args = Arrays.copyOf(args, args.length * 2);
            }
            args[size++] = arg;
        }

        @Override
        public byte[] get(int index) {
            Objects.checkIndex(index, size);
            return args[index];
        }

        @Override
        public int size() {
            return size;
        }

        public long bytes() {
            return bytes;
        }

        private Object resolvedIn;
        private Object resolved;

        /**
         * What the command layer found this request names, looked up in {@code table} (its
         * database's commands), or null if it has not looked yet: a command looked at several
         * times (may it join a batch of writes? then run it) is looked up once.
         */
        public Object resolved(Object table) {
            return resolvedIn == table ? resolved : null;
        }

        public void resolve(Object table, Object command) {
            resolvedIn = table;
            resolved = command;
        }
    }

    // State of a partially read array request.
    private Request args;
    private int remaining;
    private int bulkLength = -1;
    private long requestBytes;

    public RespDecoder(int maxBulkBytes, int maxArrayLength, int maxInlineBytes) {
        this(maxBulkBytes, maxArrayLength, maxInlineBytes, Long.MAX_VALUE, () -> true);
    }

    /**
     * A decoder for one connection; {@code authenticated} says whether the connection has
     * authenticated yet (it is asked at each request and each bulk string).
     */
    public RespDecoder(int maxBulkBytes, int maxArrayLength, int maxInlineBytes, long maxRequestBytes,
                       BooleanSupplier authenticated) {
        this.maxBulkBytes = maxBulkBytes;
        this.maxArrayLength = maxArrayLength;
        this.maxInlineBytes = maxInlineBytes;
        this.maxRequestBytes = maxRequestBytes;
        this.authenticated = authenticated;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            if (args == null) {
                if (in.getByte(in.readerIndex()) == '*') {
                    long n = numberLine(in, "multibulk");
                    if (n == INCOMPLETE) {
                        return;
                    }
                    if (n > maxArrayLength) {
                        throw new RespProtocolException("invalid multibulk length");
                    }
                    if (n > UNAUTHENTICATED_ARRAY && !authenticated.getAsBoolean()) {
                        throw new RespProtocolException("unauthenticated multibulk length");
                    }
                    if (n <= 0) {
                        continue; // an empty or null array is no command: ignored, as Redis does
                    }
                    remaining = (int) n;
                    args = new Request(remaining);
                    requestBytes = 0;
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
                    long n = numberLine(in, "bulk");
                    if (n == INCOMPLETE) {
                        return;
                    }
                    if (n < 0 || n > maxBulkBytes) {
                        throw new RespProtocolException("invalid bulk length");
                    }
                    if (n > UNAUTHENTICATED_BULK && !authenticated.getAsBoolean()) {
                        throw new RespProtocolException("unauthenticated bulk length");
                    }
                    requestBytes += n;
                    if (requestBytes > maxRequestBytes) {
                        throw new RespProtocolException("request exceeds the query buffer limit of " + maxRequestBytes + " bytes");
                    }
                    bulkLength = (int) n;
                }
                if (in.readableBytes() < bulkLength + 2) {
                    return;
                }
                byte[] arg;
                if (args.size == 0 && sameAsLastName(in, bulkLength)) {
                    arg = lastName.array(); // the same command name as the request before: one array for a pipeline's names
                    in.skipBytes(bulkLength);
                } else {
                    arg = new byte[bulkLength];
                    in.readBytes(arg);
                    if (args.size == 0 && bulkLength <= MAX_NAME) {
                        lastName = Unpooled.wrappedBuffer(arg);
                    }
                }
                if (in.readShort() != CRLF) {
                    throw new RespProtocolException("bulk string not terminated by CRLF");
                }
                args.append(arg);
                bulkLength = -1;
                remaining--;
            }
            args.bytes = requestBytes;
            out.add(args);
            args = null;
        }
    }

    private boolean sameAsLastName(ByteBuf in, int length) {
        ByteBuf name = lastName;
        return name != null && name.capacity() == length && ByteBufUtil.equals(in, in.readerIndex(), name, 0, length);
    }

    /** The two bytes that end every line, as {@link ByteBuf#readShort} reads them. */
    private static final short CRLF = ('\r' << 8) | '\n';
    /**
     * A length line, "<prefix><decimal>\r\n": the common plain one in one pass
     * ({@link #plainNumberLine}), any other by {@link #readNumberLine}; {@link #INCOMPLETE} if
     * the line is not complete yet.
     */
    private long numberLine(ByteBuf in, String what) {
        long n = plainNumberLine(in);
        return n != NOT_PLAIN ? n : readNumberLine(in, what);
    }

    /** What {@link #plainNumberLine} answers for any line it leaves to {@link #readNumberLine}. */
    private static final long NOT_PLAIN = Long.MIN_VALUE + 1;
    /** The most digits {@link #plainNumberLine} takes: no number that long can overflow. */
    private static final int PLAIN_DIGITS = 18;
    private final DigitScan digits = new DigitScan();

    /** Sums decimal digits as {@link ByteBuf#forEachByte} hands them over; stops at the first other byte. */
    private static final class DigitScan implements ByteProcessor {
        long value;

        @Override
        public boolean process(byte b) {
            int d = b - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            value = value * 10 + d;
            return true;
        }
    }

    /**
     * The common length line, "<prefix><1 to 18 digits>\r\n" with all of it in {@code in},
     * read in one pass with one bounds check; {@link #NOT_PLAIN} (and nothing read) for anything
     * else: a sign, a longer number, an incomplete or malformed line go to
     * {@link #readNumberLine}, which decides each exactly as before.
     */
    private long plainNumberLine(ByteBuf in) {
        int start = in.readerIndex() + 1;
        int available = in.writerIndex() - start;
        if (available < 3) {
            return NOT_PLAIN;
        }
        digits.value = 0;
        int stop = in.forEachByte(start, Math.min(available, PLAIN_DIGITS + 1), digits);
        if (stop <= start || stop + 2 > in.writerIndex() || in.getShort(stop) != CRLF) {
            return NOT_PLAIN;
        }
        in.readerIndex(stop + 2);
        return digits.value;
    }

    /** What {@link #readNumberLine} answers for a line not complete yet (no length line can say it). */
    private static final long INCOMPLETE = Long.MIN_VALUE;
    /** The longest command name the decoder keeps to share with the next request's. */
    private static final int MAX_NAME = 32;
    /**
     * The previous request's first argument, shared with the next request that names the same
     * command; wrapped, so it is compared with the input in one call.
     */
    private ByteBuf lastName;

    /**
     * Reads "<prefix><decimal>\r\n" as Redis's string2ll does (an optional '-', then at least one
     * digit, no overflow); {@link #INCOMPLETE} if the line is not complete yet.
     */
    private static long readNumberLine(ByteBuf in, String what) {
        int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (eol < 0) {
            if (in.readableBytes() > MAX_LENGTH_LINE) {
                throw new RespProtocolException("too big " + (what.equals("bulk") ? "bulk" : "mbulk") + " count string");
            }
            return INCOMPLETE;
        }
        int start = in.readerIndex() + 1;
        int end = eol - 1; // the '\r'
        if (end < start || in.getByte(end) != '\r') {
            throw new RespProtocolException("invalid " + what + " length");
        }
        boolean negative = start < end && in.getByte(start) == '-';
        int first = negative ? start + 1 : start;
        if (first == end || end - first > 19) {
            throw new RespProtocolException("invalid " + what + " length");
        }
        long n = 0;
        for (int i = first; i < end; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                throw new RespProtocolException("invalid " + what + " length");
            }
            n = n * 10 + (b - '0');
            if (n < 0) { // past Long.MAX_VALUE
                throw new RespProtocolException("invalid " + what + " length");
            }
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
