package dev.cairn.storage;

import static dev.cairn.api.ByteStrings.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.Namespaces;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.Stores;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening stores by URI: the schemes this module provides, sharing and reference counting. */
class StoresTest {
    @TempDir
    Path dir;

    @Test
    void twoOpensOfOneDirectoryShareTheEngineUntilTheLastCloses() throws Exception {
        String uri = "file:" + dir.resolve("shared");
        Namespaces first = Stores.open(uri, Map.of("sync", "none"));
        Namespaces second = Stores.open(uri); // would fail on the directory lock if it opened a second engine
        first.namespace("t").put(utf8("k"), utf8("v"));
        assertArrayEquals(utf8("v"), second.namespace("t").get(utf8("k")).orElseThrow().value());
        first.close();
        first.close(); // a handle releases once
        assertArrayEquals(utf8("v"), second.namespace("t").get(utf8("k")).orElseThrow().value());
        var held = second.namespace("t");
        second.close();
        assertThrows(StoreClosedException.class, () -> held.get(utf8("k")), "the last handle closed the engine");
        try (Namespaces again = Stores.open("file://" + dir.resolve("shared").toAbsolutePath())) {
            assertArrayEquals(utf8("v"), again.namespace("t").get(utf8("k")).orElseThrow().value());
        }
    }

    @Test
    void memoryStoresAreSharedByName() {
        try (Namespaces a = Stores.open("mem:stores-test"); Namespaces b = Stores.open("mem:stores-test");
             Namespaces other = Stores.open("mem:stores-test-other")) {
            a.namespace("n").put(utf8("k"), utf8("v"));
            assertTrue(b.namespace("n").get(utf8("k")).isPresent());
            assertTrue(other.namespace("n").get(utf8("k")).isEmpty());
        }
    }

    @Test
    void badUrisAndSettingsAreRefusedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Stores.open("nosuch:x"));
        assertTrue(e.getMessage().contains("no store provider for 'nosuch:'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Stores.open("just-a-name"));
        assertThrows(IllegalArgumentException.class, () -> Stores.open("mem:"));
        e = assertThrows(IllegalArgumentException.class, () -> Stores.open("file:" + dir, Map.of("sync", "sometimes")));
        assertTrue(e.getMessage().contains("sync"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Stores.open("file:" + dir, Map.of("colour", "blue")));
        assertTrue(e.getMessage().contains("unknown store setting 'colour'"), e.getMessage());
    }
}
