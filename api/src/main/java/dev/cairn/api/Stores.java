package dev.cairn.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * The one way to open a store: a URI picks the implementation, so the JCache provider, the JDBC
 * driver and the server open stores the same way and clustering is configuration.
 *
 * <ul>
 *   <li>{@code mem:NAME} — a memory-only store, shared in this JVM by everyone naming it;</li>
 *   <li>{@code file:PATH} — an LSM store in directory {@code PATH}, shared in this JVM;</li>
 *   <li>{@code cluster:…} — a cluster member (the transport module).</li>
 * </ul>
 *
 * Settings are per implementation (documented by each provider); unknown keys are refused.
 */
public final class Stores {
    private Stores() {
    }

    /** Opens {@code uri} with no settings. */
    public static Namespaces open(String uri) {
        return open(uri, Map.of());
    }

    /** Opens {@code uri} with {@code settings}; {@link IllegalArgumentException} for an unknown scheme. */
    public static Namespaces open(String uri, Map<String, String> settings) {
        return open(uri, settings, java.time.Clock.systemUTC());
    }

    /**
     * Opens {@code uri} with {@code settings}, the store reading time (TTLs, expiry) from
     * {@code clock} — tests pass a {@link ManualClock} instead of sleeping.
     */
    public static Namespaces open(String uri, Map<String, String> settings, java.time.Clock clock) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(settings, "settings");
        int colon = uri.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("a store URI starts with a scheme (mem:, file:, cluster:): '" + uri + "'");
        }
        String scheme = uri.substring(0, colon);
        List<String> known = new ArrayList<>();
        for (ClassLoader loader : loaders()) {
            for (StoreProvider p : ServiceLoader.load(StoreProvider.class, loader)) {
                if (p.scheme().equals(scheme)) {
                    return p.open(uri, settings, clock);
                }
                known.add(p.scheme());
            }
        }
        throw new IllegalArgumentException("no store provider for '" + scheme + ":' (found " + known
                + "); is the module that provides it on the class path?");
    }

    private static List<ClassLoader> loaders() {
        List<ClassLoader> loaders = new ArrayList<>();
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            loaders.add(context);
        }
        ClassLoader own = Stores.class.getClassLoader();
        if (own != null && own != context) {
            loaders.add(own);
        }
        return loaders;
    }
}
