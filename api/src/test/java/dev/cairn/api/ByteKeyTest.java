package dev.cairn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link ByteKey#spread}: equal contents hash alike, every byte counts, and keys spread evenly over stripes. */
class ByteKeyTest {
    @Test
    void equalContentsHashAlikeAndEveryByteOfEveryLengthCounts() {
        for (int length = 0; length <= 40; length++) {
            byte[] a = new byte[length];
            for (int i = 0; i < length; i++) {
                a[i] = (byte) (i * 7 + 1);
            }
            assertEquals(ByteKey.spread(a), ByteKey.spread(a.clone()), "length " + length);
            for (int i = 0; i < length; i++) { // a change in any byte, in the words or the tail, changes the hash
                byte[] b = a.clone();
                b[i] ^= 0x10;
                assertNotEquals(ByteKey.spread(a), ByteKey.spread(b), "length " + length + ", byte " + i);
            }
        }
        // a zero byte appended is a different key (the length is mixed in)
        assertNotEquals(ByteKey.spread(new byte[3]), ByteKey.spread(new byte[4]));
    }

    @Test
    void sequentialKeysSpreadEvenlyOverStripes() {
        int stripes = 64;
        int keys = 64_000;
        int[] counts = new int[stripes];
        Set<Integer> hashes = new HashSet<>();
        for (int i = 0; i < keys; i++) {
            byte[] key = String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
            int h = ByteKey.spread(key);
            hashes.add(h);
            counts[h & (stripes - 1)]++;
        }
        assertTrue(hashes.size() > keys - 5, "distinct hashes: " + hashes.size());
        int mean = keys / stripes;
        for (int s = 0; s < stripes; s++) {
            assertTrue(counts[s] > mean * 0.8 && counts[s] < mean * 1.2, "stripe " + s + " got " + counts[s] + " of mean " + mean);
        }
    }
}
