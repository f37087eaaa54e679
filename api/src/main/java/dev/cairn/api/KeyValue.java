package dev.cairn.api;

import java.util.Objects;

/**
 * A key and a value to write, as {@link Store#putAll} takes them. The arrays are not copied; the
 * caller must not change them until the call returns.
 */
public record KeyValue(byte[] key, byte[] value) {
    public KeyValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return ByteStrings.describe(key) + "=" + ByteStrings.describe(value);
    }
}
