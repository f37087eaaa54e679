package dev.cairn.storage.memtable;

import dev.cairn.storage.format.Record;
import dev.cairn.storage.format.RecordIterator;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The write buffer: every version of every key written since the last flush, in
 * {@link Record#ORDER}, in a {@link ConcurrentSkipListMap}. One writer at a time adds (the store's
 * write lock); any number of readers and iterators run concurrently without locks, and an iterator
 * sees a weakly consistent view, so readers filter by sequence number for a snapshot.
 *
 * <p>The map's keys are small key-and-sequence pairs ({@link Slot}), apart from the records, so the
 * expiry sweep can replace an expired put by a tombstone of the same sequence and free the value's
 * memory.
 *
 * <p>Beside the ordered map, a hash index holds each key's newest record. A point read asks it
 * first: a key the table does not hold is answered by one probe instead of a descent through the
 * skip list (most reads, once the data outgrows the memtable), and a key whose newest record is
 * in the reader's snapshot is answered at once; only a reader older than a key's newest write
 * descends. A record is in the index before {@link #add} returns, so before the store makes its
 * sequence visible to any reader.
 */
public final class Memtable {
    /** A map key: a key and a sequence, in {@link Record#compare} order. */
    private record Slot(byte[] key, long sequence) {
    }

    private static final java.util.Comparator<Slot> ORDER = (a, b) -> Record.compare(a.key, a.sequence, b.key, b.sequence);

    private final ConcurrentSkipListMap<Slot, Record> records = new ConcurrentSkipListMap<>(ORDER);

    /** Each key's newest record (highest sequence). */
    private final java.util.concurrent.ConcurrentHashMap<dev.cairn.api.ByteKey, Record> newest = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong approximateBytes = new AtomicLong();
    /**
     * No put in the table expires before this instant (Long.MAX_VALUE: none has an expiry), so
     * the sweep skips a table with nothing to sweep instead of walking every record.
     */
    private final AtomicLong earliestExpiry = new AtomicLong(Long.MAX_VALUE);
    private final long walNumber;

    /** @param walNumber the WAL segment that holds this memtable's writes */
    public Memtable(long walNumber) {
        this.walNumber = walNumber;
    }

    public long walNumber() {
        return walNumber;
    }

    public void add(Record record) {
        // one writer at a time (see above): looking, then putting, races only with readers and the sweep
        dev.cairn.api.ByteKey ref = new dev.cairn.api.ByteKey(record.key());
        Record before = newest.get(ref);
        if (before != null && before.key() != record.key()) {
            // every version of a key shares the first one's array: one array kept instead of one
            // per version, and comparing two versions (the skip list's insert, the flush) is a
            // reference check instead of a byte comparison, which a hot key needs at every level
            record = record.withKey(before.key());
        }
        records.put(new Slot(record.key(), record.sequence()), record);
        if (before == null || before.sequence() < record.sequence()) {
            newest.put(ref, record);
        }
        // the index's entries are not counted, as the skip list's nodes are not: approximateBytes is
        // the records' estimate (Record#approximateSize), which decides when the table is flushed
        approximateBytes.addAndGet(record.approximateSize());
        if (!record.isDelete() && record.expiresAtMillis() != dev.cairn.api.Entry.NO_EXPIRY) {
            earliestExpiry.accumulateAndGet(record.expiresAtMillis(), Math::min);
        }
    }

    /** The newest version of {@code key} with a sequence at most {@code maxSequence}, or null. */
    public Record get(byte[] key, long maxSequence) {
        Record latest = newest.get(new dev.cairn.api.ByteKey(key));
        if (latest == null) {
            return null;
        }
        if (latest.sequence() <= maxSequence) {
            return latest;
        }
        Map.Entry<Slot, Record> e = records.ceilingEntry(new Slot(key, maxSequence));
        if (e == null || !java.util.Arrays.equals(e.getKey().key, key)) {
            return null;
        }
        return e.getValue();
    }

    public long approximateBytes() {
        return approximateBytes.get();
    }

    public boolean isEmpty() {
        return records.isEmpty();
    }

    public int size() {
        return records.size();
    }

    /**
     * Replaces every put that is expired at {@code nowMillis} with a tombstone of the same key and
     * sequence. Readers already treat both as "absent", so nothing visible changes; the value's
     * memory is freed now instead of at the next flush. Returns how many were replaced.
     */
    public int sweepExpired(long nowMillis) {
        long before = earliestExpiry.get();
        if (nowMillis < before) {
            return 0; // nothing has expired yet: no walk over the table
        }
        int swept = 0;
        long next = Long.MAX_VALUE;
        for (Map.Entry<Slot, Record> e : records.entrySet()) {
            Record r = e.getValue();
            if (r.isDelete() || r.expiresAtMillis() == dev.cairn.api.Entry.NO_EXPIRY) {
                continue;
            }
            if (r.isDeadAt(nowMillis)) {
                Record tombstone = r.asTombstone();
                if (records.replace(e.getKey(), r, tombstone)) {
                    newest.replace(new dev.cairn.api.ByteKey(r.key()), r, tombstone); // unless a newer record took its place
                    approximateBytes.addAndGet(-r.value().length);
                    swept++;
                }
            } else {
                next = Math.min(next, r.expiresAtMillis());
            }
        }
        // unless an add lowered it meanwhile; a put added during the walk and not seen may be
        // swept late, which only delays freeing its memory (readers treat it as absent anyway)
        earliestExpiry.compareAndSet(before, next);
        return swept;
    }

    public RecordIterator iterator() {
        return new RecordIterator() {
            private Iterator<Record> it;
            private Record current;

            @Override
            public void seek(byte[] key, long sequence) {
                it = records.tailMap(new Slot(key, sequence), true).values().iterator();
                next();
            }

            @Override
            public void seekToFirst() {
                it = records.values().iterator();
                next();
            }

            @Override
            public boolean valid() {
                return current != null;
            }

            @Override
            public Record current() {
                return current;
            }

            @Override
            public void next() {
                current = it.hasNext() ? it.next() : null;
            }
        };
    }
}
