package dev.cairn.api;

import static dev.cairn.api.ByteStrings.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link Namespaces} contract: named keyspaces that share nothing but the engine — the same
 * key in two namespaces is two entries; scans, counts and clears stay inside one namespace.
 */
public abstract class NamespacesContract {
    protected ManualClock clock;
    protected Namespaces namespaces;

    /** Opens new, empty namespaces reading {@code clock}. */
    protected abstract Namespaces openNamespaces(ManualClock clock) throws Exception;

    /** Closes and opens the same namespaces again (durable implementations keep their data), or null if not durable. */
    protected Namespaces reopen(Namespaces open) throws Exception {
        return null;
    }

    @BeforeEach
    void open() throws Exception {
        clock = new ManualClock();
        namespaces = openNamespaces(clock);
    }

    @AfterEach
    void close() {
        namespaces.close();
    }

    @Test
    void theSameKeyInTwoNamespacesIsTwoEntries() {
        Store users = namespaces.namespace("users");
        Store orders = namespaces.namespace("orders");
        users.put(utf8("k"), utf8("user"));
        orders.put(utf8("k"), utf8("order"));
        assertArrayEquals(utf8("user"), users.get(utf8("k")).orElseThrow().value());
        assertArrayEquals(utf8("order"), orders.get(utf8("k")).orElseThrow().value());
        assertTrue(namespaces.names().containsAll(List.of("orders", "users")));
    }

    @Test
    void scansCountsAndClearsStayInsideOneNamespace() {
        Store a = namespaces.namespace("a");
        Store b = namespaces.namespace("b");
        Store ab = namespaces.namespace("ab"); // a name that is a prefix of another must not leak into it
        for (int i = 0; i < 50; i++) {
            a.put(utf8("k" + i), utf8("a"));
            b.put(utf8("k" + i), utf8("b"));
        }
        ab.put(utf8("k0"), utf8("ab"));
        assertEquals(50, a.scan(KeyRange.all(), 1000).size());
        assertEquals(50, a.count());
        assertEquals(1, ab.count());
        a.scan(KeyRange.all(), 1000).forEach(e -> assertArrayEquals(utf8("a"), e.value()));
        assertEquals(List.of("k0", "k1"), StoreContract.keysOf(b.scan(KeyRange.prefix(utf8("k")), 2)));
        a.clear();
        assertEquals(0, a.count());
        assertEquals(50, b.count());
        assertEquals(1, ab.count());
        a.put(utf8("again"), utf8("x"));
        assertEquals(1, a.count());
    }

    @Test
    void theSameNameGivesTheSameData() {
        namespaces.namespace("t").put(utf8("k"), utf8("v"));
        assertArrayEquals(utf8("v"), namespaces.namespace("t").get(utf8("k")).orElseThrow().value());
    }

    @Test
    void dropRemovesTheNamespaceAndItsData() {
        namespaces.namespace("gone").put(utf8("k"), utf8("v"));
        assertTrue(namespaces.drop("gone"));
        assertFalse(namespaces.names().contains("gone"));
        assertFalse(namespaces.drop("gone"));
        assertTrue(namespaces.namespace("gone").get(utf8("k")).isEmpty(), "opened again, it is empty");
    }

    @Test
    void badNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> namespaces.namespace(""));
        assertThrows(IllegalArgumentException.class, () -> namespaces.namespace("x".repeat(256)));
    }

    @Test
    void unknownSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> namespaces.namespace("s", Map.of("noSuchSetting", "1")));
    }

    @Test
    void namespacesAndTheirDataSurviveReopenWhereDurable() throws Exception {
        namespaces.namespace("kept").put(utf8("k"), utf8("v"));
        namespaces.namespace("cleared").put(utf8("k"), utf8("v"));
        namespaces.namespace("cleared").clear();
        namespaces.namespace("dropped").put(utf8("k"), utf8("v"));
        namespaces.drop("dropped");
        Namespaces again = reopen(namespaces);
        if (again == null) {
            return; // not durable
        }
        namespaces = again;
        assertTrue(namespaces.names().containsAll(List.of("cleared", "kept")));
        assertFalse(namespaces.names().contains("dropped"));
        assertArrayEquals(utf8("v"), namespaces.namespace("kept").get(utf8("k")).orElseThrow().value());
        assertEquals(0, namespaces.namespace("cleared").count());
        assertTrue(namespaces.namespace("dropped").get(utf8("k")).isEmpty());
    }
}
