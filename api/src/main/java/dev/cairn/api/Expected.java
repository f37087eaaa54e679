package dev.cairn.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * The condition of a conditional write ({@link Store#compareAndSet}, {@link Store#compareAndDelete}):
 * the key is absent, or its live entry has a given version, or a given value.
 *
 * <p>An expired entry counts as absent.
 */
public final class Expected {
    private static final Expected ABSENT = new Expected(null, null, false);

    private final Version version;
    private final byte[] value;
    private final boolean expired;

    private Expected(Version version, byte[] value, boolean expired) {
        this.version = version;
        this.value = value;
        this.expired = expired;
    }

    /** The key has no live entry. */
    public static Expected absent() {
        return ABSENT;
    }

    /** The key's live entry has exactly this version. */
    public static Expected version(Version version) {
        return new Expected(Objects.requireNonNull(version, "version"), null, false);
    }

    /**
     * The key still holds an entry that has expired (invisible, not yet reclaimed) with exactly
     * this version: what a cache uses with {@link Store#compareAndDelete} to reclaim an expired
     * entry it has seen, exactly once, without deleting a value written since.
     */
    public static Expected expiredVersion(Version version) {
        return new Expected(Objects.requireNonNull(version, "version"), null, true);
    }

    /** The key's live entry has exactly this value (compared by content). */
    public static Expected value(byte[] value) {
        return new Expected(null, Objects.requireNonNull(value, "value").clone(), false);
    }

    /** Whether this is {@link #absent()}. */
    public boolean isAbsent() {
        return this == ABSENT;
    }

    /** The version this condition expects ({@link #version} or {@link #expiredVersion}), or null. */
    public Version expectedVersion() {
        return version;
    }

    /** A copy of the value this condition expects ({@link #value}), or null. */
    public byte[] expectedValue() {
        return value == null ? null : value.clone();
    }

    /** Whether this is {@link #expiredVersion}. */
    public boolean expectsExpired() {
        return expired;
    }

    /**
     * True when the key meets this condition at {@code nowMillis}, given {@code stored}: its newest
     * value, expired or not ({@code null}: absent or deleted).
     */
    public boolean matchesStored(Entry stored, long nowMillis) {
        if (expired) {
            return stored != null && stored.isExpiredAt(nowMillis) && stored.version().equals(version);
        }
        return matches(stored == null || stored.isExpiredAt(nowMillis) ? null : stored);
    }

    /** True when {@code current} (the live entry, or {@code null} if absent) meets this condition. */
    public boolean matches(Entry current) {
        if (expired) {
            return false; // a live entry never matches an expected expired one
        }
        if (this == ABSENT) {
            return current == null;
        }
        if (current == null) {
            return false;
        }
        return value != null ? Arrays.equals(value, current.value()) : current.version().equals(version);
    }

    @Override
    public String toString() {
        if (this == ABSENT) {
            return "Expected.absent";
        }
        return value != null ? "Expected.value(" + ByteStrings.describe(value) + ")"
                : (expired ? "Expected.expiredVersion(" : "Expected.version(") + version + ")";
    }
}
