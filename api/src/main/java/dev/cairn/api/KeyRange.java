package dev.cairn.api;

import java.util.Objects;

/**
 * A contiguous range of keys for {@link Store#scan}: from {@code start} (inclusive) to {@code end}
 * (exclusive), in {@link ByteStrings#ORDER}. A {@code null} start means "from the first key", a
 * {@code null} end "to the last key".
 *
 * <p>Page through a large range with {@link #startingAfter}: pass the last key of one page to get
 * the range for the next.
 */
public final class KeyRange {
    private static final KeyRange ALL = new KeyRange(null, null);

    private final byte[] start;
    private final byte[] end;

    private KeyRange(byte[] start, byte[] end) {
        this.start = start;
        this.end = end;
    }

    /** Every key. */
    public static KeyRange all() {
        return ALL;
    }

    /** Keys {@code k} with {@code start <= k < end}. Either bound may be {@code null} (open). */
    public static KeyRange between(byte[] start, byte[] end) {
        return new KeyRange(start == null ? null : start.clone(), end == null ? null : end.clone());
    }

    /** Keys {@code k} with {@code k >= start}. */
    public static KeyRange from(byte[] start) {
        return between(Objects.requireNonNull(start, "start"), null);
    }

    /** Keys that start with {@code prefix}; the empty prefix is every key. */
    public static KeyRange prefix(byte[] prefix) {
        Objects.requireNonNull(prefix, "prefix");
        return new KeyRange(prefix.length == 0 ? null : prefix.clone(), ByteStrings.prefixEnd(prefix));
    }

    /** The part of this range strictly after {@code key}. */
    public KeyRange startingAfter(byte[] key) {
        byte[] next = ByteStrings.successor(Objects.requireNonNull(key, "key"));
        if (start != null && ByteStrings.compare(next, start) < 0) {
            return this;
        }
        return new KeyRange(next, end);
    }

    /** Inclusive lower bound, or {@code null} for none. Do not modify. */
    public byte[] start() {
        return start;
    }

    /** Exclusive upper bound, or {@code null} for none. Do not modify. */
    public byte[] end() {
        return end;
    }

    /** True when {@code key} lies in this range. */
    public boolean contains(byte[] key) {
        return (start == null || ByteStrings.compare(key, start) >= 0)
                && (end == null || ByteStrings.compare(key, end) < 0);
    }

    /** True when no key can lie in this range. */
    public boolean isEmpty() {
        return start != null && end != null && ByteStrings.compare(start, end) >= 0;
    }

    @Override
    public String toString() {
        return "[" + (start == null ? "-inf" : ByteStrings.describe(start)) + ", "
                + (end == null ? "+inf" : ByteStrings.describe(end)) + ")";
    }
}
