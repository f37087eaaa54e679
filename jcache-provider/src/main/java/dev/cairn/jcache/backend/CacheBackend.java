package dev.cairn.jcache.backend;

import java.util.Iterator;
import java.util.Map;

/**
 * The storage operations a cache needs, on Java objects. Expiry instants are epoch millis
 * ({@code 0} = never). Implementations are thread-safe.
 *
 * <p>Every write is a compare-and-set against the entry the cache read ({@code expected}:
 * {@code null} for "absent", else the {@link Versioned} that {@link #get} returned, live or
 * expired) and answers false, changing nothing, when the key has changed since. Atomicity so comes
 * from the store, not from the cache's JVM: two cache managers on one store (and later the members
 * of a cluster) never lose each other's updates; the cache re-reads and retries.
 */
public interface CacheBackend<K, V> {
    /** The entry of {@code key}: with {@code includeExpired}, also one that has expired but is still stored. */
    Versioned<V> get(K key, boolean includeExpired);

    /** Writes the entry if the key still holds {@code expected} (null: nothing live). */
    boolean put(K key, V value, long expiresAtMillis, Versioned<V> expected);

    /** Changes only the expiry of {@code expected}, if the key still holds it. */
    boolean setExpiry(K key, long expiresAtMillis, Versioned<V> expected);

    /** Removes {@code expected} (live or expired), if the key still holds it. */
    boolean remove(K key, Versioned<V> expected);

    /** The live entries, in no particular order; tolerates concurrent modification. */
    Iterator<Map.Entry<K, Versioned<V>>> iterator();

    /** Removes everything at once. */
    void clear();

    /** Told of a change to the backend's data, decoded, as the store reports it. */
    interface ChangeListener<K, V> {
        /** Whether the change being made on this thread is wanted at all; asked before anything is decoded. */
        boolean wanted();

        /** {@code key} went from {@code before} (null: none) to {@code after} (null: removed). */
        void changed(K key, Versioned<V> before, Versioned<V> after);
    }

    /**
     * Registers {@code listener} for every change to the data, including those made through other
     * handles on the same store (another cache manager); returns null when the backend is private
     * to this cache (nobody else can change it). Called on the writing thread.
     */
    AutoCloseable listen(ChangeListener<K, V> listener);

    /** Evictions made to respect a bound, if the backend is bounded. */
    long evictions();

    /** Releases resources; the data stays (disk) or goes (memory). */
    void close();

    /** Closes and deletes every trace of the data. */
    void destroy();
}
