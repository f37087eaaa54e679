package dev.cairn.api;

import java.nio.charset.StandardCharsets;

/**
 * The counter encoding {@link Store#increment} reads and writes: a signed 64-bit integer as
 * canonical ASCII decimal, as Redis stores counters. Canonical means an optional {@code -}, then
 * {@code 0} or a digit 1-9 followed by digits; no {@code +}, no spaces, no leading zeros, no
 * {@code -0}. Anything else is not a number.
 */
public final class DecimalCounter {
    private DecimalCounter() {
    }

    /** The counter value of {@code value}, or {@link NotANumberException} naming the key. */
    public static long parse(byte[] key, byte[] value) {
        int n = value.length;
        if (n == 0 || n > 20) {
            throw notANumber(key, value);
        }
        boolean negative = value[0] == '-';
        int i = negative ? 1 : 0;
        if (i == n || (value[i] == '0' && (n - i > 1 || negative))) {
            throw notANumber(key, value);
        }
        long acc = 0; // accumulated negatively so that Long.MIN_VALUE parses
        int checkFrom = i + 18; // 18 digits cannot overflow: only a 19th needs the check (and its division)
        for (; i < n; i++) {
            int d = value[i] - '0';
            if (d < 0 || d > 9) {
                throw notANumber(key, value);
            }
            if (i >= checkFrom && acc < (Long.MIN_VALUE + d) / 10) {
                throw notANumber(key, value);
            }
            acc = acc * 10 - d;
        }
        if (!negative) {
            if (acc == Long.MIN_VALUE) {
                throw notANumber(key, value);
            }
            return -acc;
        }
        return acc;
    }

    /** {@code current + delta}, or {@link NumericOverflowException}. */
    public static long add(long current, long delta) {
        try {
            return Math.addExact(current, delta);
        } catch (ArithmeticException e) {
            throw new NumericOverflowException(current, delta);
        }
    }

    /** The canonical ASCII decimal of {@code value}, written straight into its array. */
    public static byte[] encode(long value) {
        if (value == Long.MIN_VALUE) {
            return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
        }
        long v = Math.abs(value);
        int digits = 1;
        for (long bound = 10; digits < 19 && v >= bound; bound *= 10) {
            digits++;
        }
        int length = value < 0 ? digits + 1 : digits;
        byte[] out = new byte[length];
        for (int at = length - 1; at >= length - digits; at--) {
            out[at] = (byte) ('0' + v % 10);
            v /= 10;
        }
        if (value < 0) {
            out[0] = '-';
        }
        return out;
    }

    private static NotANumberException notANumber(byte[] key, byte[] value) {
        return new NotANumberException("value of key " + ByteStrings.describe(key)
                + " is not a 64-bit decimal integer: " + ByteStrings.describe(value));
    }
}
