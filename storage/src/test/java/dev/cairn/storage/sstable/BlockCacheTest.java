package dev.cairn.storage.sstable;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The block cache keeps within its bytes, answers what it holds, and keeps the blocks read again over those read once. */
class BlockCacheTest {
    /** A valid empty block of {@code size} bytes: one restart point at 0, then the restart count. */
    private static Block block(int size) {
        byte[] data = new byte[size];
        ByteBuffer.wrap(data).putInt(size - 8, 0).putInt(size - 4, 1);
        return new Block(data);
    }

    @Test
    void holdsWhatFitsAndAnswersWithIt() {
        BlockCache cache = new BlockCache(16 * 64 * 1024);
        Block[] put = new Block[100];
        for (int i = 0; i < put.length; i++) {
            put[i] = block(1024);
            cache.put(BlockCache.key(i % 7, i * 4096L), put[i]);
        }
        for (int i = 0; i < put.length; i++) {
            assertSame(put[i], cache.get(BlockCache.key(i % 7, i * 4096L)), "block " + i);
        }
        assertNull(cache.get(BlockCache.key(0, 1)));
        assertNull(cache.get(BlockCache.key(99, 0)));
        Block again = block(2048);
        cache.put(BlockCache.key(0, 0), again);
        assertSame(again, cache.get(BlockCache.key(0, 0)), "a second put of a key replaces the block");
        assertTrue(cache.size() == 99 * 1024 + 2048, "bytes held: " + cache.size());
    }

    @Test
    void staysWithinItsBytesAndKeepsTheBlocksReadAgain() {
        long capacity = 16 * 32 * 1024; // 32 KiB a shard
        BlockCache cache = new BlockCache(capacity);
        int hot = 64;
        for (int i = 0; i < hot; i++) {
            cache.put(BlockCache.key(1, i * 4096L), block(1024));
        }
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < hot; i++) { // the hot blocks are read between every wave of one-off blocks
                if (cache.get(BlockCache.key(1, i * 4096L)) == null) {
                    cache.put(BlockCache.key(1, i * 4096L), block(1024));
                }
            }
            for (int i = 0; i < 480; i++) { // some 30 a shard, of the 32 a shard holds
                cache.put(BlockCache.key(2 + round, i * 4096L), block(1024));
            }
            assertTrue(cache.size() <= capacity, "bytes held " + cache.size() + " over " + capacity);
        }
        int kept = 0;
        for (int i = 0; i < hot; i++) {
            kept += cache.get(BlockCache.key(1, i * 4096L)) != null ? 1 : 0;
        }
        assertTrue(kept > hot / 2, "hot blocks kept: " + kept + " of " + hot);
    }

    @Test
    void aFullCacheLetsInABlockOnItsSecondMissOnly() {
        long capacity = 16 * 32 * 1024;
        BlockCache cache = new BlockCache(capacity);
        for (int i = 0; i < 2000; i++) { // fills every shard, and then some
            cache.put(BlockCache.key(1, i * 4096L), block(1024));
        }
        long full = cache.size();
        assertTrue(full > capacity - 16 * 1024, "filled: " + full);
        int turnedAway = 0;
        for (int i = 0; i < 200; i++) {
            long key = BlockCache.key(3, i * 4096L);
            if (!cache.put(key, block(1024))) {
                turnedAway++;
                assertNull(cache.get(key), "a block turned away is not held");
            }
        }
        assertTrue(turnedAway == 200, "one-off blocks turned away from a full cache: " + turnedAway + " of 200");
        int letIn = 0;
        for (int i = 0; i < 200; i++) { // the second miss of each
            long key = BlockCache.key(3, i * 4096L);
            Block b = block(1024);
            if (cache.put(key, b)) {
                assertSame(b, cache.get(key), "block " + i + " let in");
                letIn++;
            }
        }
        // the shard remembers a bounded number of keys, two a hash slot: a few collide
        assertTrue(letIn >= 180, "blocks let in on their second miss: " + letIn + " of 200");
        assertTrue(cache.size() <= capacity, "bytes held " + cache.size());
    }
}
