package dev.cairn.storage.format;

import dev.cairn.api.ByteStrings;
import dev.cairn.api.Entry;
import dev.cairn.api.ReplicaRecord;
import dev.cairn.api.Version;
import java.util.Comparator;

/**
 * One version of one key inside the engine: a put (value and expiry) or a tombstone, stamped with
 * the engine's sequence number and, apart from it, the {@link Version} of the write (assigned by
 * the engine for its own writes, by the key's primary for replicated ones).
 *
 * <p>The sequence number orders records inside the engine (snapshots, the newest-first merge); the
 * version is what the API reports and what replicas compare. The engine only ever gives a key a
 * higher sequence number together with a higher version, so within one key both orders agree.
 *
 * <p>{@code millis} is a put's expiry instant (0 = never) and a tombstone's deletion instant
 * (what starts its grace period).
 *
 * <p>Records order by {@link #ORDER}: user key ascending (unsigned), then sequence descending, so
 * the newest version of a key comes first — the order of the memtable, of every SSTable and of
 * every merge. {@link #compare} is that order, the one place it is written.
 */
public final class Record {
    public static final byte PUT = 1;
    public static final byte DELETE = 2;

    /** Largest sequence number; seeking to (key, MAX_SEQUENCE) lands on the newest version of key. */
    public static final long MAX_SEQUENCE = Long.MAX_VALUE;

    public static final Comparator<Record> ORDER = (a, b) -> compare(a.key, a.sequence, b.key, b.sequence);

    private final byte[] key;
    private final long sequence;
    private final byte kind;
    private final long millis;
    private final long epoch;
    private final long counter;
    /**
     * The value of a put, null for a tombstone; or null until first asked for, when it is still
     * in {@link #source} (a record read from the memtable's arena or a table's block, whose value
     * is copied out only if someone reads it: a merge passes over older versions without).
     */
    private byte[] value;
    private final byte[] source;
    private final int valueAt;
    private final int valueLength;
    /** True when key and value are fresh arrays no one else holds (decoded from a table). */
    private final boolean exclusive;

    private Record(byte[] key, long sequence, byte kind, long epoch, long counter, long millis, byte[] value,
                   boolean exclusive) {
        this(key, sequence, kind, epoch, counter, millis, value, null, 0, value == null ? 0 : value.length, exclusive);
    }

    private Record(byte[] key, long sequence, byte kind, long epoch, long counter, long millis, byte[] value,
                   byte[] source, int valueAt, int valueLength, boolean exclusive) {
        this.key = key;
        this.sequence = sequence;
        this.kind = kind;
        this.epoch = epoch;
        this.counter = counter;
        this.millis = millis;
        this.value = value;
        this.source = source;
        this.valueAt = valueAt;
        this.valueLength = valueLength;
        this.exclusive = exclusive;
    }

    /**
     * A put decoded into a fresh key array whose value stays in {@code source[at, at + length)}
     * (immutable there) until {@link #value} first copies it out. Such a record is confined to
     * the thread that decoded it: the copy is not published safely to others.
     */
    public static Record decodedPut(byte[] key, long sequence, long epoch, long counter, long millis, byte[] source,
                                    int at, int length) {
        return new Record(key, sequence, PUT, epoch, counter, millis, null, source, at, length, true);
    }

    /**
     * A record decoded into fresh arrays that nothing else references; {@link #toEntry} hands
     * them over instead of copying them.
     */
    public static Record decoded(byte kind, byte[] key, long sequence, long epoch, long counter, long millis,
                                 byte[] value) {
        if (kind != PUT && kind != DELETE) {
            throw new IllegalArgumentException("unknown record kind " + kind);
        }
        return new Record(key, sequence, kind, epoch, counter, millis, kind == PUT ? value : null, true);
    }

    public static Record put(byte[] key, long sequence, Version version, long expiresAtMillis, byte[] value) {
        return new Record(key, sequence, PUT, version.epoch(), version.counter(), expiresAtMillis, value, false);
    }

    public static Record delete(byte[] key, long sequence, Version version, long deletedAtMillis) {
        return new Record(key, sequence, DELETE, version.epoch(), version.counter(), deletedAtMillis, null, false);
    }

    /** The internal-key order: user key ascending (unsigned), then sequence descending. */
    public static int compare(byte[] keyA, long seqA, byte[] keyB, long seqB) {
        if (keyA == keyB) {
            return Long.compare(seqB, seqA); // one array: the same key, no bytes to compare
        }
        return compare(keyA, 0, keyA.length, seqA, keyB, seqB);
    }

    /** {@link #compare} with the first key given as {@code keyA[from, to)}. */
    public static int compare(byte[] keyA, int from, int to, long seqA, byte[] keyB, long seqB) {
        int c = java.util.Arrays.compareUnsigned(keyA, from, to, keyB, 0, keyB.length);
        return c != 0 ? c : Long.compare(seqB, seqA);
    }

    public byte[] key() {
        return key;
    }

    public long sequence() {
        return sequence;
    }

    public byte kind() {
        return kind;
    }

    public boolean isDelete() {
        return kind == DELETE;
    }

    public long epoch() {
        return epoch;
    }

    public long counter() {
        return counter;
    }

    /**
     * The version counter as stored: zigzag of (sequence - counter), one byte for the engine's own
     * writes, whose counter is their sequence.
     */
    public long counterDelta() {
        return Varint.zigzag(sequence - counter);
    }

    /** The counter of a record with {@code sequence} whose stored delta is {@code delta}. */
    public static long counter(long sequence, long delta) {
        return sequence - Varint.unzigzag(delta);
    }

    public Version version() {
        return Version.of(epoch, counter);
    }

    /** True when this record's version is above {@code v}. */
    public boolean isNewerThan(Version v) {
        return epoch != v.epoch() ? epoch > v.epoch() : counter > v.counter();
    }

    /** A put's expiry instant (0 = never); a tombstone's deletion instant. */
    public long millis() {
        return millis;
    }

    public long expiresAtMillis() {
        return kind == PUT ? millis : Entry.NO_EXPIRY;
    }

    /** The value of a put; {@code null} for a tombstone. */
    public byte[] value() {
        byte[] v = value;
        if (v == null && source != null) {
            v = java.util.Arrays.copyOfRange(source, valueAt, valueAt + valueLength);
            value = v;
        }
        return v;
    }

    /** The length of a put's value (0 for a tombstone), without copying it out. */
    public int valueLength() {
        return valueLength;
    }

    /** Appends a put's value to {@code out} (nothing for a tombstone) from wherever it is, without copying it out first. */
    public void putValue(GrowableBuffer out) {
        if (value != null) {
            out.put(value);
        } else if (source != null) {
            out.put(source, valueAt, valueLength);
        }
    }

    /** True when this record hides its key at {@code nowMillis}: a tombstone or an expired put. */
    public boolean isDeadAt(long nowMillis) {
        return kind == DELETE || Entry.isExpired(millis, nowMillis);
    }

    /**
     * The instant from which this dead record's grace period runs: a tombstone's deletion, an
     * expired put's expiry.
     */
    public long deathMillis() {
        return millis;
    }

    /** This record as a tombstone with the same key, sequence and version, dead since {@link #deathMillis}. */
    public Record asTombstone() {
        return kind == DELETE ? this : new Record(key, sequence, DELETE, epoch, counter, millis, null, exclusive);
    }

    /**
     * The API entry for a live put. Its arrays belong to the caller: copies, unless this record
     * was decoded into arrays of its own (then it must not be used again).
     */
    public Entry toEntry() {
        return exclusive
                ? new Entry(key, value(), version(), millis)
                : new Entry(key.clone(), value.clone(), version(), millis);
    }

    /** The API entry for a live put under {@code userKey} (kept as given); the value as for {@link #toEntry()}. */
    public Entry toEntry(byte[] userKey) {
        return new Entry(userKey, exclusive ? value() : value.clone(), version(), millis);
    }

    /** This record as replicas see it, under {@code userKey} (kept as given); the value as for {@link #toEntry()}. */
    public ReplicaRecord toReplicaRecord(byte[] userKey) {
        return kind == DELETE
                ? ReplicaRecord.tombstone(userKey, version(), millis)
                : ReplicaRecord.value(userKey, exclusive ? value() : value.clone(), version(), millis);
    }

    /** Approximate heap bytes, for memtable accounting. */
    public int approximateSize() {
        return key.length + valueLength + 64;
    }

    @Override
    public String toString() {
        return (kind == PUT ? "PUT " : "DEL ") + ByteStrings.describe(key) + "@" + sequence + " v" + epoch + "." + counter
                + (kind == PUT ? "=" + ByteStrings.describe(value()) : "");
    }
}
