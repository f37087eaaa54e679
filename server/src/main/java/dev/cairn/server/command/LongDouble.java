package dev.cairn.server.command;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * INCRBYFLOAT's arithmetic as redis-server does it: in C's {@code long double}, which on x86-64
 * is the 80-bit extended format (a 64-bit significand; on other machines Redis's answers differ
 * too), printed with {@code %.17Lf} and its trailing zeros cut. A Java {@code double} would give
 * other digits ({@code 0.1 + 0.2} is {@code 0.3} here, as in Redis, not {@code 0.30000000000000004}).
 *
 * <p>A value is exact: {@code significand × 2^exponent}, the significand at most 64 bits, every
 * result rounded to nearest, ties to even, as the FPU does. Infinity is not a value: a result
 * that overflows the format, or an infinite operand, is refused by the caller.
 */
final class LongDouble {
    static final int SIGNIFICAND_BITS = 64;
    /** The largest binary exponent of the format (values below 2^16384). */
    private static final int MAX_EXPONENT = 16383;
    /** The smallest normal exponent; smaller magnitudes are subnormal, which we do not model: they round to zero. */
    private static final int MIN_EXPONENT = -16382;

    /** The exact value; null for an infinite one. */
    final BigDecimal value;

    private LongDouble(BigDecimal value) {
        this.value = value;
    }

    boolean isInfinite() {
        return value == null;
    }

    /**
     * Parses as Redis's string2ld does (strtold on the whole text: no leading space, nothing
     * after the number, no NaN, no overflow or underflow to zero); null when Redis would refuse.
     */
    static LongDouble parse(byte[] text) {
        if (text.length == 0 || text.length >= 5 * 1024) {
            return null;
        }
        String s = new String(text, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (Character.isWhitespace(s.charAt(0))) {
            return null;
        }
        String body = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
        boolean negative = s.startsWith("-");
        String lower = body.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("inf") || lower.equals("infinity")) {
            return new LongDouble(null);
        }
        BigDecimal exact;
        if (lower.startsWith("0x")) {
            exact = hex(lower.substring(2));
            if (exact == null) {
                return null;
            }
        } else {
            if (lower.startsWith("nan") || !body.matches("(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
                return null;
            }
            try {
                exact = new BigDecimal(body);
            } catch (NumberFormatException | ArithmeticException e) {
                return null;
            }
        }
        LongDouble rounded = round(negative ? exact.negate() : exact);
        if (rounded.isInfinite() || (rounded.value.signum() == 0 && exact.signum() != 0)) {
            return null; // ERANGE: strtold overflowed or underflowed
        }
        return rounded;
    }

    /** A C99 hexadecimal float after its "0x": hex digits, an optional point, an optional binary exponent. */
    private static BigDecimal hex(String h) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9a-f]*)(?:\\.([0-9a-f]*))?(?:p([+-]?\\d+))?").matcher(h);
        if (!m.matches()) {
            return null;
        }
        String whole = m.group(1);
        String fraction = m.group(2) == null ? "" : m.group(2);
        if (whole.isEmpty() && fraction.isEmpty()) {
            return null;
        }
        BigDecimal v = new BigDecimal(new BigInteger((whole + fraction).isEmpty() ? "0" : whole + fraction, 16));
        int exponent = -4 * fraction.length();
        if (m.group(3) != null) {
            long e = Long.parseLong(m.group(3).length() > 7 ? m.group(3).substring(0, 7) : m.group(3));
            exponent += (int) Math.max(-100_000, Math.min(100_000, e));
        }
        if (v.signum() == 0) {
            return BigDecimal.ZERO;
        }
        if (Math.abs(exponent) > 20_000) {
            return exponent > 0 ? new BigDecimal(BigInteger.ONE.shiftLeft(20_000)) : BigDecimal.ONE.movePointLeft(10_000);
        }
        BigDecimal two = new BigDecimal(BigInteger.ONE.shiftLeft(Math.abs(exponent)));
        return exponent >= 0 ? v.multiply(two) : v.divide(two);
    }

    LongDouble plus(LongDouble other) {
        if (isInfinite() || other.isInfinite()) {
            return new LongDouble(null);
        }
        return round(value.add(other.value));
    }

    /** The exact decimal rounded to the nearest value of the format; infinite past its range. */
    static LongDouble round(BigDecimal exact) {
        if (exact.signum() == 0) {
            return new LongDouble(BigDecimal.ZERO);
        }
        BigDecimal abs = exact.abs();
        // abs = num / den, both integers
        BigInteger num;
        BigInteger den;
        if (abs.scale() > 0) {
            num = abs.unscaledValue();
            den = BigInteger.TEN.pow(abs.scale());
        } else {
            num = abs.toBigIntegerExact();
            den = BigInteger.ONE;
        }
        // choose shift so that q = floor(num * 2^shift / den) has exactly SIGNIFICAND_BITS bits
        int shift = SIGNIFICAND_BITS - (num.bitLength() - den.bitLength());
        BigInteger[] qr;
        while (true) {
            BigInteger n = shift >= 0 ? num.shiftLeft(shift) : num;
            BigInteger d = shift >= 0 ? den : den.shiftLeft(-shift);
            qr = n.divideAndRemainder(d);
            if (qr[0].bitLength() > SIGNIFICAND_BITS) {
                shift--;
            } else if (qr[0].bitLength() < SIGNIFICAND_BITS) {
                shift++;
            } else {
                // round half to even on the remainder
                BigInteger twice = qr[1].shiftLeft(1);
                int cmp = twice.compareTo(d);
                BigInteger q = qr[0];
                if (cmp > 0 || (cmp == 0 && q.testBit(0))) {
                    q = q.add(BigInteger.ONE);
                    if (q.bitLength() > SIGNIFICAND_BITS) {
                        q = q.shiftRight(1);
                        shift--;
                    }
                }
                int exponent = SIGNIFICAND_BITS - 1 - shift; // of the leading bit
                if (exponent > MAX_EXPONENT) {
                    return new LongDouble(null);
                }
                if (exponent < MIN_EXPONENT) {
                    return new LongDouble(BigDecimal.ZERO);
                }
                BigDecimal v = shift >= 0
                        ? new BigDecimal(q).divide(new BigDecimal(BigInteger.ONE.shiftLeft(shift)))
                        : new BigDecimal(q.shiftLeft(-shift));
                return new LongDouble(exact.signum() < 0 ? v.negate() : v);
            }
        }
    }

    /** {@code %.17Lf} with the trailing zeros (and a bare point) removed, "-0" as "0": Redis's human form. */
    String human() {
        String s = value.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        if (s.indexOf('.') >= 0) {
            int end = s.length();
            while (s.charAt(end - 1) == '0') {
                end--;
            }
            if (s.charAt(end - 1) == '.') {
                end--;
            }
            s = s.substring(0, end);
        }
        return s.equals("-0") ? "0" : s;
    }
}
