package dev.cairn.jcache.backend;

import dev.cairn.api.Entry;
import dev.cairn.api.Expected;
import dev.cairn.api.KeyRange;
import dev.cairn.api.Namespaces;
import dev.cairn.api.ReadOptions;
import dev.cairn.api.Store;
import dev.cairn.api.WriteOptions;
import dev.cairn.jcache.serialization.ClassDictionary;
import dev.cairn.jcache.serialization.Codec;
import dev.cairn.storage.memory.MemoryStore;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Store-by-value: keys and values serialized by a {@link Codec} into a namespace of a Cairn store
 * opened through {@link dev.cairn.api.Stores} — in memory or on disk. Every get deserializes, so
 * callers always receive their own copy. The JCache expiry instant is the store entry's expiry, so
 * the store hides and reclaims expired entries itself.
 */
public final class StoreBackend<K, V> implements CacheBackend<K, V> {
    private static final ReadOptions WITH_EXPIRED = ReadOptions.DEFAULT.includingExpired();
    private static final int PAGE = 256;

    /** What the namespace of a cache's {@link ClassDictionary} adds to the cache's namespace name. */
    static final String DICTIONARY_SUFFIX = "\u0000classes";

    private final Namespaces owner;
    private final String namespace;
    private final String dictionaryNamespace; // null: class descriptors written in full
    private final Store store;
    private final Codec codec;
    private final boolean durable;
    private final boolean sharedEvents;

    /**
     * @param owner this cache's handle on the store, released on close
     * @param namespace the cache's namespace in it
     * @param numberClasses whether Java-serialized keys and values name their classes by number in a
     *     {@link ClassDictionary} kept in a namespace beside the cache's: for a store that only
     *     this process reads (memory, disk), not for a cluster's members
     * @param durable whether the namespace outlives the cache's close (disk, cluster); a memory
     *     cache's namespace is dropped when the cache closes
     * @param sharedEvents whether other users of the store in this JVM change it too, and the
     *     store reports their changes ({@link Store#listen}) for the cache's listeners (disk)
     */
    public StoreBackend(Namespaces owner, String namespace, Map<String, String> settings, Codec codec,
                        boolean numberClasses, boolean durable, boolean sharedEvents) {
        this.owner = owner;
        this.namespace = namespace;
        this.store = owner.namespace(namespace, settings);
        String dictionary = namespace + DICTIONARY_SUFFIX;
        if (numberClasses && dictionary.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= Namespaces.MAX_NAME_BYTES) {
            this.dictionaryNamespace = dictionary;
            this.codec = codec.numberingClassesIn(new ClassDictionary(owner.namespace(dictionary)));
        } else {
            this.dictionaryNamespace = null;
            this.codec = codec;
        }
        this.durable = durable;
        this.sharedEvents = sharedEvents;
    }

    public Store store() {
        return store;
    }

    private static WriteOptions expiring(long expiresAtMillis) {
        return expiresAtMillis == Entry.NO_EXPIRY ? WriteOptions.DEFAULT : WriteOptions.DEFAULT.withExpiresAt(expiresAtMillis);
    }

    @SuppressWarnings("unchecked")
    private Versioned<V> versioned(Entry e) {
        return new Versioned<>((V) codec.decode(e.value()), e.version(), e.expiresAtMillis());
    }

    @Override
    public Versioned<V> get(K key, boolean includeExpired) {
        Optional<Entry> e = store.get(codec.encodeKey(key), includeExpired ? WITH_EXPIRED : ReadOptions.DEFAULT);
        return e.isPresent() ? versioned(e.get()) : null;
    }

    /** The condition that the key still holds {@code expected} (null: nothing live). */
    private Expected condition(Versioned<V> expected) {
        if (expected == null) {
            return Expected.absent();
        }
        return expected.isExpiredAt(store.clock().millis())
                ? Expected.expiredVersion(expected.version())
                : Expected.version(expected.version());
    }

    @Override
    @SuppressWarnings("unchecked")
    public AutoCloseable listen(ChangeListener<K, V> listener) {
        if (!sharedEvents) {
            return null; // a memory cache's store is its manager's alone; a cluster's reports no changes
        }
        return store.listen((key, before, after) -> {
            if (listener.wanted()) {
                listener.changed((K) codec.decode(key), before == null ? null : versioned(before),
                        after == null ? null : versioned(after));
            }
        });
    }

    @Override
    public boolean put(K key, V value, long expiresAtMillis, Versioned<V> expected) {
        return store.compareAndSet(codec.encodeKey(key), condition(expected), codec.encode(value), expiring(expiresAtMillis))
                .isPresent();
    }

    @Override
    public boolean setExpiry(K key, long expiresAtMillis, Versioned<V> expected) {
        return store.compareAndSet(codec.encodeKey(key), condition(expected), codec.encode(expected.value()),
                expiring(expiresAtMillis)).isPresent();
    }

    @Override
    public boolean remove(K key, Versioned<V> expected) {
        return store.compareAndDelete(codec.encodeKey(key), condition(expected));
    }

    /** Pages through the store in key order, {@value #PAGE} entries at a time. */
    @Override
    public Iterator<Map.Entry<K, Versioned<V>>> iterator() {
        return new Iterator<>() {
            private final ArrayDeque<Entry> page = new ArrayDeque<>();
            private KeyRange range = KeyRange.all();
            private boolean exhausted;

            private void fill() {
                if (page.isEmpty() && !exhausted) {
                    List<Entry> next = store.scan(range, PAGE);
                    page.addAll(next);
                    if (next.size() < PAGE) {
                        exhausted = true;
                    } else {
                        range = range.startingAfter(next.get(next.size() - 1).key());
                    }
                }
            }

            @Override
            public boolean hasNext() {
                fill();
                return !page.isEmpty();
            }

            @SuppressWarnings("unchecked")
            @Override
            public Map.Entry<K, Versioned<V>> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Entry e = page.poll();
                return Map.entry((K) codec.decode(e.key()), versioned(e));
            }
        };
    }

    @Override
    public void clear() {
        store.clear();
    }

    @Override
    public long evictions() {
        return store instanceof MemoryStore m ? m.evictionCount() : 0;
    }

    @Override
    public void close() {
        try {
            if (!durable) {
                drop();
            }
        } finally {
            owner.close();
        }
    }

    /** Deletes the entries and the namespace. */
    @Override
    public void destroy() {
        try {
            drop();
        } finally {
            owner.close();
        }
    }

    private void drop() {
        owner.drop(namespace);
        if (dictionaryNamespace != null) {
            owner.drop(dictionaryNamespace);
        }
    }
}
