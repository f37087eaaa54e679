package dev.cairn.jcache;

import dev.cairn.jcache.backend.CacheBackend;
import dev.cairn.jcache.backend.StoreBackend;
import dev.cairn.jcache.backend.Versioned;
import dev.cairn.jcache.configuration.CairnConfiguration;
import dev.cairn.jcache.event.CairnEntryEvent;
import dev.cairn.jcache.event.EventDispatcher;
import dev.cairn.jcache.integration.Integration;
import dev.cairn.jcache.management.CacheConfigurationBean;
import dev.cairn.jcache.management.CacheStatistics;
import dev.cairn.jcache.management.JmxRegistration;
import dev.cairn.jcache.processor.ProcessorEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.event.EventType;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;

/**
 * A JCache {@link Cache} on a {@link CacheBackend}.
 *
 * <h2>Atomicity</h2>
 * Atomicity comes from the store: every write is a compare-and-set on the version of the entry
 * the operation read ({@link CacheBackend}), so conditional operations and entry processors are
 * atomic even against another cache manager on the same store. When the compare-and-set fails
 * the operation runs again from its read (the writer, or an entry processor, may then be called
 * again). Inside this cache, writes to one key also hold the lock of the key's stripe (one of
 * 1024), so they do not race each other, a failing writer leaves the cache unchanged, and the
 * events of one key are published in the order of its changes. Plain reads take no lock.
 *
 * <h2>Expiry</h2>
 * The {@link ExpiryPolicy} is asked on creation, update and access; its answer becomes the entry's
 * expiry instant in the backend (for store-by-value caches, the Cairn store's TTL, so the store
 * hides and reclaims expired entries). A policy that throws is treated as ETERNAL on creation and
 * as "unchanged" on update and access. Duration ZERO means the entry is not stored (creation) or
 * is removed (update, access). When the cache meets an entry that has expired but is still
 * stored, it removes it and publishes an EXPIRED event.
 */
public final class CairnCache<K, V> implements Cache<K, V> {
    private static final long NEVER = dev.cairn.api.Entry.NO_EXPIRY;
    private static final long KEEP = -1;
    private static final long NOW = -2;

    private final String name;
    private final CairnCacheManager manager;
    private final CairnConfiguration<K, V> configuration;
    private final CacheBackend<K, V> backend;
    private final Clock clock;
    private final ExpiryPolicy expiry;
    private final Integration<K, V> integration;
    private final EventDispatcher<K, V> events;
    private final CacheStatistics statistics;
    private final CacheConfigurationBean configurationBean;
    private final Executor executor;
    /** loadAll calls still running; closing the cache waits for them before it closes the loader. */
    private final Set<CompletableFuture<Void>> loads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ReentrantLock[] locks = new ReentrantLock[1024];
    /** The cache whose own operation this thread is in: its changes come back through the feed too, and are skipped there. */
    private static final ThreadLocal<CairnCache<?, ?>> ORIGIN = new ThreadLocal<>();
    private AutoCloseable feed; // guarded by this
    private volatile boolean closed;

    @SuppressWarnings("unchecked")
    CairnCache(String name, CairnCacheManager manager, CairnConfiguration<K, V> configuration,
               CacheBackend<K, V> backend, Clock clock, Executor executor) {
        this.name = name;
        this.manager = manager;
        this.configuration = configuration;
        this.backend = backend;
        this.clock = clock;
        this.executor = executor;
        this.expiry = configuration.getExpiryPolicyFactory().create();
        CacheLoader<K, V> loader = configuration.getCacheLoaderFactory() == null ? null
                : configuration.getCacheLoaderFactory().create();
        CacheWriter<K, V> writer = configuration.isWriteThrough() && configuration.getCacheWriterFactory() != null
                ? (CacheWriter<K, V>) configuration.getCacheWriterFactory().create() : null;
        this.integration = new Integration<>(loader, writer);
        this.events = new EventDispatcher<>(executor);
        for (CacheEntryListenerConfiguration<K, V> l : configuration.getCacheEntryListenerConfigurations()) {
            events.register(l);
        }
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
        this.statistics = new CacheStatistics(backend::evictions);
        if (events.hasListeners()) {
            followStore();
        }
        this.configurationBean = new CacheConfigurationBean(this);
        setStatisticsEnabled(configuration.isStatisticsEnabled());
        setManagementEnabled(configuration.isManagementEnabled());
    }

    // ------------------------------------------------------------------ reads

    @Override
    public V get(K key) {
        checkOpen();
        checkKey(key);
        long start = System.nanoTime();
        V v = getOne(key);
        statistics.getTime(System.nanoTime() - start);
        return v;
    }

    private V getOne(K key) {
        Versioned<V> current = readLive(key);
        if (current != null) {
            statistics.hit(1);
            touch(key, current);
            return current.value();
        }
        statistics.miss(1);
        if (!configuration.isReadThrough() || !integration.hasLoader()) {
            return null;
        }
        return lockedCall(key, () -> {
            Versioned<V> raced = readLive(key);
            if (raced != null) {
                return raced.value();
            }
            V loaded = integration.load(key);
            if (loaded != null) {
                storeLoaded(key, loaded, null);
            }
            return loaded;
        });
    }

    @Override
    public Map<K, V> getAll(Set<? extends K> keys) {
        checkOpen();
        Objects.requireNonNull(keys, "keys");
        keys.forEach(this::checkKey);
        long start = System.nanoTime();
        Map<K, V> result = new HashMap<>();
        List<K> missing = new ArrayList<>();
        for (K key : keys) {
            Versioned<V> v = readLive(key);
            if (v != null) {
                statistics.hit(1);
                touch(key, v);
                result.put(key, v.value());
            } else {
                statistics.miss(1);
                missing.add(key);
            }
        }
        if (!missing.isEmpty() && configuration.isReadThrough() && integration.hasLoader()) {
            Map<K, V> loaded = integration.loadAll(missing);
            for (Map.Entry<K, V> e : loaded.entrySet()) {
                if (e.getKey() != null && e.getValue() != null) {
                    lockedRun(e.getKey(), () -> storeLoaded(e.getKey(), e.getValue(), readLive(e.getKey())));
                    result.put(e.getKey(), e.getValue());
                }
            }
        }
        statistics.getTime(System.nanoTime() - start);
        return result;
    }

    @Override
    public boolean containsKey(K key) {
        checkOpen();
        checkKey(key);
        return readLive(key) != null;
    }

    // ------------------------------------------------------------------ writes

    @Override
    public void put(K key, V value) {
        checkOpen();
        checkKey(key);
        checkValue(value);
        long start = System.nanoTime();
        lockedRun(key, () -> {
            integration.write(key, value);
            putLocked(key, value, readLive(key));
        });
        statistics.putTime(System.nanoTime() - start);
    }

    @Override
    public V getAndPut(K key, V value) {
        checkOpen();
        checkKey(key);
        checkValue(value);
        long start = System.nanoTime();
        V old = lockedCall(key, () -> {
            Versioned<V> current = readLive(key);
            integration.write(key, value);
            putLocked(key, value, current);
            return current == null ? null : current.value();
        });
        statistics.lookup(old != null);
        statistics.getTime(System.nanoTime() - start);
        statistics.putTime(System.nanoTime() - start);
        return old;
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> map) {
        checkOpen();
        Objects.requireNonNull(map, "map");
        map.forEach((k, v) -> {
            checkKey(k);
            checkValue(v);
        });
        long start = System.nanoTime();
        Set<K> notWritten = new HashSet<>();
        RuntimeException failure = integration.writeAll(map, notWritten);
        for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
            if (!notWritten.contains(e.getKey())) {
                lockedRun(e.getKey(), () -> putLocked(e.getKey(), e.getValue(), readLive(e.getKey())));
            }
        }
        statistics.putTime(System.nanoTime() - start);
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public boolean putIfAbsent(K key, V value) {
        checkOpen();
        checkKey(key);
        checkValue(value);
        long start = System.nanoTime();
        boolean put = lockedCall(key, () -> {
            if (readLive(key) != null) {
                return false;
            }
            integration.write(key, value);
            putLocked(key, value, null);
            return true;
        });
        statistics.lookup(!put);
        statistics.putTime(System.nanoTime() - start);
        return put;
    }

    @Override
    public boolean remove(K key) {
        checkOpen();
        checkKey(key);
        long start = System.nanoTime();
        boolean removed = lockedCall(key, () -> {
            integration.delete(key);
            return removeLocked(key, readLive(key));
        });
        statistics.removeTime(System.nanoTime() - start);
        return removed;
    }

    @Override
    public boolean remove(K key, V oldValue) {
        checkOpen();
        checkKey(key);
        checkValue(oldValue);
        long start = System.nanoTime();
        boolean removed = lockedCall(key, () -> {
            Versioned<V> current = liveMatching(key, oldValue);
            if (current == null) {
                return false;
            }
            integration.delete(key);
            return removeLocked(key, current);
        });
        statistics.removeTime(System.nanoTime() - start);
        return removed;
    }

    @Override
    public V getAndRemove(K key) {
        checkOpen();
        checkKey(key);
        long start = System.nanoTime();
        V old = lockedCall(key, () -> {
            Versioned<V> current = readLive(key);
            integration.delete(key);
            removeLocked(key, current);
            return current == null ? null : current.value();
        });
        statistics.lookup(old != null);
        statistics.getTime(System.nanoTime() - start);
        statistics.removeTime(System.nanoTime() - start);
        return old;
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        checkOpen();
        checkKey(key);
        checkValue(oldValue);
        checkValue(newValue);
        long start = System.nanoTime();
        boolean replaced = lockedCall(key, () -> {
            Versioned<V> current = liveMatching(key, oldValue);
            if (current == null) {
                return false;
            }
            integration.write(key, newValue);
            putLocked(key, newValue, current);
            return true;
        });
        statistics.putTime(System.nanoTime() - start);
        return replaced;
    }

    @Override
    public boolean replace(K key, V value) {
        long start = System.nanoTime();
        boolean replaced = replaceIfPresent(key, value) != null;
        statistics.putTime(System.nanoTime() - start);
        return replaced;
    }

    @Override
    public V getAndReplace(K key, V value) {
        long start = System.nanoTime();
        Versioned<V> old = replaceIfPresent(key, value);
        statistics.getTime(System.nanoTime() - start);
        statistics.putTime(System.nanoTime() - start);
        return old == null ? null : old.value();
    }

    /**
     * The live entry of key if its value equals {@code expected}; otherwise null, after applying
     * the access expiry to an entry that did not match. Counts the lookup as a hit or a miss.
     * The key's lock is held.
     */
    private Versioned<V> liveMatching(K key, V expected) {
        Versioned<V> current = readLive(key);
        statistics.lookup(current != null);
        if (current != null && !Objects.equals(current.value(), expected)) {
            touch(key, current);
            return null;
        }
        return current;
    }

    /** Writes value if key has a live entry; returns that entry (the old value), or null. */
    private Versioned<V> replaceIfPresent(K key, V value) {
        checkOpen();
        checkKey(key);
        checkValue(value);
        return lockedCall(key, () -> {
            Versioned<V> current = readLive(key);
            statistics.lookup(current != null);
            if (current == null) {
                return null;
            }
            integration.write(key, value);
            putLocked(key, value, current);
            return current;
        });
    }

    @Override
    public void removeAll(Set<? extends K> keys) {
        checkOpen();
        Objects.requireNonNull(keys, "keys");
        keys.forEach(this::checkKey);
        removeKeys(new LinkedHashSet<>(keys));
    }

    @Override
    public void removeAll() {
        checkOpen();
        Set<K> keys = new LinkedHashSet<>();
        for (Iterator<Map.Entry<K, Versioned<V>>> it = backend.iterator(); it.hasNext(); ) {
            keys.add(it.next().getKey());
        }
        removeKeys(keys);
    }

    private void removeKeys(Set<K> keys) {
        if (keys.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        Set<K> notDeleted = new HashSet<>();
        RuntimeException failure = integration.deleteAll(keys, notDeleted);
        for (K key : keys) {
            if (!notDeleted.contains(key)) {
                lockedRun(key, () -> removeLocked(key, readLive(key)));
            }
        }
        statistics.removeTime(System.nanoTime() - start);
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void clear() {
        checkOpen();
        backend.clear();
    }

    // ------------------------------------------------------------------ processors, loading

    @Override
    public <T> T invoke(K key, EntryProcessor<K, V, T> processor, Object... arguments) {
        checkOpen();
        checkKey(key);
        Objects.requireNonNull(processor, "processor");
        return lockedCall(key, () -> {
            Versioned<V> current = readLive(key);
            Function<K, V> loader = configuration.isReadThrough() && integration.hasLoader() ? integration::load : null;
            // The lookup alone is the hit or miss, whatever the processor then does.
            statistics.lookup(current != null);
            ProcessorEntry<K, V> entry = new ProcessorEntry<>(key, current == null ? null : current.value(), loader);
            T result;
            try {
                result = processor.process(entry, arguments);
            } catch (EntryProcessorException e) {
                throw e;
            } catch (Exception e) {
                throw new EntryProcessorException(e);
            }
            applyProcessorOutcome(key, entry, current);
            return result;
        });
    }

    private void applyProcessorOutcome(K key, ProcessorEntry<K, V> entry, Versioned<V> current) {
        switch (entry.outcome()) {
            case NONE:
                break;
            case ACCESS:
                touch(key, current);
                break;
            case LOAD:
                storeLoaded(key, entry.value(), null);
                break;
            case CREATE:
            case UPDATE:
                integration.write(key, entry.value());
                putLocked(key, entry.value(), current);
                break;
            case REMOVE:
                integration.delete(key);
                removeLocked(key, current);
                break;
            default:
                throw new IllegalStateException(entry.outcome().toString());
        }
    }

    @Override
    public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys, EntryProcessor<K, V, T> processor,
                                                         Object... arguments) {
        checkOpen();
        Objects.requireNonNull(keys, "keys");
        keys.forEach(this::checkKey);
        Objects.requireNonNull(processor, "processor");
        Map<K, EntryProcessorResult<T>> results = new LinkedHashMap<>();
        for (K key : keys) {
            try {
                T result = invoke(key, processor, arguments);
                if (result != null) {
                    results.put(key, () -> result);
                }
            } catch (EntryProcessorException e) {
                results.put(key, () -> {
                    throw e;
                });
            } catch (RuntimeException e) {
                EntryProcessorException wrapped = new EntryProcessorException(e);
                results.put(key, () -> {
                    throw wrapped;
                });
            }
        }
        return results;
    }

    @Override
    public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, CompletionListener listener) {
        checkOpen();
        Objects.requireNonNull(keys, "keys");
        keys.forEach(this::checkKey);
        CompletionListener done = listener != null ? listener : new CompletionListener() {
            @Override
            public void onCompletion() {
            }

            @Override
            public void onException(Exception e) {
            }
        };
        if (!integration.hasLoader()) {
            done.onCompletion();
            return;
        }
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
            try {
                List<K> toLoad = new ArrayList<>();
                for (K key : keys) {
                    if (replaceExistingValues || readLive(key) == null) {
                        toLoad.add(key);
                    }
                }
                if (!toLoad.isEmpty()) {
                    Map<K, V> loaded = integration.loadAll(toLoad);
                    for (Map.Entry<K, V> e : loaded.entrySet()) {
                        if (e.getKey() != null && e.getValue() != null) {
                            lockedRun(e.getKey(), () -> storeLoaded(e.getKey(), e.getValue(), readLive(e.getKey())));
                        }
                    }
                }
                done.onCompletion();
            } catch (Exception e) {
                done.onException(e instanceof CacheLoaderException ? e : new CacheLoaderException(e));
            }
        }, executor);
        loads.add(load);
        load.whenComplete((r, e) -> loads.remove(load));
    }

    // ------------------------------------------------------------------ the locked core

    /** Writes value as a create (current == null) or an update of current; publishes the event. */
    private void putLocked(K key, V value, Versioned<V> current) {
        store(key, value, current, true);
    }

    /** Stores a value the loader produced: no writer call, not counted as a put, events as for a put. */
    private void storeLoaded(K key, V value, Versioned<V> current) {
        store(key, value, current, false);
    }

    private void store(K key, V value, Versioned<V> current, boolean isPut) {
        long expiresAt = current == null
                ? expiryOf(expiry::getExpiryForCreation, NEVER)
                : expiryOf(expiry::getExpiryForUpdate, KEEP);
        if (expiresAt == KEEP) {
            expiresAt = current.expiresAtMillis();
        }
        if (expiresAt == NOW) { // expired on arrival: not stored, so not counted as a put
            if (current != null) {
                commit(backend.remove(key, current));
                if (isPut) {
                    publish(EventType.EXPIRED, key, current.value(), current.value());
                }
            }
            return;
        }
        commit(backend.put(key, value, expiresAt, current));
        if (isPut) {
            statistics.put(1);
        }
        if (current == null) {
            publish(EventType.CREATED, key, value, null);
        } else {
            publish(EventType.UPDATED, key, value, current.value());
        }
    }

    private boolean removeLocked(K key, Versioned<V> current) {
        if (current == null) {
            return false;
        }
        commit(backend.remove(key, current));
        statistics.removal(1);
        publish(EventType.REMOVED, key, current.value(), current.value());
        return true;
    }

    /** Applies the access expiry to a live entry that was just read. */
    private void touch(K key, Versioned<V> current) {
        long expiresAt = expiryOf(expiry::getExpiryForAccess, KEEP);
        if (expiresAt == KEEP) {
            return;
        }
        lockedRun(key, () -> {
            // against what was read: if the key changed since, the access expiry is moot
            if (expiresAt == NOW) {
                if (backend.remove(key, current)) {
                    publish(EventType.EXPIRED, key, current.value(), current.value());
                }
            } else {
                backend.setExpiry(key, expiresAt, current);
            }
        });
    }

    /**
     * The live entry of key. If the backend still holds it expired, it is removed here (once) and an
     * EXPIRED event is published.
     */
    private Versioned<V> readLive(K key) {
        Versioned<V> v = backend.get(key, events.hasListeners());
        if (v == null) {
            return null;
        }
        if (v.isExpiredAt(clock.millis())) {
            lockedRun(key, () -> {
                if (backend.remove(key, v)) { // exactly once, and never a value written since
                    publish(EventType.EXPIRED, key, v.value(), v.value());
                }
            });
            return null;
        }
        return v;
    }

    /** The expiry instant for a policy answer: KEEP for null, NOW for ZERO, NO_EXPIRY for ETERNAL. */
    private long expiryOf(Supplier<Duration> policy, long onFailure) {
        Duration d;
        try {
            d = policy.get();
        } catch (RuntimeException e) {
            return onFailure;
        }
        if (d == null) {
            return KEEP;
        }
        if (d.isZero()) {
            return NOW;
        }
        if (d.isEternal()) {
            return NEVER;
        }
        long millis = Math.max(1, d.getTimeUnit().toMillis(d.getDurationAmount()));
        long now = clock.millis();
        return millis > Long.MAX_VALUE - now ? NEVER : now + millis;
    }

    private void publish(EventType type, K key, V value, V oldValue) {
        if (events.hasListeners()) {
            events.publish(new CairnEntryEvent<>(this, type, key, value, oldValue, oldValue != null));
        }
    }

    private ReentrantLock lockFor(K key) {
        int h = key.hashCode();
        h ^= h >>> 16;
        return locks[h & (locks.length - 1)];
    }

    /**
     * Thrown when a compare-and-set on the store failed: someone outside this cache (another
     * manager on the same store) changed the key after it was read. The operation runs again from
     * its read.
     */
    private static final class Conflict extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Conflict() {
            super("the key changed under the operation", null, false, false);
        }
    }

    private static final Conflict CONFLICT = new Conflict();

    private static void commit(boolean compareAndSetSucceeded) {
        if (!compareAndSetSucceeded) {
            throw CONFLICT;
        }
    }

    private void lockedRun(K key, Runnable body) {
        lockedCall(key, () -> {
            body.run();
            return null;
        });
    }

    /** Runs body under the key's stripe lock, again from the start after each {@link Conflict}. */
    private <T> T lockedCall(K key, Supplier<T> body) {
        ReentrantLock lock = lockFor(key);
        lock.lock();
        CairnCache<?, ?> outer = ORIGIN.get();
        ORIGIN.set(this);
        try {
            while (true) {
                try {
                    return body.get();
                } catch (Conflict retry) {
                    // read again and redo
                }
            }
        } finally {
            ORIGIN.set(outer);
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ iteration, listeners, lifecycle

    @Override
    public Iterator<Cache.Entry<K, V>> iterator() {
        checkOpen();
        Iterator<Map.Entry<K, Versioned<V>>> it = backend.iterator();
        return new Iterator<>() {
            private Cache.Entry<K, V> next;
            private K last;

            @Override
            public boolean hasNext() {
                while (next == null && it.hasNext()) {
                    Map.Entry<K, Versioned<V>> e = it.next();
                    if (!e.getValue().isExpiredAt(clock.millis())) {
                        next = new CairnEntry<>(e.getKey(), e.getValue().value());
                        statistics.hit(1);
                        touch(e.getKey(), e.getValue());
                    }
                }
                return next != null;
            }

            @Override
            public Cache.Entry<K, V> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Cache.Entry<K, V> e = next;
                next = null;
                last = e.getKey();
                return e;
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException("next() has not been called, or remove() was already called");
                }
                checkOpen();
                K key = last;
                last = null;
                CairnCache.this.remove(key);
            }
        };
    }

    @Override
    public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
        checkOpen();
        Objects.requireNonNull(listenerConfiguration, "listenerConfiguration");
        events.register(listenerConfiguration);
        configuration.addCacheEntryListenerConfiguration(listenerConfiguration);
        followStore();
    }

    /**
     * Listens to the store for changes this cache did not make — another cache manager on the
     * same store — and publishes their events, as if they had been made here: CREATED, UPDATED
     * with the old value, REMOVED, and EXPIRED for an expired entry someone reclaimed. A change
     * that only moves an entry's expiry (another manager's access expiry) is not an update. This
     * cache's own changes are published from their call path, with JCache's exact semantics.
     */
    private synchronized void followStore() {
        if (feed != null) {
            return;
        }
        feed = backend.listen(new CacheBackend.ChangeListener<K, V>() {
            @Override
            public boolean wanted() {
                return ORIGIN.get() != CairnCache.this;
            }

            @Override
            public void changed(K key, Versioned<V> before, Versioned<V> after) {
                publishForeign(key, before, after);
            }
        });
    }

    private void publishForeign(K key, Versioned<V> before, Versioned<V> after) {
        boolean wasLive = before != null && !before.isExpiredAt(clock.millis());
        if (after == null) {
            if (before != null) {
                publish(wasLive ? EventType.REMOVED : EventType.EXPIRED, key, before.value(), before.value());
            }
        } else if (!wasLive) {
            publish(EventType.CREATED, key, after.value(), null);
        } else if (!Objects.equals(before.value(), after.value())) {
            publish(EventType.UPDATED, key, after.value(), before.value());
        }
    }

    @Override
    public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listenerConfiguration) {
        checkOpen();
        Objects.requireNonNull(listenerConfiguration, "listenerConfiguration");
        events.deregister(listenerConfiguration);
        configuration.removeCacheEntryListenerConfiguration(listenerConfiguration);
    }

    @Override
    public <C extends Configuration<K, V>> C getConfiguration(Class<C> clazz) {
        if (clazz.isInstance(configuration)) {
            return clazz.cast(configuration);
        }
        throw new IllegalArgumentException("the configuration of cache " + name + " is a "
                + configuration.getClass().getName() + ", not a " + clazz.getName());
    }

    CompleteConfiguration<K, V> configuration() {
        return configuration;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public CacheManager getCacheManager() {
        return manager;
    }

    /** Unwraps to this cache, or to the Cairn {@code Store} holding a store-by-value cache's entries. */
    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        if (backend instanceof StoreBackend<K, V> sb && clazz.isInstance(sb.store())) {
            return clazz.cast(sb.store());
        }
        throw new IllegalArgumentException("cannot unwrap cache " + name + " to " + clazz.getName());
    }

    /** The statistics of this cache (counting only while enabled). */
    public CacheStatistics statistics() {
        return statistics;
    }

    void setStatisticsEnabled(boolean enabled) {
        configuration.setStatisticsEnabled(enabled);
        statistics.setEnabled(enabled);
        if (enabled) {
            JmxRegistration.register(this, statistics, JmxRegistration.Kind.CacheStatistics);
        } else {
            JmxRegistration.unregister(this, JmxRegistration.Kind.CacheStatistics);
        }
    }

    void setManagementEnabled(boolean enabled) {
        configuration.setManagementEnabled(enabled);
        if (enabled) {
            JmxRegistration.register(this, configurationBean, JmxRegistration.Kind.CacheConfiguration);
        } else {
            JmxRegistration.unregister(this, JmxRegistration.Kind.CacheConfiguration);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        manager.release(this);
        shutdown(false);
    }

    /** Closes this cache's resources; with {@code destroy}, deletes its data too. */
    void shutdown(boolean destroy) {
        closed = true;
        for (CompletableFuture<Void> load : List.copyOf(loads)) {
            try {
                load.get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // the load reported its own failure to its listener; closing goes on
            }
        }
        JmxRegistration.unregister(this, JmxRegistration.Kind.CacheStatistics);
        JmxRegistration.unregister(this, JmxRegistration.Kind.CacheConfiguration);
        synchronized (this) {
            if (feed != null) {
                try {
                    feed.close();
                } catch (Exception e) {
                    // closing a subscription does not fail
                }
            }
        }
        events.close();
        integration.close();
        if (expiry instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (destroy) {
            backend.destroy();
        } else {
            backend.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("cache " + name + " is closed");
        }
    }

    private void checkKey(K key) {
        Objects.requireNonNull(key, "key");
        Class<K> type = configuration.getKeyType();
        if (type != Object.class && !type.isInstance(key)) {
            throw new ClassCastException("key of type " + key.getClass().getName() + " in cache " + name
                    + " configured for keys of type " + type.getName());
        }
    }

    private void checkValue(V value) {
        Objects.requireNonNull(value, "value");
        Class<V> type = configuration.getValueType();
        if (type != Object.class && !type.isInstance(value)) {
            throw new ClassCastException("value of type " + value.getClass().getName() + " in cache " + name
                    + " configured for values of type " + type.getName());
        }
    }
}
