package dev.cairn.storage.memory;

import static dev.cairn.api.ByteStrings.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.api.ManualClock;
import dev.cairn.api.Namespaces;
import dev.cairn.api.NamespacesContract;
import dev.cairn.api.Store;
import dev.cairn.api.StoreLimits;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryNamespacesTest extends NamespacesContract {
    @Override
    protected Namespaces openNamespaces(ManualClock clock) {
        return new MemoryNamespaces(clock, StoreLimits.DEFAULT);
    }

    @Test
    void eachNamespaceHasItsOwnBounds() {
        Store small = namespaces.namespace("small", Map.of("maxEntries", "10", "eviction", "lru"));
        Store large = namespaces.namespace("large");
        for (int i = 0; i < 100; i++) {
            small.put(utf8("k" + i), utf8("v"));
            large.put(utf8("k" + i), utf8("v"));
        }
        assertEquals(10, small.count());
        assertEquals(100, large.count());
        assertThrows(IllegalArgumentException.class, () -> namespaces.namespace("bad", Map.of("maxEntries", "many")));
    }
}
