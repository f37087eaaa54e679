package dev.cairn.jcache.backend;

import dev.cairn.api.Entry;

/**
 * A value as a backend holds it: the object (a fresh copy for store-by-value caches), the version
 * of the write that produced it, and its expiry instant in epoch millis ({@link Entry#NO_EXPIRY}
 * = never).
 */
public record Versioned<V>(V value, long version, long expiresAtMillis) {
    public boolean isExpiredAt(long nowMillis) {
        return Entry.isExpired(expiresAtMillis, nowMillis);
    }
}
