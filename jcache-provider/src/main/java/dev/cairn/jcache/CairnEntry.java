package dev.cairn.jcache;

import java.util.Objects;
import javax.cache.Cache;

/** A key and value as iteration returns them and as cache writers receive them. */
public final class CairnEntry<K, V> implements Cache.Entry<K, V> {
    private final K key;
    private final V value;

    public CairnEntry(K key, V value) {
        this.key = key;
        this.value = value;
    }

    @Override
    public K getKey() {
        return key;
    }

    @Override
    public V getValue() {
        return value;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("cannot unwrap a cache entry to " + clazz.getName());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CairnEntry<?, ?> e && Objects.equals(key, e.key) && Objects.equals(value, e.value);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(key) ^ Objects.hashCode(value);
    }

    @Override
    public String toString() {
        return key + "=" + value;
    }
}
