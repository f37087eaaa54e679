package dev.cairn.api;

import java.util.Objects;

/**
 * Options of a read: the {@link Consistency} (R), and whether {@link Store#get} may return an
 * entry that has expired but not yet been reclaimed. Immutable; {@link #DEFAULT} reads at
 * {@code QUORUM} and hides expired entries.
 */
public final class ReadOptions {
    public static final ReadOptions DEFAULT = new ReadOptions(Consistency.QUORUM, false);

    private final Consistency consistency;
    private final boolean includeExpired;

    private ReadOptions(Consistency consistency, boolean includeExpired) {
        this.consistency = consistency;
        this.includeExpired = includeExpired;
    }

    public static ReadOptions consistency(Consistency consistency) {
        return new ReadOptions(Objects.requireNonNull(consistency, "consistency"), false);
    }

    public ReadOptions withConsistency(Consistency consistency) {
        return new ReadOptions(Objects.requireNonNull(consistency, "consistency"), includeExpired);
    }

    /**
     * These options, letting {@link Store#get} (and only {@code get}) return an entry that has
     * expired but is still stored, so that a caller can observe the expiry (JCache fires its
     * EXPIRED events this way). The entry's {@link Entry#isExpiredAt} says so. Best effort: an
     * expired entry may already have been reclaimed, and then the key reads as absent.
     */
    public ReadOptions includingExpired() {
        return new ReadOptions(consistency, true);
    }

    public Consistency consistency() {
        return consistency;
    }

    public boolean includeExpired() {
        return includeExpired;
    }

    @Override
    public String toString() {
        return "ReadOptions{" + consistency + (includeExpired ? ", includeExpired" : "") + "}";
    }
}
