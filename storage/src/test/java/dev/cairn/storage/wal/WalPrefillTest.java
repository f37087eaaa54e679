package dev.cairn.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CorruptionException;
import dev.cairn.api.Version;
import dev.cairn.storage.StorageStats;
import dev.cairn.storage.WalRecovery;
import dev.cairn.storage.format.Record;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zeros a {@code SYNC} WAL keeps written ahead of its records: synced appends land inside them
 * without growing the file, a finished segment is cut back to its records, and recovery reads a
 * crash's zero tail as the end of the newest segment, a record torn into the zeros as a torn tail,
 * and zeros anywhere else as damage.
 */
class WalPrefillTest {
    private static final long PREFILL = 64 * 1024;

    @TempDir
    Path dir;

    private static List<Record> batch(long seq) {
        byte[] key = ("key-" + seq).getBytes(StandardCharsets.US_ASCII);
        byte[] value = ("value-" + seq + "-" + "v".repeat(90)).getBytes(StandardCharsets.US_ASCII);
        return List.of(Record.put(key, seq, Version.local(seq), 0, value));
    }

    /** Appends and syncs {@code count} one-record batches; returns each record's start offset. */
    private static List<Long> writeSynced(WalWriter w, int count) {
        List<Long> starts = new ArrayList<>();
        for (long s = 1; s <= count; s++) {
            starts.add(w.size());
            w.syncTo(w.append(batch(s)));
        }
        return starts;
    }

    private static List<Record> replay(Path file, boolean newest, WalRecovery mode, List<String> report) throws IOException {
        List<Record> out = new ArrayList<>();
        WalReader.replay(file, newest, mode, out::addAll, report::add);
        return out;
    }

    /** A copy of the segment as a crash would leave it: the file as it is, zeros and all, before any seal. */
    private Path crashCopy(Path file) throws IOException {
        Path copy = dir.resolve("crashed").resolve(file.getFileName());
        Files.createDirectories(copy.getParent());
        return Files.copy(file, copy);
    }

    /** A copy of a segment taken right after five synced records: the copy, where each record starts, where they end. */
    private record Crashed(Path file, List<Long> starts, long end) {
    }

    private Crashed crashedAfterFiveRecords() throws IOException {
        try (WalWriter w = WalWriter.create(dir, 1, new StorageStats(), PREFILL)) {
            List<Long> starts = writeSynced(w, 5);
            return new Crashed(crashCopy(w.file()), starts, w.size());
        }
    }

    private static void zero(Path file, long from, long to) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.allocate((int) (to - from)), from);
        }
    }

    @Test
    void syncedAppendsLandInsideTheZerosWithoutGrowingTheFile() throws IOException {
        Path file;
        try (WalWriter w = WalWriter.create(dir, 1, new StorageStats(), PREFILL)) {
            file = w.file();
            w.syncTo(w.append(batch(1)));
            long sizeAfterFirst = Files.size(file);
            assertEquals(w.size() + PREFILL, sizeAfterFirst, "zeros written ahead of the first record");
            for (long s = 2; s <= 100; s++) {
                w.syncTo(w.append(batch(s)));
                assertEquals(sizeAfterFirst, Files.size(file), "the file grew at record " + s);
            }
            // Past three quarters of the zeros, the writer tops them up before they run out.
            for (long s = 101; w.size() < 3 * PREFILL; s++) {
                w.syncTo(w.append(batch(s)));
                assertTrue(Files.size(file) - w.size() >= PREFILL / 4, "zeros ahead at " + w.size());
            }
            List<String> report = new ArrayList<>();
            List<Record> replayed = replay(crashCopy(file), true, WalRecovery.ABSOLUTE_CONSISTENCY, report);
            assertTrue(replayed.size() > 100);
            assertEquals(List.of(), report, "the zeros are the end of the records, not damage");
        }
    }

    @Test
    void closingCutsTheSegmentBackToItsRecords() throws IOException {
        Path file;
        long end;
        try (WalWriter w = WalWriter.create(dir, 1, new StorageStats(), PREFILL)) {
            file = w.file();
            writeSynced(w, 10);
            end = w.size();
            assertTrue(Files.size(file) > end);
        }
        assertEquals(end, Files.size(file));
        assertEquals(10, replay(file, false, WalRecovery.ABSOLUTE_CONSISTENCY, new ArrayList<>()).size());
    }

    @Test
    void theNextSegmentsFirstFsyncSealsThePreviousOneBeforeItsOwnBytesAreWritten() throws IOException {
        StorageStats stats = new StorageStats();
        WalWriter first = WalWriter.create(dir, 1, stats, PREFILL);
        writeSynced(first, 5);
        assertTrue(Files.size(first.file()) > first.size());
        WalWriter second = WalWriter.next(first, dir, 2, stats, PREFILL);
        second.syncTo(second.append(batch(6)));
        assertEquals(first.size(), Files.size(first.file()), "the previous segment ends at its last record");
        assertTrue(Files.size(second.file()) > second.size(), "the new one has zeros ahead");
        second.close();
        first.close(); // already sealed: closing again cuts nothing and syncs nothing new
        assertEquals(5, replay(first.file(), false, WalRecovery.ABSOLUTE_CONSISTENCY, new ArrayList<>()).size());
        assertEquals(1, replay(second.file(), true, WalRecovery.ABSOLUTE_CONSISTENCY, new ArrayList<>()).size());
    }

    @Test
    void zerosAtTheEndOfAnOlderSegmentAreDamage() throws IOException {
        Path crashed = crashedAfterFiveRecords().file();
        CorruptionException e = assertThrows(CorruptionException.class,
                () -> replay(crashed, false, WalRecovery.TOLERATE_TORN_TAIL, new ArrayList<>()));
        assertEquals(crashed, e.file());
    }

    @Test
    void aLastRecordTornIntoTheZerosIsDroppedAsATornTail() throws IOException {
        Crashed c = crashedAfterFiveRecords();
        Path crashed = c.file();
        List<Long> starts = c.starts();
        zero(crashed, c.end() - 30, c.end()); // the record's last sector never landed
        List<String> report = new ArrayList<>();
        assertEquals(4, replay(crashed, true, WalRecovery.TOLERATE_TORN_TAIL, report).size());
        assertEquals(1, report.size());
        assertTrue(report.get(0).contains("offset " + starts.get(4)) && report.get(0).contains("bit rot"), report.get(0));
        assertThrows(CorruptionException.class, () -> replay(crashed, true, WalRecovery.ABSOLUTE_CONSISTENCY, new ArrayList<>()));
    }

    @Test
    void aLastHeaderOnlyPartlyWrittenIsDroppedAsATornTail() throws IOException {
        Crashed c = crashedAfterFiveRecords();
        Path crashed = c.file();
        List<Long> starts = c.starts();
        zero(crashed, starts.get(4) + 9, c.end()); // nine bytes of its header, nothing after
        List<String> report = new ArrayList<>();
        assertEquals(4, replay(crashed, true, WalRecovery.TOLERATE_TORN_TAIL, report).size());
        assertTrue(report.get(0).contains("offset " + starts.get(4)), report.toString());
    }

    /**
     * Zeros inside a record with records after it: a lost sector in the middle, which may be a
     * group write whose pages landed out of order or damage to acknowledged records; the bytes
     * cannot tell, so the default mode refuses, naming the place, and point-in-time recovery keeps
     * what came before it.
     */
    @Test
    void zerosInsideARecordWithRecordsAfterItAreCorruption() throws IOException {
        Crashed c = crashedAfterFiveRecords();
        Path crashed = c.file();
        List<Long> starts = c.starts();
        zero(crashed, starts.get(2) + 25, starts.get(2) + 60);
        CorruptionException e = assertThrows(CorruptionException.class,
                () -> replay(crashed, true, WalRecovery.TOLERATE_TORN_TAIL, new ArrayList<>()));
        assertEquals(starts.get(2), e.offset());
        List<String> report = new ArrayList<>();
        assertEquals(2, replay(crashed, true, WalRecovery.POINT_IN_TIME, report).size());
        assertTrue(report.get(0).contains("from offset " + starts.get(2)), report.toString());
    }

    /**
     * Writing more zeros fails (a full disk): the records go on being written and synced into the
     * zeros already there, no more zeros are tried, and closing still cuts off the ones left.
     */
    @Test
    void aFailureWritingZerosStopsThemAndLosesNoRecord() throws Exception {
        Path file;
        long end;
        java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();
        try (WalWriter w = WalWriter.create(dir, 1, new StorageStats(), PREFILL)) {
            file = w.file();
            w.syncTo(w.append(batch(1))); // zeros written ahead
            long zerosEnd = Files.size(file);
            long s = 2;
            try (dev.cairn.storage.fault.Faults.Armed full = dev.cairn.storage.fault.Faults.onEntry(WalWriter.class,
                    "writeZeros", () -> {
                        tries.incrementAndGet();
                        throw new IOException("No space left on device (injected)");
                    })) {
                for (; tries.get() == 0; s++) { // until the top-up, with a quarter of the zeros left
                    w.syncTo(w.append(batch(s)));
                }
                for (int i = 0; i < 20; i++, s++) {
                    w.syncTo(w.append(batch(s)));
                }
            }
            assertEquals(1, tries.get(), "after one failure no more zeros are tried");
            assertTrue(w.size() < zerosEnd);
            assertEquals(zerosEnd, Files.size(file), "the records went on into the zeros already written");
            end = w.size();
        }
        assertEquals(end, Files.size(file), "closing cut off the zeros left");
        List<String> report = new ArrayList<>();
        List<Record> replayed = replay(file, false, WalRecovery.ABSOLUTE_CONSISTENCY, report);
        assertEquals(replayed.get(replayed.size() - 1).sequence(), replayed.size());
        assertEquals(List.of(), report);
    }

    @Test
    void aBlankFileIsRecognised() throws IOException {
        Path empty = Files.write(dir.resolve("000007.log"), new byte[0]);
        Path zeros = Files.write(dir.resolve("000008.log"), new byte[100_000]);
        byte[] oneByte = new byte[100_000];
        oneByte[99_999] = 1;
        Path notBlank = Files.write(dir.resolve("000009.log"), oneByte);
        assertTrue(WalReader.blank(empty));
        assertTrue(WalReader.blank(zeros));
        assertTrue(!WalReader.blank(notBlank));
    }
}
