package dev.cairn.jcache.backend;

import dev.cairn.api.Version;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Store-by-reference: the key and value objects themselves in a {@link ConcurrentHashMap}, so a
 * get returns the very object that was put. Always on the heap and unbounded (a store-by-reference
 * cache cannot be persisted, since its objects need not be serializable).
 */
public final class HeapBackend<K, V> implements CacheBackend<K, V> {
    private final ConcurrentHashMap<K, Versioned<V>> map = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();
    private final Clock clock;

    public HeapBackend(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Versioned<V> get(K key, boolean includeExpired) {
        Versioned<V> v = map.get(key);
        if (v == null || (!includeExpired && v.isExpiredAt(clock.millis()))) {
            return null;
        }
        return v;
    }

    @Override
    public boolean put(K key, V value, long expiresAtMillis, Versioned<V> expected) {
        Versioned<V> next = new Versioned<>(value, Version.local(versions.incrementAndGet()), expiresAtMillis);
        if (expected != null) {
            return map.replace(key, expected, next);
        }
        boolean[] written = new boolean[1];
        map.compute(key, (k, current) -> {
            if (current == null || current.isExpiredAt(clock.millis())) {
                written[0] = true;
                return next;
            }
            return current;
        });
        return written[0];
    }

    @Override
    public boolean setExpiry(K key, long expiresAtMillis, Versioned<V> expected) {
        return map.replace(key, expected,
                new Versioned<>(expected.value(), Version.local(versions.incrementAndGet()), expiresAtMillis));
    }

    @Override
    public boolean remove(K key, Versioned<V> expected) {
        return map.remove(key, expected);
    }

    /** Objects held by reference are this cache's alone: nobody else changes them. */
    @Override
    public AutoCloseable listen(ChangeListener<K, V> listener) {
        return null;
    }

    @Override
    public Iterator<Map.Entry<K, Versioned<V>>> iterator() {
        Iterator<Map.Entry<K, Versioned<V>>> it = map.entrySet().iterator();
        return new Iterator<>() {
            private Map.Entry<K, Versioned<V>> next = advance();

            private Map.Entry<K, Versioned<V>> advance() {
                long now = clock.millis();
                while (it.hasNext()) {
                    Map.Entry<K, Versioned<V>> e = it.next();
                    if (!e.getValue().isExpiredAt(now)) {
                        return Map.entry(e.getKey(), e.getValue());
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Map.Entry<K, Versioned<V>> next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Map.Entry<K, Versioned<V>> e = next;
                next = advance();
                return e;
            }
        };
    }

    @Override
    public void clear() {
        map.clear();
    }

    @Override
    public long evictions() {
        return 0;
    }

    @Override
    public void close() {
        map.clear();
    }

    @Override
    public void destroy() {
        map.clear();
    }

}
