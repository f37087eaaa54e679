package dev.cairn.storage.memory;

import dev.cairn.api.StoreLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link MemoryStore}: bounds (entries and/or bytes; unbounded by default), the
 * eviction policy (LRU by default), key/value limits, the clock, and how long a delete leaves a
 * tombstone for replicas to compare late writes with (none by default: a cache forgets a removed
 * key at once; a replica needs a grace period, see {@link dev.cairn.api.ReplicaStore}).
 */
public record MemoryStoreOptions(long maxEntries, long maxBytes, EvictionPolicy eviction, StoreLimits limits, Clock clock,
                                 Duration tombstoneGrace) {
    public static final long UNBOUNDED = Long.MAX_VALUE;

    public MemoryStoreOptions {
        if (maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("bounds must be positive: entries " + maxEntries + ", bytes " + maxBytes);
        }
        Objects.requireNonNull(eviction, "eviction");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(clock, "clock");
        if (tombstoneGrace.isNegative()) {
            throw new IllegalArgumentException("tombstone grace must not be negative: " + tombstoneGrace);
        }
    }

    public static MemoryStoreOptions defaults() {
        return new MemoryStoreOptions(UNBOUNDED, UNBOUNDED, EvictionPolicy.LRU, StoreLimits.DEFAULT, Clock.systemUTC(),
                Duration.ZERO);
    }

    public MemoryStoreOptions withMaxEntries(long n) {
        return new MemoryStoreOptions(n, maxBytes, eviction, limits, clock, tombstoneGrace);
    }

    public MemoryStoreOptions withMaxBytes(long n) {
        return new MemoryStoreOptions(maxEntries, n, eviction, limits, clock, tombstoneGrace);
    }

    public MemoryStoreOptions withEviction(EvictionPolicy policy) {
        return new MemoryStoreOptions(maxEntries, maxBytes, policy, limits, clock, tombstoneGrace);
    }

    public MemoryStoreOptions withLimits(StoreLimits l) {
        return new MemoryStoreOptions(maxEntries, maxBytes, eviction, l, clock, tombstoneGrace);
    }

    public MemoryStoreOptions withTombstoneGrace(Duration grace) {
        return new MemoryStoreOptions(maxEntries, maxBytes, eviction, limits, clock, grace);
    }

    public MemoryStoreOptions withClock(Clock c) {
        return new MemoryStoreOptions(maxEntries, maxBytes, eviction, limits, c, tombstoneGrace);
    }
}
