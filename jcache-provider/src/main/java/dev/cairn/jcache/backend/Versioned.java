package dev.cairn.jcache.backend;

import dev.cairn.api.Entry;
import dev.cairn.api.Version;

/**
 * A value as a backend holds it: the object (a fresh copy for store-by-value caches), the version
 * of the write that produced it, and its expiry instant in epoch millis ({@link Entry#NO_EXPIRY}
 * = never).
 */
public record Versioned<V>(V value, Version version, long expiresAtMillis) {
    public boolean isExpiredAt(long nowMillis) {
        return Entry.isExpired(expiresAtMillis, nowMillis);
    }
}
