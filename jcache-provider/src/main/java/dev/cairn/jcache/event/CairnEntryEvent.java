package dev.cairn.jcache.event;

import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;

/**
 * One event. For REMOVED and EXPIRED events {@link #getValue()} is the value the entry had (JCache
 * 1.1), and so is {@link #getOldValue()} when the listener asked for old values.
 */
public final class CairnEntryEvent<K, V> extends CacheEntryEvent<K, V> {
    private static final long serialVersionUID = 1L;

    private final K key;
    private final V value;
    private final V oldValue;
    private final boolean oldValueAvailable;

    public CairnEntryEvent(Cache<K, V> source, EventType type, K key, V value, V oldValue, boolean oldValueAvailable) {
        super(source, type);
        this.key = key;
        this.value = value;
        this.oldValue = oldValue;
        this.oldValueAvailable = oldValueAvailable;
    }

    /** This event as a listener that does not want old values sees it. */
    CairnEntryEvent<K, V> withoutOldValue() {
        if (!oldValueAvailable) {
            return this;
        }
        EventType type = getEventType();
        V v = type == EventType.REMOVED || type == EventType.EXPIRED ? null : value;
        @SuppressWarnings("unchecked")
        Cache<K, V> source = (Cache<K, V>) getSource();
        return new CairnEntryEvent<>(source, type, key, v, null, false);
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
    public V getOldValue() {
        return oldValueAvailable ? oldValue : null;
    }

    @Override
    public boolean isOldValueAvailable() {
        return oldValueAvailable;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
        if (clazz.isInstance(this)) {
            return clazz.cast(this);
        }
        throw new IllegalArgumentException("cannot unwrap a cache entry event to " + clazz.getName());
    }

    @Override
    public String toString() {
        return getEventType() + "[" + key + "=" + value + (oldValueAvailable ? ", old=" + oldValue : "") + "]";
    }
}
