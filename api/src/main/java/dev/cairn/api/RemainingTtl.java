package dev.cairn.api;

import java.time.Duration;
import java.util.Objects;

/**
 * The answer of {@link Store#remainingTtl}: the key is missing, or it never expires, or it expires
 * after a duration. (Redis's TTL command encodes the same three cases as -2, -1 and a count.)
 */
public final class RemainingTtl {
    private static final RemainingTtl MISSING = new RemainingTtl(null, true);
    private static final RemainingTtl PERSISTENT = new RemainingTtl(null, false);

    private final Duration remaining;
    private final boolean missing;

    private RemainingTtl(Duration remaining, boolean missing) {
        this.remaining = remaining;
        this.missing = missing;
    }

    public static RemainingTtl missing() {
        return MISSING;
    }

    public static RemainingTtl persistent() {
        return PERSISTENT;
    }

    public static RemainingTtl of(Duration remaining) {
        Objects.requireNonNull(remaining, "remaining");
        if (remaining.isNegative() || remaining.isZero()) {
            throw new IllegalArgumentException("a live entry has a positive remaining ttl: " + remaining);
        }
        return new RemainingTtl(remaining, false);
    }

    /** The remaining TTL of {@code entry} at {@code nowMillis}; the entry must be live. */
    public static RemainingTtl of(Entry entry, long nowMillis) {
        if (entry == null) {
            return MISSING;
        }
        return entry.expiresAtMillis() == Entry.NO_EXPIRY
                ? PERSISTENT
                : of(Duration.ofMillis(entry.expiresAtMillis() - nowMillis));
    }

    /** True when the key has no live entry. */
    public boolean isMissing() {
        return missing;
    }

    /** True when the key has a live entry that never expires. */
    public boolean isPersistent() {
        return !missing && remaining == null;
    }

    /** The time left; only for a key that exists and expires. */
    public Duration remaining() {
        if (remaining == null) {
            throw new IllegalStateException(missing ? "key is missing" : "key never expires");
        }
        return remaining;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RemainingTtl other && missing == other.missing && Objects.equals(remaining, other.remaining);
    }

    @Override
    public int hashCode() {
        return Objects.hash(remaining, missing);
    }

    @Override
    public String toString() {
        return missing ? "RemainingTtl.missing" : remaining == null ? "RemainingTtl.persistent" : "RemainingTtl(" + remaining + ")";
    }
}
