package dev.cairn.api;

/**
 * The size limits a store enforces: 64 KiB keys and 1 MiB values by default. Every write checks
 * its input against them before anything is written, and refuses with a typed exception:
 * {@link IllegalKeyException} for a {@code null} or empty key, {@link KeyTooLargeException},
 * {@link ValueTooLargeException}, or {@link NullPointerException} for a {@code null} value.
 */
public record StoreLimits(int maxKeyBytes, int maxValueBytes) {
    public static final int DEFAULT_MAX_KEY_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;
    public static final StoreLimits DEFAULT = new StoreLimits(DEFAULT_MAX_KEY_BYTES, DEFAULT_MAX_VALUE_BYTES);

    public StoreLimits {
        if (maxKeyBytes < 1 || maxValueBytes < 0) {
            throw new IllegalArgumentException("limits must be positive: key " + maxKeyBytes + ", value " + maxValueBytes);
        }
    }

    /** Checks a key given to any operation, read or write. */
    public byte[] checkKey(byte[] key) {
        if (key == null) {
            throw new IllegalKeyException("key is null");
        }
        if (key.length == 0) {
            throw new IllegalKeyException("key is empty");
        }
        if (key.length > maxKeyBytes) {
            throw new KeyTooLargeException(key.length, maxKeyBytes);
        }
        return key;
    }

    /** Checks a value given to a write. */
    public byte[] checkValue(byte[] value) {
        if (value == null) {
            throw new NullPointerException("value is null");
        }
        checkValueSize(value.length);
        return value;
    }

    /** Checks the size of a value a write would produce. */
    public void checkValueSize(long size) {
        if (size > maxValueBytes) {
            throw new ValueTooLargeException(size, maxValueBytes);
        }
    }
}
