package dev.cairn.storage;

import static dev.cairn.api.ByteStrings.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.ManualClock;
import dev.cairn.api.Namespaces;
import dev.cairn.api.NamespacesContract;
import dev.cairn.api.Store;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The namespaces contract on the LSM engine, plus what is particular to it: compaction reclaims cleared namespaces. */
class LsmNamespacesTest extends NamespacesContract {
    @TempDir
    Path dir;

    @Override
    protected Namespaces openNamespaces(ManualClock clock) throws Exception {
        return LsmStore.open(StorageOptions.builder(dir).clock(clock).syncMode(SyncMode.NONE).build());
    }

    @Override
    protected Namespaces reopen(Namespaces open) throws Exception {
        open.close();
        return openNamespaces(clock);
    }

    @Test
    void compactionReclaimsTheSpaceOfAClearedNamespace() {
        LsmStore store = (LsmStore) namespaces;
        Store big = store.namespace("big");
        for (int i = 0; i < 5000; i++) {
            big.put(utf8("k" + i), new byte[200]);
        }
        store.namespace("small").put(utf8("k"), utf8("v"));
        store.compact();
        long full = store.stats().liveTableBytes();
        big.clear();
        store.compact();
        long after = store.stats().liveTableBytes();
        assertTrue(after < full / 50, "a cleared namespace's records are garbage: " + full + " -> " + after);
        assertEquals(1, store.namespace("small").count());
    }
}
