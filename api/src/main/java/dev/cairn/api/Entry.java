package dev.cairn.api;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One live key as a store returned it: the key, the value, the {@link Version} of the write that
 * produced it, and the instant it expires (if any).
 *
 * <p>For one key, versions strictly increase with every successful mutation (put, conditional
 * write, increment, expire, persist); a deleted and re-created key gets a version greater than any
 * it had before. Versions of different keys are not comparable.
 *
 * <p>An entry expires at {@link #expiresAtMillis()} exactly: it is visible while
 * {@code now < expiresAtMillis} and invisible from that millisecond on. {@link #NO_EXPIRY} means
 * it never expires.
 *
 * <p>Entries are immutable; {@link #value()} and {@link #key()} return the arrays without copying,
 * and callers must not modify them.
 */
public final class Entry {
    /** The {@link #expiresAtMillis()} of an entry that never expires. */
    public static final long NO_EXPIRY = 0L;

    private final byte[] key;
    private final byte[] value;
    private final Version version;
    private final long expiresAtMillis;

    public Entry(byte[] key, byte[] value, Version version, long expiresAtMillis) {
        this.key = Objects.requireNonNull(key, "key");
        this.value = Objects.requireNonNull(value, "value");
        this.version = Objects.requireNonNull(version, "version");
        if (expiresAtMillis < 0) {
            throw new IllegalArgumentException("expiresAtMillis must be >= 0: " + expiresAtMillis);
        }
        this.expiresAtMillis = expiresAtMillis;
    }

    public byte[] key() {
        return key;
    }

    public byte[] value() {
        return value;
    }

    public Version version() {
        return version;
    }

    /** Epoch milliseconds at which the entry expires, or {@link #NO_EXPIRY}. */
    public long expiresAtMillis() {
        return expiresAtMillis;
    }

    /** The expiry instant, empty when the entry never expires. */
    public Optional<Instant> expiresAt() {
        return expiresAtMillis == NO_EXPIRY ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expiresAtMillis));
    }

    /** True when the entry is expired at {@code nowMillis} (and so must be invisible). */
    public boolean isExpiredAt(long nowMillis) {
        return isExpired(expiresAtMillis, nowMillis);
    }

    /** The one expiry rule every store applies: expired from {@code expiresAtMillis} on. */
    public static boolean isExpired(long expiresAtMillis, long nowMillis) {
        return expiresAtMillis != NO_EXPIRY && nowMillis >= expiresAtMillis;
    }

    /** Equal when key, value, version and expiry are all equal (arrays by content). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Entry other
                && version.equals(other.version)
                && expiresAtMillis == other.expiresAtMillis
                && Arrays.equals(key, other.key)
                && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + version.hashCode();
    }

    @Override
    public String toString() {
        return "Entry{key=" + ByteStrings.describe(key) + ", value=" + ByteStrings.describe(value)
                + ", version=" + version
                + (expiresAtMillis == NO_EXPIRY ? "" : ", expiresAt=" + Instant.ofEpochMilli(expiresAtMillis)) + "}";
    }
}
