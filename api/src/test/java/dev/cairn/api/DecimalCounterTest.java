package dev.cairn.api;

import static dev.cairn.api.ByteStrings.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DecimalCounterTest {
    @ParameterizedTest
    @ValueSource(longs = {0, 1, -1, 42, -42, 1_000_000_007L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1})
    void canonicalDecimalsRoundTrip(long n) {
        byte[] encoded = DecimalCounter.encode(n);
        assertArrayEquals(utf8(Long.toString(n)), encoded);
        assertEquals(n, DecimalCounter.parse(utf8("k"), encoded));
    }

    @Test
    void everyDigitCountRoundTripsAsLongToStringWritesIt() {
        java.util.Random random = new java.util.Random(7);
        for (long power = 1, i = 0; i < 19; i++, power *= 10) {
            for (long n : new long[] {power - 1, power, power + 1, -power, -(power - 1), power + random.nextInt(1_000)}) {
                assertArrayEquals(utf8(Long.toString(n)), DecimalCounter.encode(n), Long.toString(n));
                assertEquals(n, DecimalCounter.parse(utf8("k"), DecimalCounter.encode(n)));
            }
        }
        for (int i = 0; i < 10_000; i++) {
            long n = random.nextLong() >> random.nextInt(64);
            assertArrayEquals(utf8(Long.toString(n)), DecimalCounter.encode(n), Long.toString(n));
            assertEquals(n, DecimalCounter.parse(utf8("k"), utf8(Long.toString(n))));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "+1", "01", "-01", "-0", " 1", "1 ", "1a", "0x10", "1e3",
            "9223372036854775808", "-9223372036854775809", "99999999999999999999", "123456789012345678901"})
    void nonCanonicalTextIsNotANumber(String text) {
        NotANumberException e = assertThrows(NotANumberException.class, () -> DecimalCounter.parse(utf8("key"), utf8(text)));
        assertEquals(true, e.getMessage().contains("\"key\""), e.getMessage());
    }

    @Test
    void additionOverflowIsTyped() {
        assertEquals(Long.MAX_VALUE, DecimalCounter.add(Long.MAX_VALUE - 1, 1));
        assertThrows(NumericOverflowException.class, () -> DecimalCounter.add(Long.MAX_VALUE, 1));
        assertThrows(NumericOverflowException.class, () -> DecimalCounter.add(Long.MIN_VALUE, -1));
    }
}
