package dev.cairn.server.resp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoder on its own, fed through a Netty channel in pieces of every size: what it makes of
 * valid requests, and the protocol error each malformed length gets, whichever of its two ways
 * of reading a length line (the one-pass common case, the careful rest) the bytes take.
 */
class RespDecoderTest {
    private static final int MAX_BULK = 1 << 20;

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new RespDecoder(MAX_BULK, 1 << 20, 64 * 1024));
    }

    private static byte[] frame(List<byte[]> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            out.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(a);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /** Writes {@code bytes} in pieces of random sizes (from one byte up) and collects what comes out. */
    private static List<List<byte[]>> feed(EmbeddedChannel ch, byte[] bytes, Random random, int maxPiece) {
        for (int at = 0; at < bytes.length; ) {
            int n = Math.min(bytes.length - at, 1 + random.nextInt(maxPiece));
            ch.writeInbound(Unpooled.copiedBuffer(bytes, at, n));
            at += n;
        }
        List<List<byte[]>> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            @SuppressWarnings("unchecked")
            List<byte[]> request = (List<byte[]>) o;
            out.add(request);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 4096})
    void pipelinedRequestsDecodeTheSameInPiecesOfAnySize(int maxPiece) {
        Random random = new Random(1_000 + maxPiece);
        List<List<byte[]>> sent = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int r = 0; r < 300; r++) {
            List<byte[]> args = new ArrayList<>();
            // up to 150 arguments: past the array the decoder sizes from the declared count
            int count = 1 + (r % 10 == 0 ? random.nextInt(150) : random.nextInt(4));
            for (int i = 0; i < count; i++) {
                // sometimes the same name as the request before, which the decoder shares
                byte[] arg = new byte[i == 0 && random.nextBoolean() ? 3 : random.nextInt(r % 7 == 0 ? 2000 : 40)];
                if (i == 0 && arg.length == 3) {
                    arg = "SET".getBytes(StandardCharsets.US_ASCII);
                } else {
                    random.nextBytes(arg); // CR, LF, '$' and '*' inside values included
                }
                args.add(arg);
            }
            sent.add(args);
            stream.writeBytes(frame(args));
        }
        EmbeddedChannel ch = channel();
        List<List<byte[]>> got = feed(ch, stream.toByteArray(), random, maxPiece);
        assertEquals(sent.size(), got.size());
        for (int r = 0; r < sent.size(); r++) {
            List<byte[]> want = sent.get(r);
            List<byte[]> have = got.get(r);
            assertEquals(want.size(), have.size(), "request " + r);
            long bytes = 0;
            for (int i = 0; i < want.size(); i++) {
                assertArrayEquals(want.get(i), have.get(i), "request " + r + " argument " + i);
                bytes += want.get(i).length;
            }
            RespDecoder.Request request = assertInstanceOf(RespDecoder.Request.class, have);
            assertEquals(bytes, request.bytes());
            assertThrows(IndexOutOfBoundsException.class, () -> have.get(want.size()));
            assertThrows(UnsupportedOperationException.class, () -> have.add(new byte[0]));
        }
        ch.finishAndReleaseAll();
    }

    @Test
    void lengthLinesWithZerosAndLongButValidNumbersDecode() {
        EmbeddedChannel ch = channel();
        // leading zeros, and an array count and a bulk length past the one-pass reader's 18 digits
        byte[] bytes = "*0002\r\n$0003\r\nGET\r\n$0000000000000000001\r\nk\r\n".getBytes(StandardCharsets.US_ASCII);
        List<List<byte[]>> got = feed(ch, bytes, new Random(7), 1);
        assertEquals(1, got.size());
        assertEquals("GET", new String(got.get(0).get(0), StandardCharsets.US_ASCII));
        assertEquals("k", new String(got.get(0).get(1), StandardCharsets.US_ASCII));
    }

    @Test
    void emptyAndNullArraysAreIgnoredAsRedisDoes() {
        EmbeddedChannel ch = channel();
        List<List<byte[]>> got = feed(ch, "*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII), new Random(3), 2);
        assertEquals(1, got.size());
        assertEquals("PING", new String(got.get(0).get(0), StandardCharsets.US_ASCII));
    }

    private static String errorOf(String input, int maxPiece) {
        EmbeddedChannel ch = channel();
        DecoderException e = assertThrows(DecoderException.class,
                () -> feed(ch, input.getBytes(StandardCharsets.ISO_8859_1), new Random(11), maxPiece));
        RespProtocolException cause = assertInstanceOf(RespProtocolException.class, e.getCause());
        return cause.getMessage();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1000})
    void malformedLengthsGetRedisErrorsHoweverTheyArrive(int maxPiece) {
        assertEquals("invalid bulk length", errorOf("*1\r\n$abc\r\n", maxPiece));
        assertEquals("invalid bulk length", errorOf("*1\r\n$\r\n", maxPiece));
        assertEquals("invalid bulk length", errorOf("*1\r\n$-\r\n", maxPiece));
        assertEquals("invalid bulk length", errorOf("*1\r\n$-1\r\n", maxPiece));
        assertEquals("invalid bulk length", errorOf("*1\r\n$12x\r\n", maxPiece));
        assertEquals("invalid bulk length", errorOf("*1\r\n$99999999999999999999\r\n", maxPiece));
        assertEquals("invalid bulk length", errorOf("*1\r\n$" + (MAX_BULK + 1) + "\r\n", maxPiece));
        assertEquals("invalid bulk length", errorOf("*1\r\n$3\n", maxPiece)); // LF without CR
        assertEquals("invalid multibulk length", errorOf("*9999999999999999999\r\n", maxPiece));
        assertEquals("invalid multibulk length", errorOf("*-\r\n", maxPiece));
        assertEquals("invalid multibulk length", errorOf("*1x\r\n", maxPiece));
        assertEquals("invalid multibulk length", errorOf("*2000000\r\n", maxPiece));
        assertEquals("bulk string not terminated by CRLF", errorOf("*1\r\n$3\r\nGETxx", maxPiece));
        assertEquals("bulk string not terminated by CRLF", errorOf("*1\r\n$3\r\nGET\rx", maxPiece));
        assertEquals("expected '$', got 'G'", errorOf("*1\r\nGET\r\n", maxPiece));
    }

    @Test
    void aLengthLineWithNoEndIsRefusedOnceItPassesTheLimit() {
        String digits = "1".repeat(70 * 1024);
        assertEquals("too big mbulk count string", errorOf("*" + digits, 8192));
        assertEquals("too big bulk count string", errorOf("*1\r\n$" + digits, 8192));
    }

    @Test
    void anIncompleteLengthLineWaitsForTheRest() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("*1\r\n$12".getBytes(StandardCharsets.US_ASCII)));
        assertNull(ch.readInbound());
        ch.writeInbound(Unpooled.copiedBuffer("\r".getBytes(StandardCharsets.US_ASCII)));
        assertNull(ch.readInbound());
        ByteBuf rest = Unpooled.copiedBuffer("\nhello world!\r\n".getBytes(StandardCharsets.US_ASCII));
        ch.writeInbound(rest);
        @SuppressWarnings("unchecked")
        List<byte[]> request = (List<byte[]>) ch.readInbound();
        assertEquals("hello world!", new String(request.get(0), StandardCharsets.US_ASCII));
    }
}
