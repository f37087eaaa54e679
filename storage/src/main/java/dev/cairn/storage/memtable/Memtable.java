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
 * <p>The records live in an <em>arena</em>: a few large byte arrays, written inline. Each key has
 * one <em>key node</em> in a skip list ordered by key, and each version of it one <em>version
 * node</em>, chained from the key node newest first. A new key descends the skip list; a new
 * version of a key the table holds is found through the hash index below and prepended to its
 * chain: no descent, whatever the table's size. A comparison during a descent reads one node, so
 * one cache miss, where a skip list of objects chases an index node, a node, a key object and its
 * array; and the collector sees a handful of arrays instead of several objects per record, which
 * it would otherwise copy from young generation to old for as long as the table lives. Version
 * nodes with large values are carved from chunks of their own, so the key nodes lie close
 * together whatever the values' size. Layouts, from 8-aligned addresses:
 *
 * <pre>
 *   key node:      +0 int key length   +4 byte height   (3 bytes padding)
 *                  +8 long newest version (published with release, read with acquire)
 *                  +16 long the lowest sequence in the chain
 *                  +24 key bytes, padded to 8
 *                      long next[height]   (the skip list's links; release / acquire)
 *   version node:  +0 long sequence
 *                  +8 long older version (0: none; release / acquire)
 *                  +16 byte kind   +17 byte flags   (2 bytes padding)   +20 int value length (-1: none)
 *                  +24 long epoch, long counter   only if flags has VERSIONED
 *                      long millis                only if flags has TIMED
 *                      value bytes
 * </pre>
 *
 * A version node stores the version and the instant only where they say something: the engine
 * stamps its own writes with epoch 0 and the sequence as counter, and a put without a TTL has
 * millis 0, so most nodes have a 24-byte header where a fixed layout would take 48. With the
 * index filled to 3/4 (below), a 64 MiB table of 100-byte values holds about a sixth more records
 * before it is flushed (bench storage's main phase: 6 flushes where it took 7).
 *
 * An address is {@code chunk << 32 | offset}; 0 is no node. The writer fills a node, then
 * publishes it with a release store (a key node bottom level first, so a reader that reaches it
 * through a link sees all of it at every level below). Nodes never move and are never freed: the
 * table is dropped whole after its flush.
 *
 * <p>Beside the skip list, an open-addressing hash index holds each key's key node. A point read
 * asks it first: a key the table does not hold is answered by one probe instead of a descent
 * (most reads, once the data outgrows the memtable), and one it holds by walking its chain to the
 * newest version in the reader's snapshot. A seek past all versions of a key (a scan stepping over
 * a key written many times) reads the key node's lowest sequence and goes to the next key at once.
 * A record is reachable before {@link #add} returns, so before the store makes its sequence
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
    /** Version nodes larger than this (header and value) are carved from {@link #versionNodes}. */
    private static final int MAX_INLINE_VERSION = 256;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);

    // key node
    private static final int KEY_LENGTH = 0;
    private static final int HEIGHT = 4;
    private static final int NEWEST = 8;
    private static final int OLDEST = 16;
    private static final int KEY = 24;
    // version node
    private static final int SEQUENCE = 0;
    private static final int OLDER = 8;
    private static final int KIND = 16;
    private static final int FLAGS = 17;
    private static final int VALUE_LENGTH = 20;
    private static final int EXTRAS = 24;
    /** Flag: the node stores its epoch and counter (else epoch 0, counter = sequence). */
    private static final byte VERSIONED = 1;
    /** Flag: the node stores its millis (else 0). */
    private static final byte TIMED = 2;

    private final long walNumber;

    /**
     * The arena's chunks; replaced by a longer copy when one is added (readers re-read it per
     * node). Chunk 0 is never used, so no node has address 0.
     */
    private volatile byte[][] chunks = new byte[4][];
    private int chunkCount = 1;
    /** Where key nodes and small version nodes are carved from (see {@link ChunkRun}). */
    private final ChunkRun keyNodes = new ChunkRun();
    /** Where large version nodes (and their values) are carved from. */
    private final ChunkRun versionNodes = new ChunkRun();

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

    /**
     * Adds one version; one writer at a time (see above). A version of a key the table holds goes
     * into its key's chain, which the hash index finds; only a new key descends the skip list.
     */
    public void add(Record record) {
        byte[] key = record.key();
        long sequence = record.sequence();
        byte[] value = record.isDelete() ? null : record.value();
        byte flags = (byte) ((record.epoch() != 0 || record.counter() != sequence ? VERSIONED : 0)
                | (record.millis() != 0 ? TIMED : 0));
        int valueAt = valueOffset(flags);
        int versionSize = align(valueAt + (value == null ? 0 : value.length));
        // a small version node goes just before its key node (a scan reads both); a large one elsewhere
        long version = allocate(versionSize > MAX_INLINE_VERSION ? versionNodes : keyNodes, versionSize);
        byte[] vc = chunk(version);
        int v = (int) version;
        LONGS.set(vc, v + SEQUENCE, sequence);
        vc[v + KIND] = record.kind();
        vc[v + FLAGS] = flags;
        INTS.set(vc, v + VALUE_LENGTH, value == null ? -1 : value.length);
        if ((flags & VERSIONED) != 0) {
            LONGS.set(vc, v + EXTRAS, record.epoch());
            LONGS.set(vc, v + EXTRAS + 8, record.counter());
        }
        if ((flags & TIMED) != 0) {
            LONGS.set(vc, v + millisOffset(flags), record.millis());
        }
        if (value != null) {
            System.arraycopy(value, 0, vc, v + valueAt, value.length);
        }
        long keyNode = lookup(key);
        long added = versionSize;
        if (keyNode != 0) {
            chain(keyNode, version, sequence);
        } else {
            added += insertKey(key, version);
        }
        size = size + 1;
        approximateBytes = approximateBytes + added;
        if (!record.isDelete() && record.expiresAtMillis() != Entry.NO_EXPIRY) {
            earliestExpiry.accumulateAndGet(record.expiresAtMillis(), Math::min);
        }
    }

    /**
     * Puts {@code version} into the chain of {@code keyNode}: first, unless a version with a
     * higher sequence is there (the store adds a key's versions in sequence order, so that is
     * never seen in practice), then after the last of those.
     */
    private void chain(long keyNode, long version, long sequence) {
        byte[] kc = chunk(keyNode);
        int k = (int) keyNode;
        long newest = newest(keyNode);
        if (sequence(newest) <= sequence) {
            LONGS.set(chunk(version), (int) version + OLDER, newest);
            LONGS.setRelease(kc, k + NEWEST, version);
            return;
        }
        long before = newest;
        for (long o = older(before); o != 0 && sequence(o) > sequence; o = older(before)) {
            before = o;
        }
        LONGS.set(chunk(version), (int) version + OLDER, older(before));
        LONGS.setRelease(chunk(before), (int) before + OLDER, version);
        if (sequence < oldest(keyNode)) {
            LONGS.setRelease(kc, k + OLDEST, sequence);
        }
    }

    /** Links a key node for {@code key}, whose only version is {@code version}, into the skip list; returns its size. */
    private int insertKey(byte[] key, long version) {
        descend(key, splice);
        int height = randomHeight();
        int linksAt = KEY + align(key.length);
        int nodeSize = linksAt + 8 * height;
        long node = allocate(keyNodes, nodeSize);
        byte[] c = chunk(node);
        int at = (int) node;
        INTS.set(c, at + KEY_LENGTH, key.length);
        c[at + HEIGHT] = (byte) height;
        LONGS.set(c, at + NEWEST, version);
        LONGS.set(c, at + OLDEST, sequence(version));
        System.arraycopy(key, 0, c, at + KEY, key.length);
        for (int level = 0; level < height; level++) {
            LONGS.set(c, at + linksAt + 8 * level, link(splice[level], level));
        }
        for (int level = 0; level < height; level++) { // bottom first: a node reachable at a level is at every level below
            setLink(splice[level], level, node);
        }
        index(key, node);
        return nodeSize;
    }

    /** The newest version of {@code key} with a sequence at most {@code maxSequence}, or null. */
    public Record get(byte[] key, long maxSequence) {
        long keyNode = lookup(key);
        if (keyNode == 0) {
            return null;
        }
        long v = notAfter(newest(keyNode), maxSequence);
        return v == 0 ? null : record(keyNode, v);
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
        for (long k = link(0, 0); k != 0; k = link(k, 0)) {
            for (long x = newest(k); x != 0; x = older(x)) {
                byte[] c = chunk(x);
                int at = (int) x;
                long millis = millis(c, at);
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
        }
        // unless an add lowered it meanwhile; a put added during the walk and not seen may be
        // swept late, which only delays its tombstone (readers treat it as absent anyway)
        earliestExpiry.compareAndSet(before, next);
        return swept;
    }

    public RecordIterator iterator() {
        return new RecordIterator() {
            /** The key node of the current record, and its version node (0: past the end). */
            private long keyNode;
            private long version;
            private Record current;

            @Override
            public void seek(byte[] key, long sequence) {
                keyNode = descend(key, null);
                version = 0;
                if (keyNode != 0 && sameKey(keyNode, key)) {
                    // past all of the key's versions: the next key, without walking its chain
                    version = sequence < oldest(keyNode) ? 0 : notAfter(newest(keyNode), sequence);
                    if (version == 0) {
                        keyNode = link(keyNode, 0);
                    }
                }
                if (version == 0 && keyNode != 0) {
                    version = newest(keyNode);
                }
                current = null;
            }

            @Override
            public void seekToFirst() {
                keyNode = link(0, 0);
                version = keyNode == 0 ? 0 : newest(keyNode);
                current = null;
            }

            @Override
            public boolean valid() {
                return version != 0;
            }

            @Override
            public Record current() {
                if (current == null && version != 0) {
                    current = record(keyNode, version);
                }
                return current;
            }

            @Override
            public void next() {
                version = older(version);
                if (version == 0) {
                    keyNode = link(keyNode, 0);
                    version = keyNode == 0 ? 0 : newest(keyNode);
                }
                current = null;
            }
        };
    }

    // ---- the skip list of keys, and the chains of versions

    /**
     * The first key node whose key is not before {@code key}, or 0; with {@code predecessors}
     * (the writer's), also the last node before it at each level (0: the head).
     */
    private long descend(byte[] key, long[] predecessors) {
        long x = 0;
        long next = 0;
        for (int level = MAX_HEIGHT - 1; level >= 0; level--) {
            next = link(x, level);
            while (next != 0 && compareKey(next, key) < 0) {
                x = next;
                next = link(x, level);
            }
            if (predecessors != null) {
                predecessors[level] = x;
            }
        }
        return next;
    }

    /** Key node {@code x}'s link at {@code level} (x = 0: the head's). */
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

    /** Key node {@code x}'s key against {@code key}, unsigned. */
    private int compareKey(long x, byte[] key) {
        byte[] c = chunk(x);
        int at = (int) x + KEY;
        return Arrays.compareUnsigned(c, at, at + (int) INTS.get(c, (int) x + KEY_LENGTH), key, 0, key.length);
    }

    private boolean sameKey(long x, byte[] key) {
        byte[] c = chunk(x);
        int at = (int) x + KEY;
        return Arrays.equals(c, at, at + (int) INTS.get(c, (int) x + KEY_LENGTH), key, 0, key.length);
    }

    /** Key node {@code x}'s newest version node (never 0: a key node is linked with one). */
    private long newest(long x) {
        return (long) LONGS.getAcquire(chunk(x), (int) x + NEWEST);
    }

    /** The lowest sequence of key node {@code x}'s versions. */
    private long oldest(long x) {
        return (long) LONGS.getAcquire(chunk(x), (int) x + OLDEST);
    }

    /** The version node older than version node {@code v} of the same key, or 0. */
    private long older(long v) {
        return (long) LONGS.getAcquire(chunk(v), (int) v + OLDER);
    }

    private long sequence(long v) {
        return (long) LONGS.get(chunk(v), (int) v + SEQUENCE);
    }

    /** The first version from {@code v} on, down its chain, with a sequence at most {@code maxSequence}, or 0. */
    private long notAfter(long v, long maxSequence) {
        while (v != 0 && sequence(v) > maxSequence) {
            v = older(v);
        }
        return v;
    }

    /** Version {@code v} of key node {@code k} as a record with a key array of its own; a put's value is copied out of the arena when first read. */
    private Record record(long k, long v) {
        byte[] kc = chunk(k);
        int kAt = (int) k;
        byte[] key = Arrays.copyOfRange(kc, kAt + KEY, kAt + KEY + (int) INTS.get(kc, kAt + KEY_LENGTH));
        byte[] c = chunk(v);
        int at = (int) v;
        long sequence = (long) LONGS.get(c, at + SEQUENCE);
        byte flags = c[at + FLAGS];
        boolean versioned = (flags & VERSIONED) != 0;
        long epoch = versioned ? (long) LONGS.get(c, at + EXTRAS) : 0;
        long counter = versioned ? (long) LONGS.get(c, at + EXTRAS + 8) : sequence;
        long millis = millis(c, at);
        return c[at + KIND] == Record.PUT
                ? Record.decodedPut(key, sequence, epoch, counter, millis, c, at + valueOffset(flags),
                        (int) INTS.get(c, at + VALUE_LENGTH))
                : Record.decoded(Record.DELETE, key, sequence, epoch, counter, millis, null);
    }

    /** Version node {@code at}'s millis: stored if its flags say so, else 0. */
    private static long millis(byte[] c, int at) {
        byte flags = c[at + FLAGS];
        return (flags & TIMED) != 0 ? (long) LONGS.get(c, at + millisOffset(flags)) : 0;
    }

    /** Where a version node with {@code flags} stores its millis. */
    private static int millisOffset(byte flags) {
        return EXTRAS + ((flags & VERSIONED) != 0 ? 16 : 0);
    }

    /** Where a version node with {@code flags} stores its value: after the header and what the flags say is stored. */
    private static int valueOffset(byte flags) {
        return millisOffset(flags) + ((flags & TIMED) != 0 ? 8 : 0);
    }

    /** Where key node {@code at}'s links start: after its key, padded to 8. */
    private static int links(byte[] c, int at) {
        return at + KEY + align((int) INTS.get(c, at + KEY_LENGTH));
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

    /**
     * A run of chunks that nodes are carved from in turn. Key nodes, and version nodes of up to
     * {@link #MAX_INLINE_VERSION} bytes, come from one; larger version nodes from another. A
     * descent of the skip list compares keys node after node: with each key node right after a
     * version node holding a 1 KB value, every comparison was a cache miss of its own, a third of
     * a 1 KB load's time; apart from the values, the key nodes of a 64 MiB table of 1 KB values
     * take about 4 MB. A small version node stays next to its key node, where an iterator, which
     * reads both, finds them in neighbouring cache lines: with every version node apart, scans of
     * 100-byte values slowed by about a sixth.
     */
    private static final class ChunkRun {
        int chunk = -1;
        int offset;
        int nextChunkSize = FIRST_CHUNK;
    }

    /** An 8-aligned address for {@code n} bytes from {@code run} (never 0: chunk 0 is not used). */
    private long allocate(ChunkRun run, int n) {
        if (n > MAX_CHUNK / 4) { // a large record gets a chunk of its own; small ones keep filling the current one
            return ((long) addChunk(n) << 32);
        }
        if (run.chunk < 0 || run.offset + n > chunks[run.chunk].length) {
            int chunkSize = Math.max(n, run.nextChunkSize);
            run.nextChunkSize = Math.min(MAX_CHUNK, run.nextChunkSize * 2);
            run.chunk = addChunk(chunkSize);
            run.offset = 0;
        }
        long address = ((long) run.chunk << 32) | run.offset;
        run.offset += n;
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

    /**
     * Open addressing, linear probing; a slot once filled keeps its key node. Up to three quarters
     * full: a probe compares the stored hashes (one int array, read in order) before it reads a
     * node, so longer runs cost little, and the index (12 bytes a slot, counted in the table's
     * size) grows at 3/4 of its slots rather than at half, where its doubling alone could fill a
     * 64 MiB table's last tenth.
     */
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

    /** The key node of {@code key}, or 0. */
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

    /** Indexes the key node of a key the table did not hold. */
    private void index(byte[] key, long node) {
        Index ix = index;
        int h = hash(key);
        for (int i = h & ix.mask; ; i = (i + 1) & ix.mask) {
            long x = ix.slots[i];
            if (x == 0) {
                ix.hashes[i] = h;
                SLOTS.setRelease(ix.slots, i, node);
                if (++indexed * 4 > ix.slots.length * 3) { // at most three quarters full
                    grow();
                }
                return;
            }
            if (ix.hashes[i] == h && sameKey(x, key)) {
                throw new IllegalStateException("key indexed twice"); // add looks the key up first
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
