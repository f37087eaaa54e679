package dev.cairn.storage.sstable;

import dev.cairn.api.Version;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.StorageStats;
import dev.cairn.storage.format.Record;
import dev.cairn.storage.format.RecordIterator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** Writes tables of random records and reads them back by point lookup and by iteration. */
class SsTableTest {
    @TempDir
    Path dir;

    /** Each compression, read mapped and read with positional reads through the block cache. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> compressionsAndReads() {
        return java.util.Arrays.stream(Compression.values()).flatMap(c -> java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(c, true), org.junit.jupiter.params.provider.Arguments.of(c, false)));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("compressionsAndReads")
    void everyRecordReadsBackByGetSeekAndIteration(Compression compression, boolean mapped) throws Exception {
        Random rnd = new Random(42);
        TreeMap<Record, Record> records = new TreeMap<>(Record.ORDER);
        long seq = 1;
        for (int i = 0; i < 3000; i++) {
            byte[] key = ("t" + rnd.nextInt(4) + "-k" + rnd.nextInt(400)).getBytes(StandardCharsets.US_ASCII);
            Record r = rnd.nextInt(10) == 0 ? Record.delete(key, seq, Version.of(rnd.nextInt(3), seq++), 5_000 + i)
                    : Record.put(key, seq, Version.of(rnd.nextInt(3), seq++), rnd.nextInt(3) == 0 ? 1_000_000 + i : 0, ("value-" + i + "-" + "x".repeat(rnd.nextInt(300))).getBytes(StandardCharsets.US_ASCII));
            records.put(r, r);
        }
        Path file = dir.resolve("t-" + compression + ".sst");
        TableSummary summary;
        try (SsTableWriter w = new SsTableWriter(file, 7, new TableOptions(1024, 16, 10, compression))) {
            for (Record r : records.keySet()) {
                w.add(r);
            }
            summary = w.finish();
        }
        assertEquals(records.size(), summary.entries());
        assertArrayEquals(records.firstKey().key(), summary.smallestKey());
        assertArrayEquals(records.lastKey().key(), summary.largestKey());
        StorageStats stats = new StorageStats();
        try (SsTableReader reader = SsTableReader.open(file, 7, new BlockCache(64 * 1024, mapped), stats)) {
            List<Record> iterated = new ArrayList<>();
            RecordIterator it = reader.iterator();
            for (it.seekToFirst(); it.valid(); it.next()) {
                iterated.add(it.current());
            }
            assertEquals(records.size(), iterated.size());
            List<Record> sequential = new ArrayList<>();
            RecordIterator pass = reader.sequentialIterator();
            for (pass.seekToFirst(); pass.valid(); pass.next()) {
                sequential.add(pass.current());
            }
            assertEquals(records.size(), sequential.size());
            for (int j = 0; j < sequential.size(); j++) {
                same(iterated.get(j), sequential.get(j));
            }
            int i = 0;
            for (Record expected : records.keySet()) {
                same(expected, iterated.get(i++));
            }
            for (Record expected : records.keySet()) {
                Record newest = records.ceilingKey(Record.delete(expected.key(), Record.MAX_SEQUENCE, Version.local(1), 0));
                same(newest, reader.get(expected.key(), Record.MAX_SEQUENCE));
                same(expected, reader.get(expected.key(), expected.sequence()));
                it.seek(expected.key(), expected.sequence());
                assertTrue(it.valid());
                same(expected, it.current());
            }
            // a record a point read returned stays whole after later reads by the same thread,
            // which read their blocks into the same scratch array when the table is mapped
            List<Record> kept = new ArrayList<>();
            for (Record expected : records.keySet()) {
                kept.add(reader.get(expected.key(), expected.sequence()));
            }
            int k = 0;
            for (Record expected : records.keySet()) {
                same(expected, kept.get(k++));
            }
            assertNull(reader.get("absent".getBytes(StandardCharsets.US_ASCII), Record.MAX_SEQUENCE));
            Record first = records.firstKey();
            assertNull(reader.get(first.key(), 0), "no version at or below sequence 0");
            assertEquals(mapped, stats.blockCacheHits.sum() == 0, "a mapped table bypasses the cache; a read one hits it: "
                    + stats.blockCacheHits.sum() + " hits");
        }
    }

    /** A table with one 64-byte value per key, 2,000 keys ("key000000"...), for the tests of reading. */
    private Path smallTable(String name) throws Exception {
        Path file = dir.resolve(name);
        try (SsTableWriter w = new SsTableWriter(file, 3, new TableOptions(4096, 16, 10, Compression.NONE))) {
            for (int i = 0; i < 2000; i++) {
                w.add(Record.put(String.format("key%06d", i).getBytes(StandardCharsets.US_ASCII), i + 1, Version.local(i + 1), 0,
                        new byte[64]));
            }
            w.finish();
        }
        return file;
    }

    @org.junit.jupiter.api.Test
    void closingAMappedTableReleasesItsMapping() throws Exception {
        Path file = smallTable("unmap.sst");
        String name = file.toAbsolutePath().toString();
        SsTableReader reader = SsTableReader.open(file, 3, new BlockCache(1 << 20), new StorageStats());
        assertNotNull(reader.get("key000100".getBytes(StandardCharsets.US_ASCII), Record.MAX_SEQUENCE));
        assertTrue(java.nio.file.Files.readString(Path.of("/proc/self/maps")).contains(name), "mapped while open");
        reader.close();
        // without the explicit unmap, the mapping (and a deleted table's disk space) lives until a collection
        assertFalse(java.nio.file.Files.readString(Path.of("/proc/self/maps")).contains(name), "still mapped after close");
    }

    @org.junit.jupiter.api.Test
    void aTableTruncatedUnderItsMappingFailsWithTheFileNamedAndTheProcessUp() throws Exception {
        Path file = smallTable("truncated.sst");
        try (SsTableReader reader = SsTableReader.open(file, 3, new BlockCache(1 << 20), new StorageStats())) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 2); // what another process could do; the mapping still spans the old size
            }
            dev.cairn.api.CorruptionException e = org.junit.jupiter.api.Assertions.assertThrows(dev.cairn.api.CorruptionException.class,
                    () -> reader.get("key001900".getBytes(StandardCharsets.US_ASCII), Record.MAX_SEQUENCE));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            // the reader still answers from what is left
            assertNotNull(reader.get("key000001".getBytes(StandardCharsets.US_ASCII), Record.MAX_SEQUENCE));
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void bloomFilterSkipsMostAbsentKeys(Compression compression) throws Exception {
        Path file = dir.resolve("bloom.sst");
        try (SsTableWriter w = new SsTableWriter(file, 1, new TableOptions(4096, 16, 10, compression))) {
            for (int i = 0; i < 10_000; i++) {
                w.add(Record.put(String.format("key%06d", i).getBytes(StandardCharsets.US_ASCII), i + 1, Version.local(i + 1), 0,
                        new byte[8]));
            }
            w.finish();
        }
        StorageStats stats = new StorageStats();
        try (SsTableReader reader = SsTableReader.open(file, 1, new BlockCache(1 << 20), stats)) {
            int found = 0;
            for (int i = 0; i < 10_000; i++) {
                assertNotNull(reader.get(String.format("key%06d", i).getBytes(StandardCharsets.US_ASCII), Record.MAX_SEQUENCE));
                if (reader.get(String.format("nokey%06d", i).getBytes(StandardCharsets.US_ASCII), Record.MAX_SEQUENCE) != null) {
                    found++;
                }
            }
            assertEquals(0, found);
            // ~1% false positives at 10 bits/key; allow a wide margin
            assertTrue(stats.bloomFilterSkips.sum() > 9_700, "bloom skips " + stats.bloomFilterSkips.sum());
            assertFalse(stats.blockCacheMisses.sum() == 0);
        }
    }

    private static void same(Record expected, Record actual) {
        assertNotNull(actual, "missing " + expected);
        assertArrayEquals(expected.key(), actual.key(), expected.toString());
        assertEquals(expected.sequence(), actual.sequence(), expected.toString());
        assertEquals(expected.kind(), actual.kind(), expected.toString());
        assertEquals(expected.millis(), actual.millis(), expected.toString());
        assertEquals(expected.version(), actual.version(), expected.toString());
        assertArrayEquals(expected.value(), actual.value(), expected.toString());
    }
}
