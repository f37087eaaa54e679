package dev.cairn.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of a write: the {@link Consistency} (W) and the time to live of what it writes.
 * Immutable; {@link #DEFAULT} writes at {@code QUORUM} with no expiry.
 *
 * <p>The TTL is measured from the moment the store applies the write, on the store's clock. A
 * write without a TTL stores an entry that never expires, except where an operation says it keeps
 * the existing expiry ({@link Store#increment}).
 */
public final class WriteOptions {
    public static final WriteOptions DEFAULT = new WriteOptions(Consistency.QUORUM, null);

    private final Consistency consistency;
    private final Duration ttl;

    private WriteOptions(Consistency consistency, Duration ttl) {
        this.consistency = consistency;
        this.ttl = ttl;
    }

    /** Default options with a time to live. */
    public static WriteOptions ttl(Duration ttl) {
        return DEFAULT.withTtl(ttl);
    }

    /** Default options at a consistency level. */
    public static WriteOptions consistency(Consistency consistency) {
        return DEFAULT.withConsistency(consistency);
    }

    /** These options with a time to live, which must be at least one millisecond. */
    public WriteOptions withTtl(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.toMillis() < 1) {
            throw new IllegalArgumentException("ttl must be at least 1 ms: " + ttl);
        }
        return new WriteOptions(consistency, ttl);
    }

    /** These options with no time to live: the entry never expires. */
    public WriteOptions withoutTtl() {
        return new WriteOptions(consistency, null);
    }

    public WriteOptions withConsistency(Consistency consistency) {
        return new WriteOptions(Objects.requireNonNull(consistency, "consistency"), ttl);
    }

    public Consistency consistency() {
        return consistency;
    }

    /** The time to live, or {@code null} when the written entry never expires. */
    public Duration ttl() {
        return ttl;
    }

    /**
     * The expiry instant in epoch millis of an entry written at {@code nowMillis} with these
     * options, or {@link Entry#NO_EXPIRY}. Saturates instead of overflowing.
     */
    public long expiresAtMillis(long nowMillis) {
        if (ttl == null) {
            return Entry.NO_EXPIRY;
        }
        long millis = ttl.toMillis();
        return millis > Long.MAX_VALUE - nowMillis ? Long.MAX_VALUE : nowMillis + millis;
    }

    @Override
    public String toString() {
        return "WriteOptions{" + consistency + (ttl == null ? "" : ", ttl=" + ttl) + "}";
    }
}
