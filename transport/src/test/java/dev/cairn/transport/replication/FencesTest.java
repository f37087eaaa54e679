package dev.cairn.transport.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fence file: what is written is read back after a restart; damage is refused, naming the file. */
class FencesTest {
    @TempDir
    Path dir;

    @Test
    void fencesSurviveARestart() {
        Path file = dir.resolve("fences");
        assertArrayEquals(new long[4], Fences.read(file, 4), "no file: nothing fenced");
        Fences.write(file, new long[] {0, 7, 3, 9});
        Fences.write(file, new long[] {1, 7, 3, 12});
        assertArrayEquals(new long[] {1, 7, 3, 12}, Fences.read(file, 4));
        assertTrue(Files.notExists(dir.resolve("fences.tmp")), "the temporary file was renamed over the old one");
    }

    @Test
    void aDamagedOrForeignFileIsRefusedByName() throws Exception {
        Path file = dir.resolve("fences");
        Fences.write(file, new long[] {5, 6});
        byte[] bytes = Files.readAllBytes(file);
        bytes[10] ^= 1;
        Files.write(file, bytes);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Fences.read(file, 2));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("offset"), e.getMessage());
        Fences.write(file, new long[] {5, 6});
        IllegalStateException other = assertThrows(IllegalStateException.class, () -> Fences.read(file, 3));
        assertTrue(other.getMessage().contains("3 segments"), other.getMessage());
    }
}
