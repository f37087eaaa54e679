package dev.cairn.api;

import java.util.Arrays;

/**
 * A byte string as a hash-map key: equal by content, its hash computed once. The array is held,
 * not copied; whoever makes a key must not change the array while the key is in use.
 */
public final class ByteKey {
    private final byte[] bytes;
    private final int hash;

    public ByteKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey k && hash == k.hash && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
