package dev.cairn.storage.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CorruptionException;
import dev.cairn.storage.FileNames;
import dev.cairn.storage.sstable.TableSummary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
    @TempDir
    Path dir;

    private static Manifest.State state() {
        TreeMap<String, Integer> namespaces = new TreeMap<>();
        namespaces.put("default", 0);
        namespaces.put("users", 3);
        namespaces.put("заказы", 7); // names are UTF-8
        return new Manifest.State(42, 1000, 40, List.of(
                new Manifest.LeveledTable(0, new TableSummary(41, 4096, 10, "a".getBytes(StandardCharsets.UTF_8), 900,
                        "m".getBytes(StandardCharsets.UTF_8), 990)),
                new Manifest.LeveledTable(3, new TableSummary(12, 1 << 20, 5000, "b".getBytes(StandardCharsets.UTF_8), 1,
                        "z".getBytes(StandardCharsets.UTF_8), 400))), 8, namespaces);
    }

    @Test
    void aWrittenStateReadsBackWhole() throws Exception {
        Manifest.State written = state();
        Manifest.write(dir, written);
        Manifest.State read = Manifest.read(dir);
        assertEquals(written.nextFileNumber(), read.nextFileNumber());
        assertEquals(written.lastSequence(), read.lastSequence());
        assertEquals(written.logNumber(), read.logNumber());
        assertEquals(written.nextNamespaceId(), read.nextNamespaceId());
        assertEquals(written.namespaces(), read.namespaces());
        assertEquals(2, read.tables().size());
        for (int i = 0; i < 2; i++) {
            TableSummary a = written.tables().get(i).table();
            TableSummary b = read.tables().get(i).table();
            assertEquals(written.tables().get(i).level(), read.tables().get(i).level());
            assertEquals(a.number(), b.number());
            assertEquals(a.size(), b.size());
            assertArrayEquals(a.smallestKey(), b.smallestKey());
            assertArrayEquals(a.largestKey(), b.largestKey());
            assertEquals(a.largestSequence(), b.largestSequence());
        }
        assertFalse(Files.exists(dir.resolve(FileNames.MANIFEST_TEMP)), "the temporary file was renamed over");
    }

    @Test
    void everyDamagedByteIsCaughtAndNamesTheFile() throws Exception {
        Manifest.write(dir, state());
        Path file = dir.resolve(FileNames.MANIFEST);
        byte[] good = Files.readAllBytes(file);
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            Files.write(file, bad);
            CorruptionException e = assertThrows(CorruptionException.class, () -> Manifest.read(dir), "byte " + i);
            assertEquals(file, e.file());
        }
        Files.write(file, java.util.Arrays.copyOf(good, good.length - 3));
        assertThrows(CorruptionException.class, () -> Manifest.read(dir), "cut short");
    }

    @Test
    void rewritingReplacesTheWholeState() throws Exception {
        Manifest.write(dir, state());
        Manifest.write(dir, new Manifest.State(50, 2000, 49, List.of(), 8, new TreeMap<>()));
        Manifest.State read = Manifest.read(dir);
        assertTrue(read.tables().isEmpty());
        assertTrue(read.namespaces().isEmpty());
        assertEquals(50, read.nextFileNumber());
    }
}
