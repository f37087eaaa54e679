package dev.cairn.jcache;

import dev.cairn.jcache.configuration.ManagerSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;
import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;

/**
 * Cairn's JCache {@link CachingProvider}, registered in
 * {@code META-INF/services/javax.cache.spi.CachingProvider}.
 *
 * <p>Cache managers are kept per class loader and URI. The default URI ({@link #getDefaultURI()})
 * and {@code null} give an embedded, memory-only manager that writes no files, unless the system
 * property {@value ManagerSettings#CONFIG_PROPERTY} names a configuration file. A {@code urn:}
 * URI only names a manager (memory-only, default settings). Any other URI names a configuration
 * file ({@code file:}, {@code jar:}, {@code classpath:}); see {@link ManagerSettings} for its
 * format.
 */
public final class CairnCachingProvider implements CachingProvider {
    private static final URI DEFAULT_URI = URI.create("urn:cairn:default");

    private final Map<ClassLoader, Map<URI, CairnCacheManager>> managers = new WeakHashMap<>();
    /**
     * The cluster memberships this provider's managers use, held open until the provider closes:
     * managers come and go (the TCK opens hundreds), a member joining and leaving each time would
     * move every segment twice.
     */
    private final Map<String, dev.cairn.api.Namespaces> clusters = new HashMap<>();

    @Override
    public synchronized CacheManager getCacheManager(URI uri, ClassLoader classLoader, Properties properties) {
        URI u = uri == null ? getDefaultURI() : uri;
        ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
        Properties props = properties == null ? new Properties() : properties;
        Map<URI, CairnCacheManager> byUri = managers.computeIfAbsent(loader, l -> new HashMap<>());
        CairnCacheManager existing = byUri.get(u);
        if (existing != null && !existing.isClosed()) {
            return existing;
        }
        CairnCacheManager created = new CairnCacheManager(this, u, loader, props, settingsFor(u, loader));
        byUri.put(u, created);
        return created;
    }

    private static ManagerSettings settingsFor(URI uri, ClassLoader loader) {
        if (uri.equals(DEFAULT_URI)) {
            String file = System.getProperty(ManagerSettings.CONFIG_PROPERTY);
            return file == null || file.isBlank() ? ManagerSettings.empty()
                    : ManagerSettings.load(Path.of(file).toUri(), loader);
        }
        if ("urn".equalsIgnoreCase(uri.getScheme())) {
            return ManagerSettings.empty(); // a name, not a file: memory-only with the defaults
        }
        return ManagerSettings.load(uri, loader);
    }

    @Override
    public ClassLoader getDefaultClassLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : CairnCachingProvider.class.getClassLoader();
    }

    @Override
    public URI getDefaultURI() {
        return DEFAULT_URI;
    }

    @Override
    public Properties getDefaultProperties() {
        return new Properties();
    }

    @Override
    public CacheManager getCacheManager(URI uri, ClassLoader classLoader) {
        return getCacheManager(uri, classLoader, getDefaultProperties());
    }

    @Override
    public CacheManager getCacheManager() {
        return getCacheManager(getDefaultURI(), getDefaultClassLoader(), getDefaultProperties());
    }

    @Override
    public synchronized void close() {
        for (Map<URI, CairnCacheManager> byUri : new HashMap<>(managers).values()) {
            for (CairnCacheManager m : new HashMap<>(byUri).values()) {
                m.close();
            }
        }
        managers.clear();
        for (dev.cairn.api.Namespaces member : clusters.values()) {
            member.close(); // the last handle: this JVM leaves the cluster gracefully
        }
        clusters.clear();
    }

    /**
     * Keeps this JVM a member of the cluster {@code settings} configure until the provider closes,
     * joining it now if it is not one yet.
     */
    synchronized void holdCluster(ManagerSettings settings, java.time.Clock clock) {
        String uri = "cluster:" + settings.clusterName();
        Map<String, String> store = settings.clusterStoreSettings();
        clusters.computeIfAbsent(uri + "/" + store.get("member"), k -> dev.cairn.api.Stores.open(uri, store, clock));
    }

    @Override
    public synchronized void close(ClassLoader classLoader) {
        ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
        Map<URI, CairnCacheManager> byUri = managers.remove(loader);
        if (byUri != null) {
            for (CairnCacheManager m : new HashMap<>(byUri).values()) {
                m.close();
            }
        }
    }

    @Override
    public synchronized void close(URI uri, ClassLoader classLoader) {
        URI u = uri == null ? getDefaultURI() : uri;
        ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
        Map<URI, CairnCacheManager> byUri = managers.get(loader);
        if (byUri != null) {
            CairnCacheManager m = byUri.remove(u);
            if (m != null) {
                m.close();
            }
        }
    }

    /** Forgets a manager that closed itself. */
    synchronized void release(CairnCacheManager manager) {
        Map<URI, CairnCacheManager> byUri = managers.get(manager.getClassLoader());
        if (byUri != null) {
            byUri.remove(manager.getURI(), manager);
        }
    }

    @Override
    public boolean isSupported(OptionalFeature feature) {
        return feature == OptionalFeature.STORE_BY_REFERENCE;
    }
}
