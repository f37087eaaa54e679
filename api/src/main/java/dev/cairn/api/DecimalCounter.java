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
        for (; i < n; i++) {
            int d = value[i] - '0';
            if (d < 0 || d > 9) {
                throw notANumber(key, value);
            }
            if (acc < (Long.MIN_VALUE + d) / 10) {
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

    public static byte[] encode(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static NotANumberException notANumber(byte[] key, byte[] value) {
        return new NotANumberException("value of key " + ByteStrings.describe(key)
                + " is not a 64-bit decimal integer: " + ByteStrings.describe(value));
    }
}
