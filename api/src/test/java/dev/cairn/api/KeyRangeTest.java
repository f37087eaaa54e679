package dev.cairn.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeyRangeTest {
    private static byte[] b(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return out;
    }

    @Test
    void prefixEndIncrementsTheLastByteThatCanBeIncremented() {
        assertArrayEquals(b(1, 3), ByteStrings.prefixEnd(b(1, 2)));
        assertArrayEquals(b(2), ByteStrings.prefixEnd(b(1, 0xFF)));
        assertNull(ByteStrings.prefixEnd(b(0xFF, 0xFF)));
        assertNull(ByteStrings.prefixEnd(b()));
    }

    @Test
    void prefixRangeContainsExactlyTheExtensions() {
        KeyRange r = KeyRange.prefix(b(1, 0xFF));
        assertTrue(r.contains(b(1, 0xFF)));
        assertTrue(r.contains(b(1, 0xFF, 0xFF, 0xFF)));
        assertFalse(r.contains(b(1, 0xFE, 0xFF)));
        assertFalse(r.contains(b(2)));
        assertTrue(KeyRange.prefix(b()).contains(b(0)));
    }

    @Test
    void startingAfterExcludesTheKeyAndKeepsTheEnd() {
        KeyRange r = KeyRange.between(b(1), b(5)).startingAfter(b(3));
        assertFalse(r.contains(b(3)));
        assertTrue(r.contains(b(3, 0)));
        assertFalse(r.contains(b(5)));
        KeyRange unchanged = KeyRange.between(b(4), b(5)).startingAfter(b(1));
        assertFalse(unchanged.contains(b(1, 0)));
        assertTrue(unchanged.contains(b(4)));
    }

    @Test
    void emptyRanges() {
        assertTrue(KeyRange.between(b(2), b(2)).isEmpty());
        assertTrue(KeyRange.between(b(3), b(2)).isEmpty());
        assertFalse(KeyRange.all().isEmpty());
    }

    @Test
    void unsignedOrder() {
        assertTrue(ByteStrings.compare(b(0x7F), b(0x80)) < 0);
        assertTrue(ByteStrings.compare(b(1), b(1, 0)) < 0);
        assertTrue(ByteStrings.compare(b(0xFF), b(1, 0)) > 0);
    }
}
