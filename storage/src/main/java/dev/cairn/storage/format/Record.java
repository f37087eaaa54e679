package dev.cairn.storage.format;

import dev.cairn.api.ByteStrings;
import dev.cairn.api.Entry;
import java.util.Comparator;

/**
 * One version of one key inside the engine: a put (value and expiry) or a tombstone, stamped with
 * the sequence number of the write that made it. The sequence number is also the version the
 * {@code Store} API reports.
 *
 * <p>Records order by {@link #ORDER}: user key ascending (unsigned), then sequence descending, so
 * the newest version of a key comes first — the order of the memtable, of every SSTable and of
 * every merge.
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
    private final long expiresAtMillis;
    private final byte[] value;
    /** True when key and value are fresh arrays no one else holds (decoded from a table). */
    private final boolean exclusive;

    private Record(byte[] key, long sequence, byte kind, long expiresAtMillis, byte[] value, boolean exclusive) {
        this.key = key;
        this.sequence = sequence;
        this.kind = kind;
        this.expiresAtMillis = expiresAtMillis;
        this.value = value;
        this.exclusive = exclusive;
    }

    private Record(byte[] key, long sequence, byte kind, long expiresAtMillis, byte[] value) {
        this(key, sequence, kind, expiresAtMillis, value, false);
    }

    /**
     * A put decoded from a table into fresh arrays that nothing else references; {@link #toEntry}
     * hands them over instead of copying them.
     */
    public static Record decodedPut(byte[] key, long sequence, long expiresAtMillis, byte[] value) {
        return new Record(key, sequence, PUT, expiresAtMillis, value, true);
    }

    public static Record put(byte[] key, long sequence, long expiresAtMillis, byte[] value) {
        return new Record(key, sequence, PUT, expiresAtMillis, value);
    }

    public static Record delete(byte[] key, long sequence) {
        return new Record(key, sequence, DELETE, Entry.NO_EXPIRY, null);
    }

    /** A probe for seeking: sorts before every version of {@code key} with a sequence <= {@code sequence}. */
    public static Record seekKey(byte[] key, long sequence) {
        return new Record(key, sequence, DELETE, Entry.NO_EXPIRY, null);
    }

    public static int compare(byte[] keyA, long seqA, byte[] keyB, long seqB) {
        int c = ByteStrings.compare(keyA, keyB);
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

    public long expiresAtMillis() {
        return expiresAtMillis;
    }

    /** The value of a put; {@code null} for a tombstone. */
    public byte[] value() {
        return value;
    }

    /** True when this record hides its key at {@code nowMillis}: a tombstone or an expired put. */
    public boolean isDeadAt(long nowMillis) {
        return kind == DELETE || Entry.isExpired(expiresAtMillis, nowMillis);
    }

    /**
     * The API entry for a live put. Its arrays belong to the caller: copies, unless this record
     * was decoded into arrays of its own (then it must not be used again).
     */
    public Entry toEntry() {
        return exclusive
                ? new Entry(key, value, sequence, expiresAtMillis)
                : new Entry(key.clone(), value.clone(), sequence, expiresAtMillis);
    }

    /** Approximate heap bytes, for memtable accounting. */
    public int approximateSize() {
        return key.length + (value == null ? 0 : value.length) + 64;
    }

    @Override
    public String toString() {
        return (kind == PUT ? "PUT " : "DEL ") + ByteStrings.describe(key) + "@" + sequence
                + (kind == PUT ? "=" + ByteStrings.describe(value) : "");
    }
}
