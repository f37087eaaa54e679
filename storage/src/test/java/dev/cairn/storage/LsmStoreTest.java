package dev.cairn.storage;

import static dev.cairn.api.ByteStrings.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.Entry;
import dev.cairn.api.KeyRange;
import dev.cairn.api.KeyValue;
import dev.cairn.api.ManualClock;
import dev.cairn.api.WriteOptions;
import dev.cairn.storage.sstable.Compression;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour of the LSM engine beyond the Store contract: background work, TTL, checkpoints, stats. */
class LsmStoreTest {
    @TempDir
    Path dir;

    private StorageOptions.Builder small(Path path) {
        return StorageOptions.builder(path)
                .syncMode(SyncMode.NONE)
                .memtableBytes(32 * 1024)
                .blockSize(1024)
                .targetFileBytes(32 * 1024)
                .levelSizes(128 * 1024, 4)
                .level0Triggers(2, 6, 10);
    }

    private static byte[] value(int i, int round) {
        return ("v" + i + "-" + round + "-" + "p".repeat(80)).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void dataAndIncreasingVersionsSurviveReopen() throws Exception {
        dev.cairn.api.Version before;
        try (LsmStore store = LsmStore.open(small(dir).build())) {
            for (int i = 0; i < 2000; i++) {
                store.put(utf8("k" + i), value(i, 0));
            }
            before = store.put(utf8("last"), utf8("x")).version();
        }
        try (LsmStore store = LsmStore.open(small(dir).build())) {
            for (int i = 0; i < 2000; i++) {
                assertArrayEquals(value(i, 0), store.get(utf8("k" + i)).orElseThrow().value());
            }
            assertTrue(store.put(utf8("last"), utf8("y")).version().isNewerThan(before));
            assertTrue(store.stats().filesPerLevel().stream().mapToInt(Integer::intValue).sum() > 0);
        }
    }

    @Test
    void scansOverKeysWrittenManyTimesSinceTheFlushSeeOnlyTheNewestOfEach() throws Exception {
        try (LsmStore store = LsmStore.open(StorageOptions.builder(dir).build())) {
            for (int round = 0; round < 50; round++) {
                for (String k : List.of("a", "b", "c", "d")) {
                    if (round < 3 || !k.equals("a")) {
                        store.put(utf8(k), utf8(k + round)); // "a" 3 times, the others 50 times
                    }
                }
            }
            store.delete(utf8("c")); // the newest of "c" is a tombstone over 50 older versions
            List<String> seen = new java.util.ArrayList<>();
            for (dev.cairn.api.Entry e : store.scan(dev.cairn.api.KeyRange.all(), 100)) {
                seen.add(new String(e.key()) + "=" + new String(e.value()));
            }
            assertEquals(List.of("a=a2", "b=b49", "d=d49"), seen);
            assertEquals(List.of("b=b49"), store.scan(dev.cairn.api.KeyRange.from(utf8("b")), 1).stream()
                    .map(e -> new String(e.key()) + "=" + new String(e.value())).toList());
            assertEquals(3, store.count());
        }
    }

    /** A scan that starts anywhere in a level of many tables reads on across their boundaries, as an ordered model does. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void scansCrossTheTablesOfALevel() throws Exception {
        Random rnd = new Random(20261122);
        java.util.TreeMap<String, String> model = new java.util.TreeMap<>();
        try (LsmStore store = LsmStore.open(small(dir).build())) {
            for (int i = 0; i < 6000; i++) {
                String k = String.format("k%05d", rnd.nextInt(3000));
                if (rnd.nextInt(8) == 0) {
                    store.delete(utf8(k));
                    model.remove(k);
                } else {
                    String v = k + "-" + i + "-" + "p".repeat(60);
                    store.put(utf8(k), utf8(v));
                    model.put(k, v);
                }
            }
            store.compact();
            List<Integer> files = store.stats().filesPerLevel();
            assertTrue(files.subList(1, files.size()).stream().anyMatch(n -> n > 2), "a level of several tables: " + files);
            for (int probe = 0; probe < 300; probe++) {
                String start = String.format("k%05d", rnd.nextInt(3100));
                int count = 1 + rnd.nextInt(80);
                List<String> expected = model.tailMap(start, true).entrySet().stream().limit(count)
                        .map(e -> e.getKey() + "=" + e.getValue()).toList();
                List<String> seen = store.scan(dev.cairn.api.KeyRange.from(utf8(start)), count).stream()
                        .map(e -> new String(e.key(), StandardCharsets.UTF_8) + "=" + new String(e.value(), StandardCharsets.UTF_8))
                        .toList();
                assertEquals(expected, seen, "from " + start + ", " + count);
            }
            assertEquals(model.size(), store.count());
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefused() throws Exception {
        try (LsmStore store = LsmStore.open(small(dir).build())) {
            assertThrows(IllegalStateException.class, () -> LsmStore.open(small(dir).build()));
            store.put(utf8("still"), utf8("works"));
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void writersReadersAndScannersRunConcurrentlyWithFlushesAndCompactions() throws Exception {
        try (LsmStore store = LsmStore.open(small(dir).compression(Compression.LZ4).build())) {
            Map<String, byte[]> latest = new ConcurrentHashMap<>();
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong scans = new AtomicLong();
            StoreContractRunner.run(4, t -> {
                if (t < 2) {
                    Random rnd = new Random(t);
                    for (int round = 0; round < 3000; round++) {
                        int i = rnd.nextInt(500);
                        String key = "w" + t + "-" + i;
                        byte[] v = value(i, round);
                        store.put(utf8(key), v);
                        latest.put(key, v);
                        if (t == 0) {
                            // a pair written as one batch: a scan must never see half of it
                            byte[] pair = utf8("pair-" + round);
                            store.putAll(List.of(new KeyValue(utf8("x:a"), pair), new KeyValue(utf8("x:b"), pair)));
                        }
                    }
                    writing.set(false);
                } else {
                    while (writing.get()) {
                        List<Entry> pair = store.scan(KeyRange.prefix(utf8("x:")), 10);
                        if (!pair.isEmpty()) {
                            assertEquals(2, pair.size());
                            assertArrayEquals(pair.get(0).value(), pair.get(1).value(), "a scan saw half a batch");
                        }
                        List<Entry> page = store.scan(KeyRange.prefix(utf8("w" + (t - 2) + "-")), 50);
                        for (int i = 1; i < page.size(); i++) {
                            assertTrue(java.util.Arrays.compareUnsigned(page.get(i - 1).key(), page.get(i).key()) < 0);
                        }
                        scans.incrementAndGet();
                    }
                }
            });
            for (Map.Entry<String, byte[]> e : latest.entrySet()) {
                assertArrayEquals(e.getValue(), store.get(utf8(e.getKey())).orElseThrow().value(), e.getKey());
            }
            StorageStats.Snapshot stats = store.stats();
            assertTrue(stats.flushes() > 5, "flushes " + stats.flushes());
            assertTrue(stats.compactions() > 0, "compactions " + stats.compactions());
            assertTrue(scans.get() > 0);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void writersAreThrottledNotOverrunWhenFlushesFallBehind() throws Exception {
        StorageOptions options = StorageOptions.builder(dir).syncMode(SyncMode.NONE)
                .memtableBytes(16 * 1024).targetFileBytes(16 * 1024).levelSizes(64 * 1024, 4)
                .level0Triggers(1, 2, 3).build();
        try (LsmStore store = LsmStore.open(options)) {
            byte[] big = new byte[1024];
            for (int i = 0; i < 20_000; i++) {
                store.put(utf8("k" + (i % 5000)), big);
            }
            StorageStats.Snapshot stats = store.stats();
            assertTrue(stats.writeStalls() > 0, "writers waited for the flush and compaction backlog");
            assertTrue(stats.filesPerLevel().get(0) <= 3, "level 0 never passed the stop trigger: " + stats.filesPerLevel());
        }
    }

    @Test
    void concurrentSyncWritersShareFsyncs() throws Exception {
        try (LsmStore store = LsmStore.open(StorageOptions.builder(dir).syncMode(SyncMode.SYNC).build())) {
            int threads = 8;
            int perThread = 100;
            StoreContractRunner.run(threads, t -> {
                for (int i = 0; i < perThread; i++) {
                    store.put(utf8("t" + t + "-" + i), utf8("v"));
                }
            });
            long syncs = store.stats().walSyncs();
            assertTrue(syncs > 0);
            assertTrue(syncs < threads * perThread, "group commit: " + syncs + " fsyncs for " + threads * perThread + " writes");
        }
    }

    @Test
    void aBatchOfWritesIsOneWalRecordAndOneFsyncAndIsThereAfterReopen() throws Exception {
        List<dev.cairn.api.KeyedMutation> writes = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            writes.add(new dev.cairn.api.KeyedMutation(utf8("counter"), new dev.cairn.api.Mutation.Increment(1, WriteOptions.DEFAULT)));
            writes.add(new dev.cairn.api.KeyedMutation(utf8("k" + i), new dev.cairn.api.Mutation.Put(utf8("v" + i), WriteOptions.DEFAULT)));
        }
        StorageOptions options = StorageOptions.builder(dir).syncMode(SyncMode.SYNC).build();
        try (LsmStore store = LsmStore.open(options)) {
            long syncs = store.stats().walSyncs();
            List<dev.cairn.api.MutationOutcome> outcomes = store.async().mutateAll(writes).get(30, TimeUnit.SECONDS);
            assertEquals(200, outcomes.get(398).decision().number());
            assertEquals(1, store.stats().walSyncs() - syncs, "one fsync for the whole batch");
        }
        try (LsmStore store = LsmStore.open(options)) {
            assertArrayEquals(utf8("200"), store.get(utf8("counter")).orElseThrow().value());
            for (int i = 0; i < 200; i++) {
                assertArrayEquals(utf8("v" + i), store.get(utf8("k" + i)).orElseThrow().value());
            }
        }
    }

    @Test
    void aKeyWrittenManyTimesInOneBatchIsLoggedOnceUnlessSomeoneListens() throws Exception {
        List<dev.cairn.api.KeyedMutation> writes = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            writes.add(new dev.cairn.api.KeyedMutation(utf8("hot"), new dev.cairn.api.Mutation.Increment(1, WriteOptions.DEFAULT)));
        }
        try (LsmStore store = LsmStore.open(StorageOptions.builder(dir).build())) {
            store.put(utf8("hot"), utf8("0"));
            long before = store.stats().walBytes();
            List<dev.cairn.api.MutationOutcome> outcomes = store.mutateAll(writes);
            assertEquals(200, outcomes.get(199).decision().number());
            long logged = store.stats().walBytes() - before;
            assertTrue(logged < 100, "200 increments of one key logged " + logged + " bytes: one record expected");
            dev.cairn.api.Version v = store.readRecord(utf8("hot")).orElseThrow().version();
            store.put(utf8("hot"), utf8("x"));
            assertTrue(store.readRecord(utf8("hot")).orElseThrow().version().isNewerThan(v), "versions still increase");

            List<String> heard = new java.util.ArrayList<>();
            try (dev.cairn.api.StoreListener.Subscription sub = store.listen((k, b, a) -> heard.add(
                    (b == null ? "-" : new String(b.value(), StandardCharsets.UTF_8)) + ">"
                            + (a == null ? "-" : new String(a.value(), StandardCharsets.UTF_8))))) {
                store.mutateAll(List.of(
                        new dev.cairn.api.KeyedMutation(utf8("hot"), new dev.cairn.api.Mutation.Put(utf8("1"), WriteOptions.DEFAULT)),
                        new dev.cairn.api.KeyedMutation(utf8("hot"), new dev.cairn.api.Mutation.Increment(1, WriteOptions.DEFAULT)),
                        new dev.cairn.api.KeyedMutation(utf8("hot"), new dev.cairn.api.Mutation.Delete())));
            }
            assertEquals(List.of("x>1", "1>2", "2>-"), heard, "a listener hears every write of the batch");
            assertTrue(store.get(utf8("hot")).isEmpty());
        }
        try (LsmStore store = LsmStore.open(StorageOptions.builder(dir).build())) {
            assertTrue(store.get(utf8("hot")).isEmpty(), "after reopen too");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void intervalModeFsyncsInTheBackground() throws Exception {
        StorageOptions options = StorageOptions.builder(dir).syncMode(SyncMode.INTERVAL).syncIntervalMillis(10).build();
        try (LsmStore store = LsmStore.open(options)) {
            store.put(utf8("k"), utf8("v"));
            while (store.stats().walSyncs() == 0) {
                Thread.sleep(5);
            }
        }
        try (LsmStore store = LsmStore.open(options)) {
            assertArrayEquals(utf8("v"), store.get(utf8("k")).orElseThrow().value());
        }
    }

    @Test
    void compactionKeepsTombstonesForTheirGracePeriodThenReclaimsThem() throws Exception {
        ManualClock clock = new ManualClock();
        Duration grace = Duration.ofHours(1);
        try (LsmStore store = LsmStore.open(small(dir).clock(clock).tombstoneGrace(grace).build())) {
            for (int i = 0; i < 3000; i++) {
                store.put(utf8("ttl" + i), value(i, 0), WriteOptions.ttl(Duration.ofMinutes(1)));
                store.put(utf8("del" + i), value(i, 0));
            }
            store.put(utf8("keep"), utf8("me"));
            store.compact();
            long full = store.stats().liveTableBytes();
            dev.cairn.api.Version deletedAt = store.get(utf8("del7")).orElseThrow().version();
            for (int i = 0; i < 3000; i++) {
                store.delete(utf8("del" + i));
            }
            clock.advance(Duration.ofMinutes(1));
            store.compact();
            assertEquals(List.of("keep"), keys(store.scan(KeyRange.all(), 10)));
            // within the grace period the tombstone still answers for the key's version
            dev.cairn.api.ReplicaRecord tombstone = store.readRecord(utf8("del7")).orElseThrow();
            assertTrue(tombstone.isTombstone() && tombstone.version().isNewerThan(deletedAt), tombstone.toString());
            assertFalse(store.applyIfNewer(dev.cairn.api.ReplicaRecord.value(utf8("del7"), utf8("late"), deletedAt, 0)),
                    "a late write older than the delete stays deleted");
            assertTrue(store.readRecord(utf8("ttl7")).orElseThrow().isDeadAt(clock.millis()));

            clock.advance(grace);
            store.compact();
            long after = store.stats().liveTableBytes();
            assertTrue(after < full / 50, "expired entries and tombstones dropped after the grace period: " + full + " -> " + after);
            assertTrue(store.readRecord(utf8("del7")).isEmpty());
            assertEquals(List.of("keep"), keys(store.scan(KeyRange.all(), 10)));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theMemtableSweepReplacesExpiredValues() throws Exception {
        ManualClock clock = new ManualClock();
        try (LsmStore store = LsmStore.open(StorageOptions.builder(dir).syncMode(SyncMode.NONE).clock(clock)
                .ttlSweepIntervalMillis(5).build())) {
            for (int i = 0; i < 100; i++) {
                store.put(utf8("k" + i), new byte[1000], WriteOptions.ttl(Duration.ofSeconds(1)));
            }
            clock.advance(Duration.ofSeconds(1));
            while (store.stats().expiredSwept() < 100) {
                Thread.sleep(5);
            }
            assertFalse(store.exists(utf8("k1")));
            assertEquals(List.of(), store.scan(KeyRange.all(), 10));
        }
    }

    @Test
    void checkpointIsAConsistentIndependentCopy() throws Exception {
        Path copy = dir.resolve("checkpoint");
        try (LsmStore store = LsmStore.open(small(dir.resolve("live")).build())) {
            for (int i = 0; i < 1000; i++) {
                store.put(utf8("k" + i), value(i, 0));
            }
            store.checkpoint(copy);
            for (int i = 0; i < 1000; i++) {
                store.put(utf8("k" + i), value(i, 1));
            }
            store.compact(); // deletes the live store's old tables; the checkpoint keeps its links
        }
        assertThrows(IllegalArgumentException.class, () -> {
            try (LsmStore s = LsmStore.open(small(dir.resolve("live")).build())) {
                s.checkpoint(copy);
            }
        });
        try (LsmStore checkpoint = LsmStore.open(small(copy).build())) {
            for (int i = 0; i < 1000; i++) {
                assertArrayEquals(value(i, 0), checkpoint.get(utf8("k" + i)).orElseThrow().value());
            }
        }
        try (LsmStore live = LsmStore.open(small(dir.resolve("live")).build())) {
            assertArrayEquals(value(5, 1), live.get(utf8("k5")).orElseThrow().value());
        }
        assertTrue(Files.exists(copy.resolve(FileNames.MANIFEST)));
    }

    /**
     * NONE mode: a full WAL segment gets no fsync. Its records are in the fsynced table its
     * memtable is flushed to, and the segment is deleted; everything is there after reopening.
     */
    @Test
    void inNoneModeAFullSegmentIsDeletedAfterItsFlushWithoutAnFsync() throws Exception {
        try (LsmStore store = LsmStore.open(small(dir).build())) {
            for (int i = 0; i < 2000; i++) {
                store.put(utf8("k" + i), value(i, 0));
            }
            store.flush();
            StorageStats.Snapshot s = store.stats();
            assertTrue(s.flushes() >= 3, "flushes " + s.flushes());
            assertEquals(0, s.walSyncs(), "no WAL fsync before close");
        }
        try (LsmStore store = LsmStore.open(small(dir).build())) {
            for (int i = 0; i < 2000; i++) {
                assertArrayEquals(value(i, 0), store.get(utf8("k" + i)).orElseThrow().value());
            }
        }
    }

    @Test
    void statisticsDescribeTheTreeAndItsTraffic() throws Exception {
        try (LsmStore store = LsmStore.open(small(dir).syncMode(SyncMode.SYNC).build())) {
            for (int i = 0; i < 3000; i++) {
                store.put(utf8(String.format("k%05d", i)), value(i, 0));
            }
            store.compact();
            for (int i = 0; i < 3000; i += 7) {
                store.get(utf8(String.format("k%05d", i)));
                store.get(utf8(String.format("k%05d-absent", i)));
            }
            StorageStats.Snapshot s = store.stats();
            assertTrue(s.walSyncs() > 0);
            assertTrue(s.flushes() > 0 && s.flushBytesWritten() > 0);
            assertTrue(s.compactions() > 0 && s.compactionBytesWritten() > 0);
            assertTrue(s.writeAmplification() > 1.0, "write amplification " + s.writeAmplification());
            assertTrue(s.blockCacheHits() + s.blockCacheMisses() > 0);
            assertTrue(s.bloomFilterSkips() > 0);
            assertEquals(7, s.filesPerLevel().size());
            assertEquals(s.liveTableBytes(), s.bytesPerLevel().stream().mapToLong(Long::longValue).sum());
            assertTrue(s.liveTableBytes() > 3000 * 90);
        }
    }

    private static List<String> keys(List<Entry> entries) {
        return entries.stream().map(e -> new String(e.key(), StandardCharsets.UTF_8)).toList();
    }
}
