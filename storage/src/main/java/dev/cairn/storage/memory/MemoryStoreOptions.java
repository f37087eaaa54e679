package dev.cairn.storage.memory;

import dev.cairn.api.StoreLimits;
import java.time.Clock;
import java.util.Objects;

/**
 * Settings of a {@link MemoryStore}: bounds (entries and/or bytes; unbounded by default), the
 * eviction policy (LRU by default), key/value limits and the clock.
 */
public record MemoryStoreOptions(long maxEntries, long maxBytes, EvictionPolicy eviction, StoreLimits limits, Clock clock) {
    public static final long UNBOUNDED = Long.MAX_VALUE;

    public MemoryStoreOptions {
        if (maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("bounds must be positive: entries " + maxEntries + ", bytes " + maxBytes);
        }
        Objects.requireNonNull(eviction, "eviction");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(clock, "clock");
    }

    public static MemoryStoreOptions defaults() {
        return new MemoryStoreOptions(UNBOUNDED, UNBOUNDED, EvictionPolicy.LRU, StoreLimits.DEFAULT, Clock.systemUTC());
    }

    public MemoryStoreOptions withMaxEntries(long n) {
        return new MemoryStoreOptions(n, maxBytes, eviction, limits, clock);
    }

    public MemoryStoreOptions withMaxBytes(long n) {
        return new MemoryStoreOptions(maxEntries, n, eviction, limits, clock);
    }

    public MemoryStoreOptions withEviction(EvictionPolicy policy) {
        return new MemoryStoreOptions(maxEntries, maxBytes, policy, limits, clock);
    }

    public MemoryStoreOptions withLimits(StoreLimits l) {
        return new MemoryStoreOptions(maxEntries, maxBytes, eviction, l, clock);
    }

    public MemoryStoreOptions withClock(Clock c) {
        return new MemoryStoreOptions(maxEntries, maxBytes, eviction, limits, c);
    }
}
