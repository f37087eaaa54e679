package dev.cairn.storage;

import dev.cairn.api.Namespaces;
import dev.cairn.api.Store;
import dev.cairn.api.StoreLimits;
import dev.cairn.api.StoreProvider;
import dev.cairn.storage.memory.MemoryNamespaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code mem:} and {@code file:} schemes of {@link dev.cairn.api.Stores}. What is open is
 * shared in this JVM and reference-counted: every {@code open} of the same directory (or memory
 * name) returns a handle onto one engine, which closes when the last handle does — so two JCache
 * managers, a JDBC connection and a server in one JVM can use one store without fighting over its
 * lock. Settings apply when the engine is first opened.
 *
 * <ul>
 *   <li>{@code mem:NAME} — {@link MemoryNamespaces}; settings {@code tombstoneGraceMillis} (default 0:
 *       a delete forgets the key at once; a replica needs a grace period), {@code maxKeyBytes},
 *       {@code maxValueBytes}, plus per-namespace ones given to {@code namespace(name, settings)}.</li>
 *   <li>{@code file:PATH} (also {@code file:///abs/path}) — an {@link LsmStore} in directory PATH;
 *       settings {@code sync} ({@code SYNC}, {@code INTERVAL}, {@code NONE}), {@code syncIntervalMillis},
 *       {@code memtableBytes}, {@code blockCacheBytes}, {@code tombstoneGraceMillis},
 *       {@code walRecovery}, {@code walPrefillBytes}, {@code maxKeyBytes}, {@code maxValueBytes}.</li>
 * </ul>
 */
public final class StorageStoreProvider {

    private StorageStoreProvider() {
    }

    /** The {@code mem:} scheme. */
    public static final class Memory implements StoreProvider {
        @Override
        public String scheme() {
            return "mem";
        }

        @Override
        public Namespaces open(String uri, Map<String, String> settings, java.time.Clock clock) {
            String name = uri.substring("mem:".length());
            if (name.isEmpty()) {
                throw new IllegalArgumentException("a memory store URI names the store: mem:NAME, not '" + uri + "'");
            }
            checkKnown(settings, Set.of("maxKeyBytes", "maxValueBytes", "tombstoneGraceMillis"));
            String grace = settings.get("tombstoneGraceMillis");
            return dev.cairn.api.SharedNamespaces.acquire("mem:" + name, () -> new MemoryNamespaces(
                    dev.cairn.storage.memory.MemoryStoreOptions.defaults().withClock(clock).withLimits(limits(settings))
                            .withTombstoneGrace(Duration.ofMillis(grace == null ? 0 : Long.parseLong(grace.trim())))));
        }
    }

    /** The {@code file:} scheme. */
    public static final class File implements StoreProvider {
        @Override
        public String scheme() {
            return "file";
        }

        @Override
        public Namespaces open(String uri, Map<String, String> settings, java.time.Clock clock) {
            Path dir = directory(uri);
            checkKnown(settings, Set.of("sync", "syncIntervalMillis", "memtableBytes", "blockCacheBytes",
                    "tombstoneGraceMillis", "walRecovery", "walPrefillBytes", "maxKeyBytes", "maxValueBytes"));
            return dev.cairn.api.SharedNamespaces.acquire("file:" + dir, () -> {
                try {
                    return LsmStore.open(options(dir, settings).clock(clock).build());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot open the store in " + dir, e);
                }
            });
        }
    }

    /** The directory of a {@code file:} URI, absolute and normalized. */
    public static Path directory(String uri) {
        String rest = uri.substring("file:".length());
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("a file store URI names a directory: file:PATH, not '" + uri + "'");
        }
        Path p = rest.startsWith("//") ? Path.of(java.net.URI.create(uri)) : Path.of(rest);
        return p.toAbsolutePath().normalize();
    }

    private static StorageOptions.Builder options(Path dir, Map<String, String> settings) {
        StorageOptions.Builder b = StorageOptions.builder(dir).limits(limits(settings));
        settings.forEach((key, value) -> {
            String v = value.trim();
            try {
                switch (key) {
                    case "sync" -> b.syncMode(SyncMode.valueOf(v.toUpperCase(Locale.ROOT)));
                    case "syncIntervalMillis" -> b.syncIntervalMillis(Long.parseLong(v));
                    case "memtableBytes" -> b.memtableBytes(Long.parseLong(v));
                    case "blockCacheBytes" -> b.blockCacheBytes(Long.parseLong(v));
                    case "tombstoneGraceMillis" -> b.tombstoneGrace(Duration.ofMillis(Long.parseLong(v)));
                    case "walRecovery" -> b.walRecovery(WalRecovery.valueOf(v.toUpperCase(Locale.ROOT)));
                    case "walPrefillBytes" -> b.walPrefillBytes(Long.parseLong(v));
                    default -> { } // limits, read above
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad value '" + v + "' for store setting " + key + ": " + e.getMessage(), e);
            }
        });
        return b;
    }

    private static StoreLimits limits(Map<String, String> settings) {
        int key = Integer.parseInt(settings.getOrDefault("maxKeyBytes", Integer.toString(StoreLimits.DEFAULT_MAX_KEY_BYTES)).trim());
        int value = Integer.parseInt(settings.getOrDefault("maxValueBytes", Integer.toString(StoreLimits.DEFAULT_MAX_VALUE_BYTES)).trim());
        return new StoreLimits(key, value);
    }

    private static void checkKnown(Map<String, String> settings, Set<String> known) {
        for (String key : settings.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown store setting '" + key + "' (known: " + new java.util.TreeSet<>(known) + ")");
            }
        }
    }
}
