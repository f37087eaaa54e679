package dev.cairn.api;

/**
 * The version of one write to one key: whoever orders writes to the key assigns it (a single
 * store on its own; in a cluster, the key's primary owner), and the store keeps it with the
 * record, apart from any sequence number of its own, so a replica holds "this value, at the
 * version the primary gave it".
 *
 * <p>A version is an epoch and a counter, compared in that order. An epoch names one period of
 * one orderer: a cluster raises it with every change of ownership, so every version a new primary
 * assigns is above every version of the epochs before, whatever their counters. A store on its
 * own stamps epoch {@link #LOCAL_EPOCH}. For one key, a newer write always has a greater version
 * (the order {@link #compareTo} gives); versions of different keys are not comparable in meaning.
 *
 * <p>Callers should treat a version as opaque: compare it, keep it, hand it back in
 * {@link Expected#version}. {@link #toBytes}/{@link #fromBytes} and {@link #toString}/{@link
 * #parse} give stable forms for carrying it elsewhere (JCache, JDBC, the wire). The two-part form
 * is the only kind today; the byte form starts with a kind byte so that the eventual mode's vector
 * clocks can be added beside it.
 */
public final class Version implements Comparable<Version> {
    /** The epoch of versions a single store assigns on its own. */
    public static final long LOCAL_EPOCH = 0L;

    private static final byte KIND_EPOCH_COUNTER = 1;

    private final long epoch;
    private final long counter;

    private Version(long epoch, long counter) {
        this.epoch = epoch;
        this.counter = counter;
    }

    /** A version of {@code epoch} (>= 0) with {@code counter} (> 0). */
    public static Version of(long epoch, long counter) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0: " + epoch);
        }
        if (counter <= 0) {
            throw new IllegalArgumentException("counter must be positive: " + counter);
        }
        return new Version(epoch, counter);
    }

    /** A version a single store assigns: the local epoch with {@code counter}. */
    public static Version local(long counter) {
        return of(LOCAL_EPOCH, counter);
    }

    public long epoch() {
        return epoch;
    }

    public long counter() {
        return counter;
    }

    /** The next version in the same epoch. */
    public Version next() {
        return of(epoch, Math.addExact(counter, 1));
    }

    public boolean isNewerThan(Version other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Version o) {
        int c = Long.compare(epoch, o.epoch);
        return c != 0 ? c : Long.compare(counter, o.counter);
    }

    /** The stable byte form: kind byte, then epoch and counter as 8-byte big-endian numbers. */
    public byte[] toBytes() {
        byte[] out = new byte[17];
        out[0] = KIND_EPOCH_COUNTER;
        for (int i = 0; i < 8; i++) {
            out[1 + i] = (byte) (epoch >>> (56 - 8 * i));
            out[9 + i] = (byte) (counter >>> (56 - 8 * i));
        }
        return out;
    }

    /** Reads {@link #toBytes}'s form; {@link IllegalArgumentException} if it is not one. */
    public static Version fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length != 17 || bytes[0] != KIND_EPOCH_COUNTER) {
            throw new IllegalArgumentException("not a version: " + ByteStrings.describe(bytes == null ? new byte[0] : bytes));
        }
        long e = 0;
        long c = 0;
        for (int i = 0; i < 8; i++) {
            e = (e << 8) | (bytes[1 + i] & 0xFF);
            c = (c << 8) | (bytes[9 + i] & 0xFF);
        }
        return of(e, c);
    }

    /** {@code epoch.counter}, which {@link #parse} reads back. */
    @Override
    public String toString() {
        return epoch + "." + counter;
    }

    /** Reads {@link #toString}'s form; {@link IllegalArgumentException} if it is not one. */
    public static Version parse(String text) {
        int dot = text.indexOf('.');
        if (dot <= 0 || dot == text.length() - 1) {
            throw new IllegalArgumentException("not a version (expected epoch.counter): " + text);
        }
        try {
            return of(Long.parseLong(text.substring(0, dot)), Long.parseLong(text.substring(dot + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a version (expected epoch.counter): " + text, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && v.epoch == epoch && v.counter == counter;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(epoch) * 31 + Long.hashCode(counter);
    }
}
