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

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * A well-mixed hash of {@code bytes} that reads them eight at a time: for spreading keys over
     * lock stripes, where {@link Arrays#hashCode(byte[])}'s one multiply per byte showed up in
     * profiles of batched writes (bench/RESULTS.md, fifteenth session). Not stable across
     * versions; never persist it.
     */
    public static int spread(byte[] bytes) {
        long h = bytes.length * 0x9E3779B97F4A7C15L;
        int i = 0;
        for (; i + Long.BYTES <= bytes.length; i += Long.BYTES) {
            h = (h ^ (long) LONGS.get(bytes, i)) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 29;
        }
        long tail = 0;
        for (int shift = 0; i < bytes.length; i++, shift += 8) {
            tail |= (bytes[i] & 0xFFL) << shift;
        }
        h = (h ^ tail) * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        return (int) (h ^ (h >>> 32));
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
