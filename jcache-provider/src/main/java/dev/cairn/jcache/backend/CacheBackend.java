package dev.cairn.jcache.backend;

import dev.cairn.api.Version;
import java.util.Iterator;
import java.util.Map;

/**
 * The storage operations a cache needs, on Java objects. Expiry instants are epoch millis
 * ({@code 0} = never). Implementations are thread-safe; the cache serializes writes to one key
 * itself, so a backend needs no conditional operations.
 */
public interface CacheBackend<K, V> {
    /** The entry of {@code key}: with {@code includeExpired}, also one that has expired but is still stored. */
    Versioned<V> get(K key, boolean includeExpired);

    /** Writes (creating or replacing) the entry. */
    void put(K key, V value, long expiresAtMillis);

    /** Changes only the expiry of an existing entry; false if it is absent. */
    boolean setExpiry(K key, long expiresAtMillis);

    /** Removes the entry; true when a live one was removed. */
    boolean remove(K key);

    /** Removes the entry only if it still has {@code version} (used to reap an expired entry once). */
    boolean removeIfVersion(K key, Version version);

    /** The live entries, in no particular order; tolerates concurrent modification. */
    Iterator<Map.Entry<K, Versioned<V>>> iterator();

    /** Removes everything. */
    void clear();

    /** Evictions made to respect a bound, if the backend is bounded. */
    long evictions();

    /** Releases resources; the data stays (disk) or goes (memory). */
    void close();

    /** Closes and deletes every trace of the data. */
    void destroy();
}
