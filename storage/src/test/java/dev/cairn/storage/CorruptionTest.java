package dev.cairn.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CorruptionException;
import dev.cairn.api.Entry;
import dev.cairn.api.KeyRange;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damages real files (flipped bytes, truncation, deletion) and checks the outcome: a typed
 * {@link CorruptionException} naming the file (and offset), or — only for a torn WAL tail —
 * dropping exactly that record. Never wrong data returned silently.
 */
class CorruptionTest {
    private static final int RECORDS = 20;

    @TempDir
    Path dir;

    private StorageOptions.Builder options() {
        return StorageOptions.builder(dir).syncMode(SyncMode.NONE);
    }

    private static byte[] k(int i) {
        return String.format("key-%03d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] v(int i) {
        return ("value-" + i + "-" + "x".repeat(50)).getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes RECORDS puts that stay in the WAL (no flush); returns the WAL file. */
    private Path writeWalOnly() throws IOException {
        try (LsmStore store = LsmStore.open(options().build())) {
            for (int i = 0; i < RECORDS; i++) {
                store.put(k(i), v(i));
            }
        }
        return only(".log");
    }

    /** Writes RECORDS puts and flushes them into one table; returns the table file. */
    private Path writeTable() throws IOException {
        try (LsmStore store = LsmStore.open(options().blockSize(256).build())) {
            for (int i = 0; i < RECORDS; i++) {
                store.put(k(i), v(i));
            }
            store.flush();
        }
        return only(".sst");
    }

    private Path only(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(p -> p.toString().endsWith(suffix) && sizeOf(p) > 0).toList();
            assertEquals(1, found.size(), "files " + found);
            return found.get(0);
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Offsets at which the WAL's records start. */
    private static List<Long> recordOffsets(Path wal) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(wal));
        List<Long> offsets = new ArrayList<>();
        int pos = 0;
        while (pos < data.limit()) {
            offsets.add((long) pos);
            pos += 20 + data.getInt(pos + 4);
        }
        return offsets;
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x5A);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
    }

    private void assertAllPresentExcept(LsmStore store, int missing) {
        for (int i = 0; i < RECORDS; i++) {
            Optional<Entry> e = store.get(k(i));
            if (i == missing) {
                assertFalse(e.isPresent(), "record " + i + " should have been dropped");
            } else {
                assertArrayEquals(v(i), e.orElseThrow().value(), "record " + i);
            }
        }
    }

    // ---- WAL

    @Test
    void flippedByteInAMiddleWalRecordIsCorruptionNamingFileAndOffset() throws IOException {
        Path wal = writeWalOnly();
        long offset = recordOffsets(wal).get(7);
        flip(wal, offset + 20);
        CorruptionException e = assertThrows(CorruptionException.class, () -> LsmStore.open(options().build()));
        assertEquals(wal, e.file());
        assertEquals(offset, e.offset());
        assertTrue(e.getMessage().contains(wal.getFileName().toString()), e.getMessage());
        assertTrue(Files.exists(wal), "the damaged log is left for inspection");
    }

    @Test
    void corruptedLengthInAMiddleWalRecordIsCorruption() throws IOException {
        Path wal = writeWalOnly();
        long offset = recordOffsets(wal).get(3);
        flip(wal, offset + 6); // inside the length field
        CorruptionException e = assertThrows(CorruptionException.class, () -> LsmStore.open(options().build()));
        assertEquals(wal, e.file());
    }

    @Test
    void walCutInsideTheLastRecordDropsExactlyThatRecord() throws IOException {
        Path wal = writeWalOnly();
        long last = recordOffsets(wal).get(RECORDS - 1);
        truncate(wal, last + 20);
        try (LsmStore store = LsmStore.open(options().build())) {
            assertAllPresentExcept(store, RECORDS - 1);
            assertEquals(1, store.recoveryReport().size());
            assertTrue(store.recoveryReport().get(0).contains("offset " + last), store.recoveryReport().toString());
        }
    }

    @Test
    void walCutInsideTheLastHeaderDropsExactlyThatRecord() throws IOException {
        Path wal = writeWalOnly();
        long last = recordOffsets(wal).get(RECORDS - 1);
        truncate(wal, last + 5);
        try (LsmStore store = LsmStore.open(options().build())) {
            assertAllPresentExcept(store, RECORDS - 1);
        }
    }

    @Test
    void checksumFailureOfTheLastRecordIsDroppedAndReportedAsTornOrRotten() throws IOException {
        Path wal = writeWalOnly();
        long last = recordOffsets(wal).get(RECORDS - 1);
        flip(wal, Files.size(wal) - 1);
        try (LsmStore store = LsmStore.open(options().build())) {
            assertAllPresentExcept(store, RECORDS - 1);
            String report = store.recoveryReport().get(0);
            assertTrue(report.contains("offset " + last), report);
            assertTrue(report.contains("bit rot") && report.contains("from sequence " + RECORDS), report);
        }
    }

    @Test
    void absoluteConsistencyRefusesEvenATornTail() throws IOException {
        Path wal = writeWalOnly();
        long last = recordOffsets(wal).get(RECORDS - 1);
        truncate(wal, last + 25);
        CorruptionException e = assertThrows(CorruptionException.class,
                () -> LsmStore.open(options().walRecovery(WalRecovery.ABSOLUTE_CONSISTENCY).build()));
        assertEquals(wal, e.file());
        assertEquals(last, e.offset());
        try (LsmStore store = LsmStore.open(options().build())) {
            assertAllPresentExcept(store, RECORDS - 1); // the default mode still opens it
        }
    }

    @Test
    void pointInTimeKeepsWhatCameBeforeTheFirstDamageAndDropsTheRest() throws IOException {
        Path wal = writeWalOnly();
        long offset = recordOffsets(wal).get(7);
        flip(wal, offset + 20);
        try (LsmStore store = LsmStore.open(options().walRecovery(WalRecovery.POINT_IN_TIME).build())) {
            for (int i = 0; i < RECORDS; i++) {
                assertEquals(i < 7, store.get(k(i)).isPresent(), "record " + i);
            }
            assertEquals(1, store.recoveryReport().size());
            String report = store.recoveryReport().get(0);
            assertTrue(report.startsWith("point-in-time recovery: dropped " + wal + " from offset " + offset), report);
        }
    }

    @Test
    void skipCorruptedSkipsAndReportsACorruptedMiddleRecord() throws IOException {
        Path wal = writeWalOnly();
        long offset = recordOffsets(wal).get(7);
        flip(wal, offset + 20);
        try (LsmStore store = LsmStore.open(options().walRecovery(WalRecovery.SKIP_CORRUPTED).build())) {
            assertAllPresentExcept(store, 7);
            assertEquals(1, store.recoveryReport().size());
            assertTrue(store.recoveryReport().get(0).startsWith("skipped the record at " + wal + " offset " + offset),
                    store.recoveryReport().get(0));
        }
    }

    // ---- SSTables

    @Test
    void flippedByteInADataBlockIsCorruptionOnReadNamingTheTable() throws IOException {
        Path table = writeTable();
        flip(table, 30); // inside the first data block
        try (LsmStore store = LsmStore.open(options().build())) {
            CorruptionException e = assertThrows(CorruptionException.class, () -> store.get(k(0)));
            assertEquals(table, e.file());
            assertEquals(0, e.offset());
            assertThrows(CorruptionException.class, () -> store.scan(KeyRange.all(), 100));
            // the store stays up, and blocks that are intact still read
            assertArrayEquals(v(RECORDS - 1), store.get(k(RECORDS - 1)).orElseThrow().value());
        }
    }

    @Test
    void damagedFooterIsCorruptionOnOpen() throws IOException {
        Path table = writeTable();
        flip(table, Files.size(table) - 3); // magic number
        CorruptionException e = assertThrows(CorruptionException.class, () -> LsmStore.open(options().build()));
        assertEquals(table, e.file());
        assertEquals(Files.size(table) - 8, e.offset());
    }

    @Test
    void truncatedTableIsCorruptionOnOpen() throws IOException {
        Path table = writeTable();
        truncate(table, Files.size(table) / 2);
        CorruptionException e = assertThrows(CorruptionException.class, () -> LsmStore.open(options().build()));
        assertEquals(table, e.file());
    }

    @Test
    void missingTableIsCorruptionOnOpen() throws IOException {
        Path table = writeTable();
        Files.delete(table);
        CorruptionException e = assertThrows(CorruptionException.class, () -> LsmStore.open(options().build()));
        assertEquals(table, e.file());
    }

    @Test
    void aFlipAnywhereInATableNeverReturnsWrongData() throws IOException {
        Path table = writeTable();
        byte[] pristine = Files.readAllBytes(table);
        Random rnd = new Random(7);
        int detected = 0;
        for (int trial = 0; trial < 60; trial++) {
            Files.write(table, pristine);
            long offset = rnd.nextInt(pristine.length);
            flip(table, offset);
            try (LsmStore store = LsmStore.open(options().build())) {
                for (int i = 0; i < RECORDS; i++) {
                    Optional<Entry> e = store.get(k(i));
                    assertArrayEquals(v(i), e.orElseThrow().value(), "flip at " + offset + " changed record " + i);
                }
                List<Entry> all = store.scan(KeyRange.all(), 1000);
                assertEquals(RECORDS, all.size(), "flip at " + offset);
            } catch (CorruptionException e) {
                assertEquals(table, e.file(), "flip at " + offset);
                detected++;
            }
        }
        assertEquals(60, detected, "every byte of a table is covered by a checksum");
    }

    // ---- manifest

    @Test
    void flippedManifestIsCorruptionNamingIt() throws IOException {
        writeTable();
        Path manifest = dir.resolve(FileNames.MANIFEST);
        flip(manifest, Files.size(manifest) - 2);
        CorruptionException e = assertThrows(CorruptionException.class, () -> LsmStore.open(options().build()));
        assertEquals(manifest, e.file());
    }

    @Test
    void truncatedManifestIsCorruptionNamingIt() throws IOException {
        writeTable();
        Path manifest = dir.resolve(FileNames.MANIFEST);
        truncate(manifest, Files.size(manifest) - 5);
        CorruptionException e = assertThrows(CorruptionException.class, () -> LsmStore.open(options().build()));
        assertEquals(manifest, e.file());
        assertEquals(4, e.offset());
    }
}
