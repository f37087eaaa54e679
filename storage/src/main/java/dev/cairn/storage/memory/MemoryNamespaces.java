package dev.cairn.storage.memory;

import dev.cairn.api.Namespaces;
import dev.cairn.api.Store;
import dev.cairn.api.StoreLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Namespaces in memory: one {@link MemoryStore} per name, each with its own bounds and eviction
 * (a JCache cache's {@code maxEntries}, say), all reading one clock.
 *
 * <p>Settings of {@link #namespace(String, Map)}, all optional: {@code maxEntries},
 * {@code maxBytes} (positive numbers; unbounded when absent), {@code eviction} ({@code LRU},
 * {@code LFU}, {@code RANDOM}, {@code NONE}), {@code tombstoneGraceMillis}.
 */
public final class MemoryNamespaces implements Namespaces {
    private static final Set<String> SETTINGS = Set.of("maxEntries", "maxBytes", "eviction", "tombstoneGraceMillis");

    private final MemoryStoreOptions defaults;
    private final ConcurrentSkipListMap<String, MemoryStore> stores = new ConcurrentSkipListMap<>();
    private volatile boolean closed;

    public MemoryNamespaces(MemoryStoreOptions defaults) {
        this.defaults = Objects.requireNonNull(defaults, "defaults");
    }

    public MemoryNamespaces(Clock clock, StoreLimits limits) {
        this(MemoryStoreOptions.defaults().withClock(clock).withLimits(limits));
    }

    @Override
    public Store namespace(String name, Map<String, String> settings) {
        Namespaces.checkName(name);
        MemoryStoreOptions options = options(settings);
        if (closed) {
            throw new dev.cairn.api.StoreClosedException("memory namespaces");
        }
        return stores.computeIfAbsent(name, n -> new MemoryStore(options));
    }

    /** The options that {@code settings} give on top of the defaults; refuses unknown keys and bad values. */
    public MemoryStoreOptions options(Map<String, String> settings) {
        MemoryStoreOptions o = defaults;
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (!SETTINGS.contains(e.getKey())) {
                throw new IllegalArgumentException("unknown memory namespace setting '" + e.getKey()
                        + "' (known: " + new java.util.TreeSet<>(SETTINGS) + ")");
            }
            String v = e.getValue().trim();
            try {
                o = switch (e.getKey()) {
                    case "maxEntries" -> o.withMaxEntries(Long.parseLong(v));
                    case "maxBytes" -> o.withMaxBytes(Long.parseLong(v));
                    case "eviction" -> o.withEviction(EvictionPolicy.valueOf(v.toUpperCase(java.util.Locale.ROOT)));
                    case "tombstoneGraceMillis" -> o.withTombstoneGrace(Duration.ofMillis(Long.parseLong(v)));
                    default -> throw new IllegalStateException("setting without a parser: " + e.getKey());
                };
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("bad value '" + v + "' for " + e.getKey() + ": not a number", ex);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("bad value '" + v + "' for " + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        return o;
    }

    @Override
    public List<String> names() {
        return List.copyOf(stores.keySet());
    }

    @Override
    public boolean drop(String name) {
        MemoryStore s = stores.get(name);
        if (s == null) {
            return false;
        }
        s.clear();
        stores.remove(name, s);
        return true;
    }

    @Override
    public void close() {
        closed = true;
        stores.values().forEach(MemoryStore::close);
        stores.clear();
    }
}
