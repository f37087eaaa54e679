package dev.cairn.storage.memtable;

import dev.cairn.api.Entry;
import dev.cairn.storage.format.Record;
import dev.cairn.storage.format.RecordIterator;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The write buffer: every version of every key written since the last flush, in
 * {@link Record#ORDER}. One writer at a time adds (the store's write lock); any number of readers
 * and iterators run concurrently without locks and see a weakly consistent view, so readers
 * filter by sequence number for a snapshot.
 *
 * <p>The records live in an <em>arena</em>: a few large byte arrays, each record one node of a
 * skip list written inline — its key, its links, its version and value, one after another. A
 * comparison during a descent reads one node, so one cache miss, where a skip list of objects
 * chases an index node, a node, a key object and its array; and the collector sees a handful of
 * arrays instead of several objects per record, which it would otherwise copy from young
 * generation to old for as long as the table lives. Node layout, from an 8-aligned address:
 *
 * <pre>
 *   +0  int   key length         +4 byte height   +5 byte kind   (2 bytes padding)
 *   +8  long  sequence
 *   +16 key bytes, padded to 8
 *       long  next[height]       (the skip list's links; published with release, read with acquire)
 *       long  epoch, long counter, long millis, int value length, value bytes
 * </pre>
 *
 * An address is {@code chunk << 32 | offset}; 0 is no node. The writer fills a node, then links it
 * in bottom level first with release stores, so a reader that reaches it through a link sees all of
 * it. Nodes never move and are never freed: the table is dropped whole after its flush.
 *
 * <p>Beside the skip list, an open-addressing hash index holds each key's newest node. A point
 * read asks it first: a key the table does not hold is answered by one probe instead of a descent
 * (most reads, once the data outgrows the memtable), and a key whose newest record is in the
 * reader's snapshot is answered at once; only a reader older than a key's newest write descends.
 * A record is in the index before {@link #add} returns, so before the store makes its sequence
 * visible to any reader.
 *
 * <p>The expiry sweep marks an expired put dead in place (its kind becomes a tombstone's, with the
 * same sequence, version and instant); readers already treat both as absent, and the flush then
 * writes a tombstone without the value. The value's bytes stay in the arena until the flush.
 */
public final class Memtable {
    /** Levels of the skip list; with a branching factor of 4 that serves some 16 M nodes well. */
    private static final int MAX_HEIGHT = 12;
    private static final int FIRST_CHUNK = 16 << 10;
    private static final int MAX_CHUNK = maxChunk();

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);

    private static final int KEY_LENGTH = 0;
    private static final int HEIGHT = 4;
    private static final int KIND = 5;
    private static final int SEQUENCE = 8;
    private static final int KEY = 16;

    private final long walNumber;

    /**
     * The arena's chunks; replaced by a longer copy when one is added (readers re-read it per
     * node). Chunk 0 is never used, so no node has address 0.
     */
    private volatile byte[][] chunks = new byte[4][];
    private int chunkCount = 1;
    /** The chunk small nodes are carved from, and where its free space starts. */
    private int currentChunk = -1;
    private int currentOffset;
    private int nextChunkSize = FIRST_CHUNK;

    /** The head's links, one per level (0: none). */
    private final long[] head = new long[MAX_HEIGHT];
    /** The writer's predecessors at each level during an insert. */
    private final long[] splice = new long[MAX_HEIGHT];
    private long random = 0x9E3779B97F4A7C15L;

    private volatile Index index = new Index(16);
    private int indexed;

    private volatile int size;
    private volatile long approximateBytes;
    /**
     * No put in the table expires before this instant (Long.MAX_VALUE: none has an expiry), so
     * the sweep skips a table with nothing to sweep instead of walking every record.
     */
    private final AtomicLong earliestExpiry = new AtomicLong(Long.MAX_VALUE);

    /** @param walNumber the WAL segment that holds this memtable's writes */
    public Memtable(long walNumber) {
        this.walNumber = walNumber;
    }

    public long walNumber() {
        return walNumber;
    }

    /** Adds one version; one writer at a time (see above). */
    public void add(Record record) {
        byte[] key = record.key();
        long sequence = record.sequence();
        for (int level = MAX_HEIGHT - 1; level >= 0; level--) {
            long x = level == MAX_HEIGHT - 1 ? 0 : splice[level + 1];
            long next = link(x, level);
            while (next != 0 && compare(next, key, sequence) < 0) {
                x = next;
                next = link(x, level);
            }
            splice[level] = x;
        }
        int height = randomHeight();
        byte[] value = record.isDelete() ? null : record.value();
        int linksAt = KEY + align(key.length);
        int tailAt = linksAt + 8 * height;
        int nodeSize = align(tailAt + 28 + (value == null ? 0 : value.length));
        long node = allocate(nodeSize);
        byte[] c = chunks[(int) (node >>> 32)];
        int at = (int) node;
        INTS.set(c, at + KEY_LENGTH, key.length);
        c[at + HEIGHT] = (byte) height;
        c[at + KIND] = record.kind();
        LONGS.set(c, at + SEQUENCE, sequence);
        System.arraycopy(key, 0, c, at + KEY, key.length);
        LONGS.set(c, at + tailAt, record.epoch());
        LONGS.set(c, at + tailAt + 8, record.counter());
        LONGS.set(c, at + tailAt + 16, record.millis());
        INTS.set(c, at + tailAt + 24, value == null ? -1 : value.length);
        if (value != null) {
            System.arraycopy(value, 0, c, at + tailAt + 28, value.length);
        }
        for (int level = 0; level < height; level++) {
            LONGS.set(c, at + linksAt + 8 * level, link(splice[level], level));
        }
        for (int level = 0; level < height; level++) { // bottom first: a node reachable at a level is at every level below
            setLink(splice[level], level, node);
        }
        index(key, node, sequence);
        size = size + 1;
        approximateBytes = approximateBytes + nodeSize;
        if (!record.isDelete() && record.expiresAtMillis() != Entry.NO_EXPIRY) {
            earliestExpiry.accumulateAndGet(record.expiresAtMillis(), Math::min);
        }
    }

    /** The newest version of {@code key} with a sequence at most {@code maxSequence}, or null. */
    public Record get(byte[] key, long maxSequence) {
        long latest = lookup(key);
        if (latest == 0) {
            return null;
        }
        if (sequence(latest) <= maxSequence) {
            return record(latest);
        }
        long found = seek(key, maxSequence);
        return found != 0 && sameKey(found, key) ? record(found) : null;
    }

    /** Bytes the records take in the arena, and the hash index: what decides when the table is flushed. */
    public long approximateBytes() {
        return approximateBytes + 12L * index.slots.length;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }

    /**
     * Marks every put that is expired at {@code nowMillis} dead in place: a tombstone of the same
     * key, sequence and version. Readers already treat both as "absent", so nothing visible
     * changes; the flush writes no value for it. Returns how many were marked.
     */
    public int sweepExpired(long nowMillis) {
        long before = earliestExpiry.get();
        if (nowMillis < before) {
            return 0; // nothing has expired yet: no walk over the table
        }
        int swept = 0;
        long next = Long.MAX_VALUE;
        for (long x = link(0, 0); x != 0; x = link(x, 0)) {
            byte[] c = chunk(x);
            int at = (int) x;
            long millis = (long) LONGS.get(c, tail(c, at) + 16);
            if (c[at + KIND] != Record.PUT || millis == Entry.NO_EXPIRY) {
                continue;
            }
            if (Entry.isExpired(millis, nowMillis)) {
                c[at + KIND] = Record.DELETE; // readers see a put that is expired or a tombstone: absent either way
                swept++;
            } else {
                next = Math.min(next, millis);
            }
        }
        // unless an add lowered it meanwhile; a put added during the walk and not seen may be
        // swept late, which only delays its tombstone (readers treat it as absent anyway)
        earliestExpiry.compareAndSet(before, next);
        return swept;
    }

    public RecordIterator iterator() {
        return new RecordIterator() {
            private long node;
            private Record current;

            @Override
            public void seek(byte[] key, long sequence) {
                node = Memtable.this.seek(key, sequence);
                current = null;
            }

            @Override
            public void seekToFirst() {
                node = link(0, 0);
                current = null;
            }

            @Override
            public boolean valid() {
                return node != 0;
            }

            @Override
            public Record current() {
                if (current == null && node != 0) {
                    current = record(node);
                }
                return current;
            }

            @Override
            public void next() {
                node = link(node, 0);
                current = null;
            }
        };
    }

    // ---- the skip list

    /** The first node not before ({@code key}, {@code sequence}), or 0. */
    private long seek(byte[] key, long sequence) {
        long x = 0;
        long next = 0;
        for (int level = MAX_HEIGHT - 1; level >= 0; level--) {
            next = link(x, level);
            while (next != 0 && compare(next, key, sequence) < 0) {
                x = next;
                next = link(x, level);
            }
        }
        return next;
    }

    /** Node {@code x}'s link at {@code level} (x = 0: the head's). */
    private long link(long x, int level) {
        if (x == 0) {
            return (long) SLOTS.getAcquire(head, level);
        }
        byte[] c = chunk(x);
        int at = (int) x;
        return (long) LONGS.getAcquire(c, links(c, at) + 8 * level);
    }

    private void setLink(long x, int level, long node) {
        if (x == 0) {
            SLOTS.setRelease(head, level, node);
            return;
        }
        byte[] c = chunk(x);
        int at = (int) x;
        LONGS.setRelease(c, links(c, at) + 8 * level, node);
    }

    /** Node {@code x} against ({@code key}, {@code sequence}) in {@link Record#ORDER}. */
    private int compare(long x, byte[] key, long sequence) {
        byte[] c = chunk(x);
        int at = (int) x + KEY;
        int c1 = Arrays.compareUnsigned(c, at, at + (int) INTS.get(c, (int) x + KEY_LENGTH), key, 0, key.length);
        return c1 != 0 ? c1 : Long.compare(sequence, (long) LONGS.get(c, (int) x + SEQUENCE));
    }

    private boolean sameKey(long x, byte[] key) {
        byte[] c = chunk(x);
        int at = (int) x + KEY;
        return Arrays.equals(c, at, at + (int) INTS.get(c, (int) x + KEY_LENGTH), key, 0, key.length);
    }

    private long sequence(long x) {
        return (long) LONGS.get(chunk(x), (int) x + SEQUENCE);
    }

    /** Node {@code x} as a record with a key array of its own; a put's value is copied out of the arena when first read. */
    private Record record(long x) {
        byte[] c = chunk(x);
        int at = (int) x;
        int keyLength = (int) INTS.get(c, at + KEY_LENGTH);
        int tail = tail(c, at);
        byte[] key = Arrays.copyOfRange(c, at + KEY, at + KEY + keyLength);
        long sequence = (long) LONGS.get(c, at + SEQUENCE);
        long epoch = (long) LONGS.get(c, tail);
        long counter = (long) LONGS.get(c, tail + 8);
        long millis = (long) LONGS.get(c, tail + 16);
        return c[at + KIND] == Record.PUT
                ? Record.decodedPut(key, sequence, epoch, counter, millis, c, tail + 28, (int) INTS.get(c, tail + 24))
                : Record.decoded(Record.DELETE, key, sequence, epoch, counter, millis, null);
    }

    /** Where node {@code at}'s links start: after its key, padded to 8. */
    private static int links(byte[] c, int at) {
        return at + KEY + align((int) INTS.get(c, at + KEY_LENGTH));
    }

    /** Where node {@code at}'s epoch, counter, millis and value start: after its links. */
    private static int tail(byte[] c, int at) {
        return links(c, at) + 8 * c[at + HEIGHT];
    }

    private byte[] chunk(long x) {
        return chunks[(int) (x >>> 32)];
    }

    private int randomHeight() {
        long r = random;
        r ^= r << 13;
        r ^= r >>> 7;
        r ^= r << 17;
        random = r;
        int height = 1;
        while (height < MAX_HEIGHT && (r & 3) == 0) { // a quarter of each level goes up one more
            height++;
            r >>>= 2;
        }
        return height;
    }

    private static int align(int n) {
        return (n + 7) & ~7;
    }

    // ---- the arena

    /** An 8-aligned address for {@code n} bytes (never 0: chunk 0 is not used). */
    private long allocate(int n) {
        if (n > MAX_CHUNK / 4) { // a large record gets a chunk of its own; small ones keep filling the current one
            return ((long) addChunk(n) << 32);
        }
        if (currentChunk < 0 || currentOffset + n > chunks[currentChunk].length) {
            int chunkSize = Math.max(n, nextChunkSize);
            nextChunkSize = Math.min(MAX_CHUNK, nextChunkSize * 2);
            currentChunk = addChunk(chunkSize);
            currentOffset = 0;
        }
        long address = ((long) currentChunk << 32) | currentOffset;
        currentOffset += n;
        return address;
    }

    /**
     * The size chunks grow to. Under G1 it is just under one heap region, so a chunk of that size
     * is a humongous object: G1 places it in a region of its own in the old generation and never
     * copies it, and frees it at the first young collection after the table is dropped. A table
     * lives until its flush, so smaller chunks were copied by every young collection of its life,
     * first to a survivor space and then to the old generation; that copying was most of the
     * collector's time while loading 4 KB values. Elsewhere, and if the region size cannot be
     * read, 1 MiB.
     */
    private static int maxChunk() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue())) {
                long region = Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue());
                if (region >= 1 << 20 && region <= 32 << 20) {
                    return (int) region - 64; // the array's header fits in the same region
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // not HotSpot, or no jdk.management: the default below
        }
        return 1 << 20;
    }

    private int addChunk(int n) {
        byte[][] cs = chunks;
        if (chunkCount == cs.length) {
            cs = Arrays.copyOf(cs, Math.max(8, cs.length * 2));
        }
        cs[chunkCount] = new byte[n];
        chunks = cs; // published before any node in it is linked
        return chunkCount++;
    }

    // ---- the hash index

    /** Open addressing, linear probing; a slot once filled keeps its key, and only its node changes. */
    private static final class Index {
        final long[] slots;
        final int[] hashes;
        final int mask;

        Index(int capacity) {
            slots = new long[capacity];
            hashes = new int[capacity];
            mask = capacity - 1;
        }
    }

    private static int hash(byte[] key) {
        int h = Arrays.hashCode(key) * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** The newest node of {@code key}, or 0. */
    private long lookup(byte[] key) {
        Index ix = index;
        int h = hash(key);
        for (int i = h & ix.mask; ; i = (i + 1) & ix.mask) {
            long x = (long) SLOTS.getAcquire(ix.slots, i);
            if (x == 0) {
                return 0;
            }
            if (ix.hashes[i] == h && sameKey(x, key)) {
                return x;
            }
        }
    }

    private void index(byte[] key, long node, long sequence) {
        Index ix = index;
        int h = hash(key);
        for (int i = h & ix.mask; ; i = (i + 1) & ix.mask) {
            long x = ix.slots[i];
            if (x == 0) {
                ix.hashes[i] = h;
                SLOTS.setRelease(ix.slots, i, node);
                if (++indexed * 2 > ix.slots.length) {
                    grow();
                }
                return;
            }
            if (ix.hashes[i] == h && sameKey(x, key)) {
                if (sequence(x) < sequence) {
                    SLOTS.setRelease(ix.slots, i, node);
                }
                return;
            }
        }
    }

    private void grow() {
        Index old = index;
        Index grown = new Index(old.slots.length * 2);
        for (int i = 0; i < old.slots.length; i++) {
            long x = old.slots[i];
            if (x != 0) {
                int j = old.hashes[i] & grown.mask;
                while (grown.slots[j] != 0) {
                    j = (j + 1) & grown.mask;
                }
                grown.slots[j] = x;
                grown.hashes[j] = old.hashes[i];
            }
        }
        index = grown; // complete before it is published; the old one stays right for whoever still reads it
    }
}
