package dev.cairn.jcache.integration;

import dev.cairn.jcache.CairnEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import javax.cache.Cache;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;

/**
 * Calls a cache's loader and writer. Every exception they throw reaches the caller as a
 * {@link CacheLoaderException} or {@link CacheWriterException} (wrapping it if needed). Writers
 * run before the cache changes, so a failed write leaves the cache as it was; for the batch
 * operations, entries the writer reports as done (removed from the collection it was given) are
 * applied to the cache before the exception is rethrown.
 */
public final class Integration<K, V> {
    private final CacheLoader<K, V> loader;
    private final CacheWriter<K, V> writer;

    public Integration(CacheLoader<K, V> loader, CacheWriter<K, V> writer) {
        this.loader = loader;
        this.writer = writer;
    }

    public boolean hasLoader() {
        return loader != null;
    }

    public boolean hasWriter() {
        return writer != null;
    }

    public V load(K key) {
        try {
            return loader.load(key);
        } catch (CacheLoaderException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheLoaderException("cache loader failed for key " + key, e);
        }
    }

    public Map<K, V> loadAll(Iterable<? extends K> keys) {
        try {
            return loader.loadAll(keys);
        } catch (CacheLoaderException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheLoaderException("cache loader failed", e);
        }
    }

    public void write(K key, V value) {
        if (writer == null) {
            return;
        }
        try {
            writer.write(new CairnEntry<>(key, value));
        } catch (CacheWriterException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheWriterException("cache writer failed for key " + key, e);
        }
    }

    public void delete(K key) {
        if (writer == null) {
            return;
        }
        try {
            writer.delete(key);
        } catch (CacheWriterException e) {
            throw e;
        } catch (Exception e) {
            throw new CacheWriterException("cache writer failed to delete key " + key, e);
        }
    }

    /**
     * Writes all entries; returns the exception to rethrow (or null) and leaves in
     * {@code notWritten} the keys the writer did not write.
     */
    public RuntimeException writeAll(Map<? extends K, ? extends V> entries, Collection<K> notWritten) {
        if (writer == null) {
            return null;
        }
        Collection<Cache.Entry<? extends K, ? extends V>> batch = new ArrayList<>();
        entries.forEach((k, v) -> batch.add(new CairnEntry<>(k, v)));
        try {
            writer.writeAll(batch);
            return null;
        } catch (Exception e) {
            for (Cache.Entry<? extends K, ? extends V> left : batch) {
                notWritten.add(left.getKey());
            }
            return e instanceof CacheWriterException cwe ? cwe : new CacheWriterException("cache writer failed", e);
        }
    }

    /** Deletes all keys; returns the exception to rethrow (or null) and leaves in {@code notDeleted} the keys left. */
    public RuntimeException deleteAll(Collection<? extends K> keys, Collection<K> notDeleted) {
        if (writer == null) {
            return null;
        }
        Collection<Object> batch = new ArrayList<>(keys);
        try {
            writer.deleteAll(batch);
            return null;
        } catch (Exception e) {
            for (Object left : batch) {
                @SuppressWarnings("unchecked")
                K k = (K) left;
                notDeleted.add(k);
            }
            return e instanceof CacheWriterException cwe ? cwe : new CacheWriterException("cache writer failed", e);
        }
    }

    public void close() {
        closeQuietly(loader);
        if (writer != loader) {
            closeQuietly(writer);
        }
    }

    static void closeQuietly(Object o) {
        if (o instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing is best effort
            }
        }
    }
}
