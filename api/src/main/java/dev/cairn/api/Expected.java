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
    private static final Expected ABSENT = new Expected(null, null);

    private final Version version;
    private final byte[] value;

    private Expected(Version version, byte[] value) {
        this.version = version;
        this.value = value;
    }

    /** The key has no live entry. */
    public static Expected absent() {
        return ABSENT;
    }

    /** The key's live entry has exactly this version. */
    public static Expected version(Version version) {
        return new Expected(Objects.requireNonNull(version, "version"), null);
    }

    /** The key's live entry has exactly this value (compared by content). */
    public static Expected value(byte[] value) {
        return new Expected(null, Objects.requireNonNull(value, "value").clone());
    }

    /** True when {@code current} (the live entry, or {@code null} if absent) meets this condition. */
    public boolean matches(Entry current) {
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
        return value != null ? "Expected.value(" + ByteStrings.describe(value) + ")" : "Expected.version(" + version + ")";
    }
}
