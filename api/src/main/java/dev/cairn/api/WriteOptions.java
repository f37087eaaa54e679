package dev.cairn.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of a write: the {@link Consistency} (W) and the time to live of what it writes.
 * Immutable; {@link #DEFAULT} writes at {@code QUORUM} with no expiry.
 *
 * <p>The TTL is measured from the moment the store applies the write, on the store's clock; an
 * absolute instant ({@link #withExpiresAt}) is used as given. A write with neither stores an entry
 * that never expires, except where an operation says it keeps the existing expiry
 * ({@link Store#increment}).
 */
public final class WriteOptions {
    public static final WriteOptions DEFAULT = new WriteOptions(Consistency.QUORUM, null);

    private final Consistency consistency;
    private final Duration ttl;
    private final long expiresAtMillis; // absolute expiry, or NO_EXPIRY when ttl decides

    private WriteOptions(Consistency consistency, Duration ttl) {
        this(consistency, ttl, Entry.NO_EXPIRY);
    }

    private WriteOptions(Consistency consistency, Duration ttl, long expiresAtMillis) {
        this.consistency = consistency;
        this.ttl = ttl;
        this.expiresAtMillis = expiresAtMillis;
    }

    /**
     * These options with an absolute expiry instant (epoch millis, positive) instead of a TTL: what
     * a caller uses to keep an entry's existing expiry across a rewrite, or to expire at a given
     * time. An instant at or before now writes an entry that is already expired (invisible).
     */
    public WriteOptions withExpiresAt(long epochMillis) {
        if (epochMillis <= 0) {
            throw new IllegalArgumentException("expiry instant must be positive: " + epochMillis);
        }
        return new WriteOptions(consistency, null, epochMillis);
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
        return new WriteOptions(consistency, ttl, Entry.NO_EXPIRY);
    }

    /** These options with no time to live: the entry never expires. */
    public WriteOptions withoutTtl() {
        return new WriteOptions(consistency, null);
    }

    public WriteOptions withConsistency(Consistency consistency) {
        return new WriteOptions(Objects.requireNonNull(consistency, "consistency"), ttl, expiresAtMillis);
    }

    public Consistency consistency() {
        return consistency;
    }

    /** The time to live, or {@code null} when none was given (no expiry, or an absolute one). */
    public Duration ttl() {
        return ttl;
    }

    /** True when these options set an expiry (a TTL or an absolute instant). */
    public boolean hasExpiry() {
        return ttl != null || expiresAtMillis != Entry.NO_EXPIRY;
    }

    /**
     * The expiry instant in epoch millis of an entry written at {@code nowMillis} with these
     * options, or {@link Entry#NO_EXPIRY}. Saturates instead of overflowing.
     */
    public long expiresAtMillis(long nowMillis) {
        if (ttl == null) {
            return expiresAtMillis;
        }
        long millis = ttl.toMillis();
        return millis > Long.MAX_VALUE - nowMillis ? Long.MAX_VALUE : nowMillis + millis;
    }

    @Override
    public String toString() {
        return "WriteOptions{" + consistency + (ttl == null ? "" : ", ttl=" + ttl)
                + (expiresAtMillis == Entry.NO_EXPIRY ? "" : ", expiresAt=" + expiresAtMillis) + "}";
    }
}
