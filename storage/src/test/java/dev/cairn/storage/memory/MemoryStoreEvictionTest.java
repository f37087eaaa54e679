package dev.cairn.storage.memory;

import static dev.cairn.api.ByteStrings.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.KeyRange;
import dev.cairn.api.KeyValue;
import dev.cairn.api.ManualClock;
import dev.cairn.api.StoreFullException;
import dev.cairn.api.WriteOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryStoreEvictionTest {
    private final ManualClock clock = new ManualClock();

    private MemoryStore store(long maxEntries, long maxBytes, EvictionPolicy policy) {
        return new MemoryStore(MemoryStoreOptions.defaults().withClock(clock)
                .withMaxEntries(maxEntries).withMaxBytes(maxBytes).withEviction(policy));
    }

    @Test
    void everyPolicyKeepsTheEntryCountWithinItsBound() {
        for (EvictionPolicy policy : List.of(EvictionPolicy.LRU, EvictionPolicy.LFU, EvictionPolicy.RANDOM)) {
            MemoryStore s = store(100, MemoryStoreOptions.UNBOUNDED, policy);
            for (int i = 0; i < 1000; i++) {
                s.put(utf8("k" + i), utf8("v" + i));
                assertTrue(s.entryCount() <= 100, policy + " at " + i);
            }
            assertEquals(100, s.entryCount(), policy.toString());
            assertEquals(900, s.evictionCount(), policy.toString());
            assertTrue(s.exists(utf8("k999")), policy + ": the entry just written is never the victim");
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void concurrentWritersKeepTheCountersTrueAndNoneExact() throws Exception {
        for (EvictionPolicy policy : List.of(EvictionPolicy.LRU, EvictionPolicy.LFU, EvictionPolicy.RANDOM, EvictionPolicy.NONE)) {
            MemoryStore s = store(500, MemoryStoreOptions.UNBOUNDED, policy);
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    java.util.Random rnd = new java.util.Random(id);
                    for (int i = 0; i < 5_000; i++) {
                        byte[] key = utf8("k" + rnd.nextInt(2_000));
                        try {
                            switch (rnd.nextInt(4)) {
                                case 0 -> s.delete(key);
                                case 1 -> s.putAll(List.of(new KeyValue(key, utf8("b")), new KeyValue(utf8("k" + rnd.nextInt(2_000)), utf8("c"))));
                                default -> s.put(key, utf8("v" + i));
                            }
                        } catch (StoreFullException e) {
                            refused.incrementAndGet();
                        }
                        if (policy == EvictionPolicy.NONE) {
                            assertTrue(s.entryCount() <= 500, "NONE never passes its bound: " + s.entryCount());
                        }
                    }
                    return null;
                }));
            }
            for (var f : done) {
                f.get();
            }
            pool.shutdown();
            long stored = s.scan(KeyRange.all(), 100_000).size();
            assertEquals(stored, s.entryCount(), policy + ": the entry counter matches the map");
            assertTrue(stored <= 500 + 8, policy + ": within the bound (plus a few in flight at the end): " + stored);
            if (policy == EvictionPolicy.NONE) {
                assertTrue(refused.get() > 0, "NONE refused writes when full");
            }
        }
    }

    @Test
    void byteBoundIsRespected() {
        MemoryStore s = store(MemoryStoreOptions.UNBOUNDED, 100_000, EvictionPolicy.LRU);
        for (int i = 0; i < 500; i++) {
            s.put(utf8("k" + i), new byte[1000]);
            assertTrue(s.byteCount() <= 100_000, "bytes " + s.byteCount());
        }
        assertTrue(s.entryCount() > 80, "entries " + s.entryCount());
    }

    @Test
    void lruKeepsTheEntriesThatAreRead() {
        MemoryStore s = store(200, MemoryStoreOptions.UNBOUNDED, EvictionPolicy.LRU);
        for (int i = 0; i < 100; i++) {
            s.put(utf8("hot" + i), utf8("v"));
        }
        for (int i = 0; i < 2000; i++) {
            for (int h = 0; h < 100; h += 10) {
                s.get(utf8("hot" + (h + i % 10)));
            }
            s.put(utf8("cold" + i), utf8("v"));
        }
        long hotLeft = s.scan(KeyRange.prefix(utf8("hot")), 1000).size();
        assertTrue(hotLeft >= 90, "recently read entries survive sampling LRU: " + hotLeft + " of 100");
    }

    @Test
    void lfuKeepsTheEntriesThatAreReadOften() {
        MemoryStore s = store(200, MemoryStoreOptions.UNBOUNDED, EvictionPolicy.LFU);
        for (int i = 0; i < 50; i++) {
            s.put(utf8("popular" + i), utf8("v"));
            for (int r = 0; r < 50; r++) {
                s.get(utf8("popular" + i));
            }
        }
        for (int i = 0; i < 2000; i++) {
            s.put(utf8("once" + i), utf8("v"));
        }
        long left = s.scan(KeyRange.prefix(utf8("popular")), 1000).size();
        assertTrue(left >= 45, "frequently read entries survive LFU: " + left + " of 50");
    }

    @Test
    void noneRefusesWritesThatWouldExceedABoundAndChangesNothing() {
        MemoryStore s = store(3, MemoryStoreOptions.UNBOUNDED, EvictionPolicy.NONE);
        s.put(utf8("a"), utf8("1"));
        s.put(utf8("b"), utf8("2"));
        s.put(utf8("c"), utf8("3"));
        assertThrows(StoreFullException.class, () -> s.put(utf8("d"), utf8("4")));
        assertFalse(s.exists(utf8("d")));
        s.put(utf8("a"), utf8("overwrite is fine"));
        assertThrows(StoreFullException.class, () -> s.putAll(List.of(
                new KeyValue(utf8("b"), utf8("x")), new KeyValue(utf8("e"), utf8("5")))));
        assertArrayEquals(utf8("2"), s.get(utf8("b")).orElseThrow().value(), "a refused batch wrote nothing");
        s.delete(utf8("c"));
        s.put(utf8("d"), utf8("4"));
        assertEquals(0, s.evictionCount());

        MemoryStore bytes = store(MemoryStoreOptions.UNBOUNDED, 1000, EvictionPolicy.NONE);
        bytes.put(utf8("k"), new byte[800]);
        assertThrows(StoreFullException.class, () -> bytes.put(utf8("k"), new byte[1000]));
        assertEquals(800, bytes.get(utf8("k")).orElseThrow().value().length);
    }

    @Test
    void expiredEntriesAreEvictedFirstAndReclaimedByWrites() {
        MemoryStore s = store(100, MemoryStoreOptions.UNBOUNDED, EvictionPolicy.LRU);
        for (int i = 0; i < 100; i++) {
            s.put(utf8("short" + i), utf8("v"), WriteOptions.ttl(Duration.ofSeconds(1)));
        }
        clock.advance(Duration.ofSeconds(2));
        for (int i = 0; i < 50; i++) {
            s.put(utf8("long" + i), utf8("v"));
        }
        assertEquals(50, s.scan(KeyRange.all(), 1000).size());
        for (int i = 0; i < 50; i++) {
            assertTrue(s.exists(utf8("long" + i)), "no live entry was evicted while expired ones remained");
        }

        MemoryStore unbounded = store(MemoryStoreOptions.UNBOUNDED, MemoryStoreOptions.UNBOUNDED, EvictionPolicy.LRU);
        for (int i = 0; i < 100; i++) {
            unbounded.put(utf8("short" + i), utf8("v"), WriteOptions.ttl(Duration.ofSeconds(1)));
        }
        clock.advance(Duration.ofSeconds(2));
        for (int i = 0; i < 100; i++) {
            unbounded.put(utf8("long" + i), utf8("v"));
        }
        assertTrue(unbounded.entryCount() < 170, "writes reclaimed expired entries: " + unbounded.entryCount() + " of 200 left");
    }
}
