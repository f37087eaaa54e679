package dev.cairn.storage.sstable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.format.GrowableBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BlockBuilder} writes what {@link Block.Cursor} reads: prefix compression, restart points, seeks. */
class BlockTest {
    private static byte[] key(int i) {
        return String.format("user-%05d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private static Block build(int entries, int restartInterval) {
        BlockBuilder b = new BlockBuilder(restartInterval, 4096);
        byte[] header = {9};
        for (int i = 0; i < entries; i++) {
            b.add(InternalKey.encode(key(i), 100 - i % 3), header, 1, ("v" + i).getBytes(StandardCharsets.US_ASCII));
        }
        GrowableBuffer out = b.finish();
        return new Block(Arrays.copyOf(out.array(), out.size()));
    }

    @Test
    void everyEntryReadsBackInOrderAcrossRestartPoints() {
        Block block = build(100, 16);
        Block.Cursor c = block.new Cursor();
        List<String> keys = new ArrayList<>();
        for (c.seekToFirst(); c.valid(); c.next()) {
            keys.add(new String(InternalKey.userKey(c.key, c.keyLength), StandardCharsets.US_ASCII));
            assertEquals(9, block.data[c.valueOffset], "the value header");
        }
        assertEquals(100, keys.size());
        assertEquals("user-00000", keys.get(0));
        assertEquals("user-00099", keys.get(99));
    }

    @Test
    void seekLandsOnTheFirstEntryAtOrAfterTheTarget() {
        for (int interval : new int[] {1, 4, 16}) {
            Block block = build(100, interval);
            Block.Cursor c = block.new Cursor();
            c.seek(key(37), Long.MAX_VALUE);
            assertTrue(c.valid());
            assertArrayEquals(key(37), InternalKey.userKey(c.key, c.keyLength), "interval " + interval);
            c.seek("user-00037x".getBytes(StandardCharsets.US_ASCII), Long.MAX_VALUE);
            assertArrayEquals(key(38), InternalKey.userKey(c.key, c.keyLength));
            c.seek(key(37), 0); // every version of 37 has a higher sequence: lands after them
            assertArrayEquals(key(38), InternalKey.userKey(c.key, c.keyLength));
            c.seek("zzz".getBytes(StandardCharsets.US_ASCII), Long.MAX_VALUE);
            assertFalse(c.valid());
        }
    }

    @Test
    void aDamagedBlockIsRefusedNotMisread() {
        Block good = build(20, 4);
        byte[] badCount = good.data.clone();
        java.nio.ByteBuffer.wrap(badCount).putInt(badCount.length - 4, 1_000_000);
        assertThrows(IllegalArgumentException.class, () -> new Block(badCount));
        byte[] overrun = build(1, 4).data.clone();
        overrun[2] = 127; // the only entry's value length runs past the entries
        Block block = new Block(overrun);
        assertThrows(IllegalArgumentException.class, () -> block.new Cursor().seekToFirst());
    }
}
