package dev.cairn.storage.format;

import java.nio.ByteBuffer;

/**
 * LEB128 unsigned varints, as LevelDB writes them: 7 bits per byte, low bits first, high bit set
 * on every byte but the last. A 32-bit value takes at most 5 bytes, a 64-bit value at most 10.
 */
public final class Varint {
    private Varint() {
    }

    public static int size(long value) {
        int n = 1;
        while ((value & ~0x7FL) != 0) {
            value >>>= 7;
            n++;
        }
        return n;
    }

    public static int write(byte[] out, int pos, long value) {
        while ((value & ~0x7FL) != 0) {
            out[pos++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out[pos++] = (byte) value;
        return pos;
    }

    public static void write(ByteBuffer out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.put((byte) value);
    }

    /**
     * Reads a varint from {@code in} at its position. Throws {@link IllegalArgumentException} on a
     * varint longer than 10 bytes or one that runs past the buffer; callers turn that into a
     * {@code CorruptionException} naming the file.
     */
    public static long read(ByteBuffer in) {
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException("truncated varint");
            }
            byte b = in.get();
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("varint longer than 10 bytes");
    }

    /** Reads a varint that must fit a non-negative int no larger than {@code max}. */
    public static int readLength(ByteBuffer in, int max) {
        long v = read(in);
        if (v < 0 || v > max) {
            throw new IllegalArgumentException("length " + v + " out of range (max " + max + ")");
        }
        return (int) v;
    }

    /** Zigzag: a signed number as an unsigned one that is small when the number is near zero. */
    public static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    public static long unzigzag(long z) {
        return (z >>> 1) ^ -(z & 1);
    }
}
