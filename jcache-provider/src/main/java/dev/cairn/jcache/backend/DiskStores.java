package dev.cairn.jcache.backend;

import dev.cairn.storage.LsmStore;
import dev.cairn.storage.StorageOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The disk stores open in this process, one per directory, shared and reference-counted. Two
 * cache managers with the same URI (say, under two class loaders) that create the same disk cache
 * therefore use one store and see the same entries, instead of failing on the directory lock; the
 * store closes when its last cache does.
 */
public final class DiskStores {
    private static final Map<Path, Shared> OPEN = new HashMap<>();

    private static final class Shared {
        final LsmStore store;
        int references;

        Shared(LsmStore store) {
            this.store = store;
        }
    }

    private DiskStores() {
    }

    public static synchronized LsmStore acquire(StorageOptions options) throws IOException {
        Path dir = options.directory().toAbsolutePath().normalize();
        Shared shared = OPEN.get(dir);
        if (shared == null) {
            shared = new Shared(LsmStore.open(options));
            OPEN.put(dir, shared);
        }
        shared.references++;
        return shared.store;
    }

    /** Drops one reference; closes the store and returns true when it was the last. */
    public static synchronized boolean release(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        Shared shared = OPEN.get(dir);
        if (shared == null) {
            return true;
        }
        if (--shared.references > 0) {
            return false;
        }
        OPEN.remove(dir);
        shared.store.close();
        return true;
    }
}
