package dev.cairn.jcache.configuration;

import dev.cairn.storage.SyncMode;
import dev.cairn.storage.memory.EvictionPolicy;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.MutableConfiguration;

/**
 * A {@link MutableConfiguration} with Cairn's per-cache options. Each option left unset
 * ({@code null}) falls back to the cache manager's settings ({@link ManagerSettings}), then to the
 * built-in default: memory persistence, unbounded, LRU eviction, {@code INTERVAL} sync for disk.
 *
 * <pre>{@code
 * cacheManager.createCache("users", new CairnConfiguration<String, User>()
 *         .persistence(Persistence.DISK)
 *         .maxEntries(100_000)
 *         .setTypes(String.class, User.class));
 * }</pre>
 */
public class CairnConfiguration<K, V> extends MutableConfiguration<K, V> {
    private static final long serialVersionUID = 1L;

    private Persistence persistence;
    private Long maxEntries;
    private Long maxBytes;
    private EvictionPolicy eviction;
    private SyncMode syncMode;

    public CairnConfiguration() {
    }

    /** A copy of any complete configuration, with Cairn's options copied too when it is one. */
    public CairnConfiguration(CompleteConfiguration<K, V> configuration) {
        super(configuration);
        if (configuration instanceof CairnConfiguration<K, V> c) {
            persistence = c.persistence;
            maxEntries = c.maxEntries;
            maxBytes = c.maxBytes;
            eviction = c.eviction;
            syncMode = c.syncMode;
        }
    }

    public Persistence getPersistence() {
        return persistence;
    }

    public CairnConfiguration<K, V> persistence(Persistence persistence) {
        this.persistence = persistence;
        return this;
    }

    public Long getMaxEntries() {
        return maxEntries;
    }

    /** Bound on the entry count of a memory cache (evicting beyond it). */
    public CairnConfiguration<K, V> maxEntries(long maxEntries) {
        this.maxEntries = maxEntries;
        return this;
    }

    public Long getMaxBytes() {
        return maxBytes;
    }

    /** Bound on the bytes (serialized keys and values) of a memory cache. */
    public CairnConfiguration<K, V> maxBytes(long maxBytes) {
        this.maxBytes = maxBytes;
        return this;
    }

    public EvictionPolicy getEviction() {
        return eviction;
    }

    public CairnConfiguration<K, V> eviction(EvictionPolicy eviction) {
        this.eviction = eviction;
        return this;
    }

    public SyncMode getSyncMode() {
        return syncMode;
    }

    /** WAL sync mode of a disk cache. */
    public CairnConfiguration<K, V> syncMode(SyncMode syncMode) {
        this.syncMode = syncMode;
        return this;
    }
}
