package dev.cairn.jcache.backend;

import dev.cairn.api.Version;
import dev.cairn.api.Entry;
import dev.cairn.api.KeyRange;
import dev.cairn.api.ReadOptions;
import dev.cairn.api.Store;
import dev.cairn.api.WriteOptions;
import dev.cairn.jcache.serialization.Codec;
import dev.cairn.storage.memory.MemoryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Store-by-value: keys and values serialized by a {@link Codec} into a Cairn {@link Store} —
 * a {@link MemoryStore} or an {@code LsmStore} on disk. Every get deserializes, so callers always
 * receive their own copy. The JCache expiry instant is the store entry's expiry, so the store
 * hides and reclaims expired entries itself.
 */
public final class StoreBackend<K, V> implements CacheBackend<K, V> {
    private static final ReadOptions WITH_EXPIRED = ReadOptions.DEFAULT.includingExpired();
    private static final int PAGE = 256;

    private final Store store;
    private final Codec codec;
    private final Path directory; // null for a memory store

    /**
     * @param directory for a disk store acquired from {@link DiskStores}: its directory, released
     *     on close and deleted by {@link #destroy()}; null for a memory store, closed on close
     */
    public StoreBackend(Store store, Codec codec, Path directory) {
        this.store = store;
        this.codec = codec;
        this.directory = directory;
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
        Optional<Entry> e = store.get(codec.encode(key), includeExpired ? WITH_EXPIRED : ReadOptions.DEFAULT);
        return e.isPresent() ? versioned(e.get()) : null;
    }

    @Override
    public void put(K key, V value, long expiresAtMillis) {
        store.put(codec.encode(key), codec.encode(value), expiring(expiresAtMillis));
    }

    @Override
    public boolean setExpiry(K key, long expiresAtMillis) {
        byte[] k = codec.encode(key);
        if (expiresAtMillis == Entry.NO_EXPIRY) {
            // persist is false for an absent key and for one that never expired: only then ask which
            return store.persist(k) || store.exists(k);
        }
        return store.expireAt(k, expiresAtMillis, WriteOptions.DEFAULT);
    }

    @Override
    public boolean remove(K key) {
        return store.delete(codec.encode(key));
    }

    @Override
    public boolean removeIfVersion(K key, Version version) {
        byte[] k = codec.encode(key);
        Optional<Entry> e = store.get(k, WITH_EXPIRED);
        if (e.isEmpty() || !e.get().version().equals(version)) {
            return false;
        }
        // An expired entry is absent to conditional writes, so delete it outright: the cache
        // holds the key's lock, so nothing wrote it since the read above.
        store.delete(k);
        return true;
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
        KeyRange range = KeyRange.all();
        while (true) {
            List<Entry> batch = store.scan(range, PAGE);
            if (batch.isEmpty()) {
                return;
            }
            store.deleteAll(batch.stream().map(Entry::key).toList());
            range = range.startingAfter(batch.get(batch.size() - 1).key());
        }
    }

    @Override
    public long evictions() {
        return store instanceof MemoryStore m ? m.evictionCount() : 0;
    }

    @Override
    public void close() {
        if (directory == null) {
            store.close();
        } else {
            DiskStores.release(directory);
        }
    }

    /** Deletes the entries; the files too once no other cache shares the store. */
    @Override
    public void destroy() {
        if (directory == null) {
            store.close();
            return;
        }
        clear();
        if (DiskStores.release(directory) && Files.exists(directory)) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + directory, e);
            }
        }
    }

}
