package dev.cairn.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * One stored record as replicas exchange it: a value or a tombstone, with the {@link Version} of
 * the write that made it. Unlike an {@link Entry} it also describes what reads hide: tombstones
 * and expired values, because a replica must compare versions with them (an older write arriving
 * late must not bring a deleted key back).
 *
 * <p>{@code millis} is the expiry instant of a value ({@link Entry#NO_EXPIRY}: never) and the
 * instant a tombstone was written, which starts its grace period ({@link ReplicaStore}).
 *
 * <p>Immutable; the arrays are not copied (callers must not change them).
 */
public final class ReplicaRecord {
    private final byte[] key;
    private final byte[] value;
    private final Version version;
    private final long millis;

    private ReplicaRecord(byte[] key, byte[] value, Version version, long millis) {
        this.key = Objects.requireNonNull(key, "key");
        this.value = value;
        this.version = Objects.requireNonNull(version, "version");
        if (millis < 0) {
            throw new IllegalArgumentException("millis must be >= 0: " + millis);
        }
        this.millis = millis;
    }

    /** A value, expiring at {@code expiresAtMillis} ({@link Entry#NO_EXPIRY}: never). */
    public static ReplicaRecord value(byte[] key, byte[] value, Version version, long expiresAtMillis) {
        return new ReplicaRecord(key, Objects.requireNonNull(value, "value"), version, expiresAtMillis);
    }

    /** A tombstone written at {@code deletedAtMillis}. */
    public static ReplicaRecord tombstone(byte[] key, Version version, long deletedAtMillis) {
        return new ReplicaRecord(key, null, version, deletedAtMillis);
    }

    /** The record of a live entry. */
    public static ReplicaRecord of(Entry entry) {
        return value(entry.key(), entry.value(), entry.version(), entry.expiresAtMillis());
    }

    public byte[] key() {
        return key;
    }

    /** The value; {@code null} for a tombstone. */
    public byte[] value() {
        return value;
    }

    public Version version() {
        return version;
    }

    public boolean isTombstone() {
        return value == null;
    }

    /** A value's expiry instant ({@link Entry#NO_EXPIRY}: never); 0 for a tombstone. */
    public long expiresAtMillis() {
        return value == null ? Entry.NO_EXPIRY : millis;
    }

    /** A tombstone's deletion instant; 0 for a value. */
    public long deletedAtMillis() {
        return value == null ? millis : 0L;
    }

    /** True when reads hide this record at {@code nowMillis}: a tombstone or an expired value. */
    public boolean isDeadAt(long nowMillis) {
        return value == null || Entry.isExpired(millis, nowMillis);
    }

    /** The entry reads return for this record (a value; the caller checks {@link #isDeadAt}). */
    public Entry toEntry() {
        if (value == null) {
            throw new IllegalStateException("a tombstone has no entry: " + this);
        }
        return new Entry(key, value, version, millis);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplicaRecord r && r.millis == millis && r.version.equals(version)
                && Arrays.equals(r.key, key) && Arrays.equals(r.value, value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key) * 31 + version.hashCode();
    }

    @Override
    public String toString() {
        return value == null
                ? "Tombstone{key=" + ByteStrings.describe(key) + ", version=" + version + ", deletedAt=" + millis + "}"
                : "Value{key=" + ByteStrings.describe(key) + ", value=" + ByteStrings.describe(value) + ", version="
                        + version + (millis == Entry.NO_EXPIRY ? "" : ", expiresAt=" + millis) + "}";
    }
}
