package dev.cairn.jcache;

import dev.cairn.api.Namespaces;
import dev.cairn.api.Stores;
import dev.cairn.jcache.backend.CacheBackend;
import dev.cairn.jcache.backend.HeapBackend;
import dev.cairn.jcache.backend.StoreBackend;
import dev.cairn.jcache.configuration.CairnConfiguration;
import dev.cairn.jcache.configuration.ManagerSettings;
import dev.cairn.jcache.configuration.Persistence;
import dev.cairn.jcache.serialization.AllowList;
import dev.cairn.jcache.serialization.Codec;
import dev.cairn.storage.SyncMode;
import dev.cairn.storage.memory.EvictionPolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.spi.CachingProvider;

/**
 * A JCache {@link CacheManager}: a set of named caches sharing settings ({@link ManagerSettings}),
 * a class loader, a data directory for disk caches and an executor for asynchronous listeners and
 * {@code loadAll}.
 *
 * <p>Each store-by-value cache is a namespace of a Cairn store opened through
 * {@link Stores#open}: of the manager's own memory store ({@code mem:}, bounded and evicting as
 * configured per cache), or of a disk store ({@code file:}) in
 * {@code data-dir/<name>/<cache name>} (both URL-encoded; the name is the configuration's
 * {@code name}, else its file's name), shared with any other manager in
 * this JVM that opens the same directory, or of a cluster this JVM is a member of ({@code cluster:},
 * see {@link Persistence#CLUSTER}). A store-by-reference cache keeps its objects on the heap.
 */
public final class CairnCacheManager implements CacheManager {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final java.util.concurrent.atomic.AtomicLong MANAGERS = new java.util.concurrent.atomic.AtomicLong();

    private final CairnCachingProvider provider;
    private final URI uri;
    private final ClassLoader classLoader;
    private final Properties properties;
    private final ManagerSettings settings;
    private final Map<String, CairnCache<?, ?>> caches = new ConcurrentHashMap<>();
    private final ExecutorService executor;
    /**
     * The property of {@code getCacheManager(uri, loader, properties)} that gives the manager a
     * {@link Clock} object (the properties are a {@code Hashtable}): its caches read time, and so
     * expire entries, by it. Tests pass a {@link dev.cairn.api.ManualClock} and stop sleeping.
     */
    public static final String CLOCK_PROPERTY = "dev.cairn.jcache.clock";

    private final Clock clock;
    /** This manager's memory caches: namespaces of one memory store of its own. */
    private final String memoryUri = "mem:jcache-manager-" + MANAGERS.incrementAndGet();
    private volatile boolean closed;

    CairnCacheManager(CairnCachingProvider provider, URI uri, ClassLoader classLoader, Properties properties,
                      ManagerSettings settings) {
        this.provider = provider;
        this.uri = uri;
        this.classLoader = classLoader;
        this.properties = properties;
        Object clockProperty = properties.get(CLOCK_PROPERTY);
        if (clockProperty != null && !(clockProperty instanceof Clock)) {
            throw new CacheException("property " + CLOCK_PROPERTY + " must be a java.time.Clock, not " + clockProperty.getClass());
        }
        this.clock = clockProperty != null ? (Clock) clockProperty : Clock.systemUTC();
        this.settings = settings;
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "cairn-jcache-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public CachingProvider getCachingProvider() {
        return provider;
    }

    @Override
    public URI getURI() {
        return uri;
    }

    @Override
    public ClassLoader getClassLoader() {
        return classLoader;
    }

    @Override
    public Properties getProperties() {
        return properties;
    }

    public ManagerSettings settings() {
        return settings;
    }

    @Override
    public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String cacheName, C configuration) {
        checkOpen();
        Objects.requireNonNull(cacheName, "cacheName");
        Objects.requireNonNull(configuration, "configuration");
        CairnConfiguration<K, V> copy = copyOf(configuration);
        synchronized (caches) {
            if (caches.containsKey(cacheName)) {
                throw new CacheException("cache " + cacheName + " already exists in " + uri);
            }
            CairnCache<K, V> cache = new CairnCache<>(cacheName, this, copy, backendFor(cacheName, copy), clock, executor);
            caches.put(cacheName, cache);
            return cache;
        }
    }

    private static <K, V> CairnConfiguration<K, V> copyOf(Configuration<K, V> configuration) {
        if (configuration instanceof CompleteConfiguration<K, V> complete) {
            return new CairnConfiguration<>(complete);
        }
        CairnConfiguration<K, V> c = new CairnConfiguration<>();
        c.setTypes(configuration.getKeyType(), configuration.getValueType());
        c.setStoreByValue(configuration.isStoreByValue());
        return c;
    }

    private <K, V> CacheBackend<K, V> backendFor(String cacheName, CairnConfiguration<K, V> c) {
        if (!c.isStoreByValue()) {
            return new HeapBackend<>(clock);
        }
        List<String> typePatterns = new ArrayList<>();
        for (Class<?> type : List.of(c.getKeyType(), c.getValueType())) {
            if (type != Object.class) {
                typePatterns.add(type.getName());
            }
        }
        AllowList allow = settings.allowList().with(typePatterns);
        Codec codec = new Codec(allow, classLoader);
        Persistence persistence = c.getPersistence() != null ? c.getPersistence() : settings.persistence(cacheName);
        if (persistence == Persistence.CLUSTER) {
            String uri = "cluster:" + settings.clusterName();
            try {
                provider.holdCluster(settings, clock);
                Namespaces member = Stores.open(uri, settings.clusterStoreSettings(), clock);
                try {
                    // the cluster's entries outlive the cache's close, as Hazelcast's and Infinispan's do;
                    // destroyCache removes them everywhere. Other members' changes raise no events here.
                    return new StoreBackend<>(member, cacheName, settings.replication(cacheName), codec, false, true, false);
                } catch (RuntimeException e) {
                    member.close();
                    throw e;
                }
            } catch (CacheException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new CacheException("cannot open cache " + cacheName + " in " + uri + ": " + e.getMessage(), e);
            }
        }
        if (persistence == Persistence.DISK) {
            Path root = settings.dataDirectory();
            if (root == null) {
                throw new CacheException("cache " + cacheName + " is on disk but the configuration " + uri
                        + " sets no data-dir");
            }
            // One directory per configuration, then per cache: configurations sharing a data-dir
            // stay apart, and each cache keeps its own sync mode.
            Path dir = root.resolve(URLEncoder.encode(directoryName(), StandardCharsets.UTF_8))
                    .resolve(URLEncoder.encode(cacheName, StandardCharsets.UTF_8));
            SyncMode sync = c.getSyncMode() != null ? c.getSyncMode()
                    : settings.syncMode(cacheName) != null ? settings.syncMode(cacheName) : SyncMode.INTERVAL;
            ManagerSettings.Restart restart = settings.restart(cacheName);
            if (restart == null) {
                restart = calledByHibernate() ? ManagerSettings.Restart.CLEAR : ManagerSettings.Restart.KEEP;
            }
            Namespaces store;
            try {
                store = Stores.open("file:" + dir.toAbsolutePath(), Map.of("sync", sync.name(),
                        "memtableBytes", Long.toString(8L << 20), "blockCacheBytes", Long.toString(8L << 20)), clock);
            } catch (RuntimeException e) {
                throw new CacheException("cannot open the store of cache " + cacheName + " in " + dir + ": " + e.getMessage(), e);
            }
            try {
                if (restart == ManagerSettings.Restart.CLEAR) {
                    // what the cache held before this manager created it may be stale
                    store.namespace(cacheName).clear();
                }
                return new StoreBackend<>(store, cacheName, Map.of(), codec, true, true, true);
            } catch (RuntimeException e) {
                store.close();
                throw new CacheException("cannot open the store of cache " + cacheName + " in " + dir + ": " + e.getMessage(), e);
            }
        }
        Long maxEntries = c.getMaxEntries() != null ? c.getMaxEntries() : settings.maxEntries(cacheName);
        Long maxBytes = c.getMaxBytes() != null ? c.getMaxBytes() : settings.maxBytes(cacheName);
        EvictionPolicy eviction = c.getEviction() != null ? c.getEviction()
                : settings.eviction(cacheName) != null ? settings.eviction(cacheName) : EvictionPolicy.LRU;
        Map<String, String> bounds = new java.util.HashMap<>();
        bounds.put("eviction", eviction.name());
        if (maxEntries != null) {
            bounds.put("maxEntries", maxEntries.toString());
        }
        if (maxBytes != null) {
            bounds.put("maxBytes", maxBytes.toString());
        }
        return new StoreBackend<>(Stores.open(memoryUri, Map.of(), clock), cacheName, bounds, codec, true, false, false);
    }

    /**
     * The directory of this manager's disk caches under {@code data-dir}: the configuration's
     * {@code name}, else the configuration file's name without its path (stable when the file
     * moves, say into the jar of the next release), else the URI (a {@code urn:} names no file).
     */
    private String directoryName() {
        if (settings.name() != null) {
            return settings.name();
        }
        String s = uri.toString();
        if (uri.getScheme() != null && !uri.getScheme().equals("urn")) {
            int cut = Math.max(s.lastIndexOf('/'), Math.max(s.lastIndexOf('!'), s.lastIndexOf(':')));
            String file = s.substring(cut + 1);
            if (!file.isEmpty()) {
                return file;
            }
        }
        return s;
    }

    /**
     * Whether Hibernate's JCache region factory is creating this cache (it is on the stack): a
     * Hibernate region then defaults to {@code restart = clear}, since the database may have
     * changed while the application was down and the region would serve the old rows.
     */
    private static boolean calledByHibernate() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                f -> f.getClassName().startsWith("org.hibernate.cache.jcache.")));
    }

    @Override
    public <K, V> Cache<K, V> getCache(String cacheName, Class<K> keyType, Class<V> valueType) {
        checkOpen();
        Objects.requireNonNull(cacheName, "cacheName");
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(valueType, "valueType");
        CairnCache<?, ?> cache = caches.get(cacheName);
        if (cache == null) {
            return null;
        }
        CompleteConfiguration<?, ?> c = cache.configuration();
        if (c.getKeyType() != keyType) {
            throw new ClassCastException("cache " + cacheName + " has keys of type " + c.getKeyType().getName()
                    + ", not " + keyType.getName());
        }
        if (c.getValueType() != valueType) {
            throw new ClassCastException("cache " + cacheName + " has values of type " + c.getValueType().getName()
                    + ", not " + valueType.getName());
        }
        @SuppressWarnings("unchecked")
        Cache<K, V> typed = (Cache<K, V>) cache;
        return typed;
    }

    @SuppressWarnings("unchecked")
    @Override
    public <K, V> Cache<K, V> getCache(String cacheName) {
        checkOpen();
        Objects.requireNonNull(cacheName, "cacheName");
        return (Cache<K, V>) caches.get(cacheName);
    }

    @Override
    public Iterable<String> getCacheNames() {
        checkOpen();
        return Collections.unmodifiableSet(new LinkedHashSet<>(caches.keySet()));
    }

    @Override
    public void destroyCache(String cacheName) {
        checkOpen();
        Objects.requireNonNull(cacheName, "cacheName");
        CairnCache<?, ?> cache = caches.remove(cacheName);
        if (cache != null) {
            cache.shutdown(true);
        }
    }

    @Override
    public void enableManagement(String cacheName, boolean enabled) {
        checkOpen();
        CairnCache<?, ?> cache = caches.get(Objects.requireNonNull(cacheName, "cacheName"));
        if (cache != null) {
            cache.setManagementEnabled(enabled);
        }
    }

    @Override
    public void enableStatistics(String cacheName, boolean enabled) {
        checkOpen();
        CairnCache<?, ?> cache = caches.get(Objects.requireNonNull(cacheName, "cacheName"));
        if (cache != null) {
            cache.setStatisticsEnabled(enabled);
        }
    }

    /** Forgets a cache that closed itself. */
    void release(CairnCache<?, ?> cache) {
        caches.remove(cache.getName(), cache);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        provider.release(this);
        for (CairnCache<?, ?> cache : List.copyOf(caches.values())) {
            try {
                cache.shutdown(false);
            } catch (RuntimeException e) {
                // keep closing the others
            }
        }
        caches.clear();
        executor.shutdown();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("cannot unwrap the cache manager to " + clazz.getName());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("cache manager " + uri + " is closed");
        }
    }
}
