package dev.cairn.storage.memory;

import dev.cairn.api.ByteStrings;
import dev.cairn.api.DecimalCounter;
import dev.cairn.api.Entry;
import dev.cairn.api.Expected;
import dev.cairn.api.KeyRange;
import dev.cairn.api.KeyValue;
import dev.cairn.api.ReadOptions;
import dev.cairn.api.RemainingTtl;
import dev.cairn.api.Store;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.StoreFullException;
import dev.cairn.api.StoreLimits;
import dev.cairn.api.WriteOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The memory-only store: a {@link ConcurrentSkipListMap} of entries for ordered scans and a hash
 * index beside it for point reads. No files.
 *
 * <h2>Concurrency</h2>
 * Reads take no lock: they look the key up in the index, hide expired entries and record the
 * access in the entry's node (a racy counter is fine for eviction statistics). A write holds the
 * lock of its key's stripe (one of 64), which makes conditional writes atomic per key while
 * writes to other keys proceed in parallel. The entry and byte counts are atomic counters; the
 * array eviction samples from has a lock of its own, held only to add, remove or draw a slot. A
 * batch ({@code putAll}) holds the stripes of all its keys, taken in stripe order.
 *
 * <h2>Bounds and eviction</h2>
 * After a write that leaves the store above {@code maxEntries} or {@code maxBytes}, victims are
 * chosen by sampling ({@link EvictionPolicy}) until it fits again; the entry just written is never
 * its own victim, and a victim whose stripe another writer holds is passed over for another
 * sample. With concurrent writers the bound can be passed by a few entries for a moment. With
 * {@link EvictionPolicy#NONE} a write reserves its entry and bytes against the bounds before it
 * changes anything and is refused with {@link StoreFullException} if they would be exceeded, so
 * that bound is exact.
 *
 * <h2>Expiry</h2>
 * Expired entries are invisible at once; their memory is reclaimed by writes (every write samples
 * a few slots and removes the expired ones it finds, as Redis's active expiry does) and by
 * eviction, which always takes an expired entry first. There is no background thread.
 */
public final class MemoryStore implements Store {
    private static final int SAMPLE = 16;
    private static final int EXPIRY_PROBES = 4;
    private static final long ENTRY_OVERHEAD = 64;
    private static final int STRIPES = 64;

    /** A byte-string key for the hash index: content equality, hash computed once. */
    private static final class Key {
        final byte[] bytes;
        final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = java.util.Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && java.util.Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** One stored entry plus what eviction needs to know about it. */
    private static final class Node {
        final Entry entry;
        int slot; // index in slots; guarded by slotsLock
        volatile long lastAccess;
        volatile int frequency;

        Node(Entry entry, long tick) {
            this.entry = entry;
            this.lastAccess = tick;
            this.frequency = 1;
        }

        long bytes() {
            return entry.key().length + entry.value().length + ENTRY_OVERHEAD;
        }
    }

    private final MemoryStoreOptions options;
    private final ConcurrentSkipListMap<byte[], Node> map = new ConcurrentSkipListMap<>(ByteStrings.ORDER);
    private final java.util.concurrent.ConcurrentHashMap<Key, Node> index = new java.util.concurrent.ConcurrentHashMap<>();
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final Object slotsLock = new Object();
    private final ArrayList<Node> slots = new ArrayList<>(); // guarded by slotsLock
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong versions = new AtomicLong();
    private final AtomicLong ticks = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private volatile boolean closed;

    public MemoryStore(MemoryStoreOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    public MemoryStore() {
        this(MemoryStoreOptions.defaults());
    }

    @Override
    public StoreLimits limits() {
        return options.limits();
    }

    @Override
    public Clock clock() {
        return options.clock();
    }

    /** Live and not-yet-reclaimed expired entries. */
    public long entryCount() {
        return entries.get();
    }

    /** Bytes accounted for the stored entries (keys + values + a fixed overhead each). */
    public long byteCount() {
        return bytes.get();
    }

    /** Entries evicted to respect the bounds so far. */
    public long evictionCount() {
        return evictions.get();
    }

    private static int stripeIndex(byte[] key) {
        int h = java.util.Arrays.hashCode(key);
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    private ReentrantLock stripe(byte[] key) {
        return stripes[stripeIndex(key)];
    }

    /** Runs body holding key's stripe, after checking the store is open. */
    private <T> T locked(byte[] key, java.util.function.Supplier<T> body) {
        ReentrantLock lock = stripe(key);
        lock.lock();
        try {
            checkOpen();
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ reads

    private Entry live(byte[] key, boolean touch) {
        Node n = index.get(new Key(key));
        if (n == null || n.entry.isExpiredAt(options.clock().millis())) {
            return null;
        }
        if (touch) {
            n.lastAccess = ticks.incrementAndGet();
            n.frequency++;
        }
        return n.entry;
    }

    private static Entry copy(Entry e) {
        return new Entry(e.key().clone(), e.value().clone(), e.version(), e.expiresAtMillis());
    }

    /** The entry returned holds the caller's key array and a copy of the value. */
    @Override
    public Optional<Entry> get(byte[] key, ReadOptions options) {
        checkRead(options);
        limits().checkKey(key);
        Entry e;
        if (options.includeExpired()) {
            Node n = index.get(new Key(key));
            e = n == null ? null : n.entry;
        } else {
            e = live(key, true);
        }
        return e == null ? Optional.empty() : Optional.of(new Entry(key, e.value().clone(), e.version(), e.expiresAtMillis()));
    }

    @Override
    public boolean exists(byte[] key, ReadOptions options) {
        checkRead(options);
        return live(limits().checkKey(key), false) != null;
    }

    @Override
    public RemainingTtl remainingTtl(byte[] key, ReadOptions options) {
        checkRead(options);
        long now = this.options.clock().millis();
        Node n = index.get(new Key(limits().checkKey(key)));
        return n == null || n.entry.isExpiredAt(now) ? RemainingTtl.missing() : RemainingTtl.of(n.entry, now);
    }

    @Override
    public List<Optional<Entry>> getAll(List<byte[]> keys, ReadOptions options) {
        checkRead(options);
        keys.forEach(limits()::checkKey);
        List<Optional<Entry>> out = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            Entry e = live(key, true);
            out.add(e == null ? Optional.empty() : Optional.of(copy(e)));
        }
        return out;
    }

    /**
     * Up to {@code limit} live entries of the range in key order. Reads the concurrent map without
     * a lock, so a scan concurrent with writes sees each key either before or after its write; a
     * scan under {@code putAll} may see part of the batch.
     */
    @Override
    public List<Entry> scan(KeyRange range, int limit, ReadOptions options) {
        checkRead(options);
        Objects.requireNonNull(range, "range");
        if (limit < 1) {
            throw new IllegalArgumentException("scan limit must be at least 1: " + limit);
        }
        List<Entry> out = new ArrayList<>();
        if (range.isEmpty()) {
            return out;
        }
        long now = this.options.clock().millis();
        ConcurrentNavigableMap<byte[], Node> view = map;
        if (range.start() != null) {
            view = view.tailMap(range.start(), true);
        }
        if (range.end() != null) {
            view = view.headMap(range.end(), false);
        }
        for (Node n : view.values()) {
            if (!n.entry.isExpiredAt(now)) {
                out.add(copy(n.entry));
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ writes

    @Override
    public Entry put(byte[] key, byte[] value, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        limits().checkValue(value);
        return locked(key, () -> write(key, value, options.expiresAtMillis(now()), false));
    }

    @Override
    public boolean delete(byte[] key, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        return locked(key, () -> {
            Entry current = live(key, false);
            remove(key);
            return current != null;
        });
    }

    @Override
    public Optional<Entry> compareAndSet(byte[] key, Expected expected, byte[] value, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        limits().checkValue(value);
        Objects.requireNonNull(expected, "expected");
        return locked(key, () -> expected.matches(live(key, false))
                ? Optional.of(write(key, value, options.expiresAtMillis(now()), false))
                : Optional.empty());
    }

    @Override
    public boolean compareAndDelete(byte[] key, Expected expected, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        Objects.requireNonNull(expected, "expected");
        return locked(key, () -> {
            Entry current = live(key, false);
            if (current == null || !expected.matches(current)) {
                return false;
            }
            remove(key);
            return true;
        });
    }

    @Override
    public long increment(byte[] key, long delta, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        return locked(key, () -> {
            Entry current = live(key, false);
            long next = DecimalCounter.add(current == null ? 0 : DecimalCounter.parse(key, current.value()), delta);
            long expiresAt = options.hasExpiry() || current == null
                    ? options.expiresAtMillis(now())
                    : current.expiresAtMillis();
            write(key, DecimalCounter.encode(next), expiresAt, false);
            return next;
        });
    }

    @Override
    public boolean expireAt(byte[] key, long expiresAtMillis, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        if (expiresAtMillis <= 0) {
            throw new IllegalArgumentException("expiry instant must be positive: " + expiresAtMillis);
        }
        return locked(key, () -> {
            Entry current = live(key, false);
            if (current == null) {
                return false;
            }
            if (Entry.isExpired(expiresAtMillis, now())) {
                remove(key);
            } else {
                write(key, current.value(), expiresAtMillis, false);
            }
            return true;
        });
    }

    @Override
    public boolean persist(byte[] key, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        return locked(key, () -> {
            Entry current = live(key, false);
            if (current == null || current.expiresAtMillis() == Entry.NO_EXPIRY) {
                return false;
            }
            write(key, current.value(), Entry.NO_EXPIRY, false);
            return true;
        });
    }

    /**
     * Atomic per key; under the {@code NONE} policy the whole batch is checked against the bounds
     * before any of it is written. Holds the stripes of all its keys while it writes.
     */
    @Override
    public void putAll(List<KeyValue> entries, WriteOptions options) {
        checkWrite(options);
        for (KeyValue kv : entries) {
            limits().checkKey(kv.key());
            limits().checkValue(kv.value());
        }
        java.util.TreeSet<Integer> ids = new java.util.TreeSet<>();
        for (KeyValue kv : entries) {
            ids.add(stripeIndex(kv.key()));
        }
        List<ReentrantLock> held = new ArrayList<>();
        try {
            for (int id : ids) {
                stripes[id].lock();
                held.add(stripes[id]);
            }
            checkOpen();
            boolean reserved = false;
            if (this.options.eviction() == EvictionPolicy.NONE) {
                long addedEntries = 0;
                long addedBytes = 0;
                for (Map.Entry<byte[], byte[]> e : lastOf(entries).entrySet()) {
                    Node old = index.get(new Key(e.getKey()));
                    addedEntries += old == null ? 1 : 0;
                    addedBytes += e.getKey().length + e.getValue().length + ENTRY_OVERHEAD - (old == null ? 0 : old.bytes());
                }
                reserve(addedEntries, addedBytes);
                reserved = true;
            }
            long expiresAt = options.expiresAtMillis(now());
            for (Map.Entry<byte[], byte[]> e : lastOf(entries).entrySet()) {
                write(e.getKey(), e.getValue(), expiresAt, reserved);
            }
        } finally {
            for (int i = held.size() - 1; i >= 0; i--) {
                held.get(i).unlock();
            }
        }
    }

    /** The batch with one value per key: the last one given. */
    private static java.util.TreeMap<byte[], byte[]> lastOf(List<KeyValue> batch) {
        java.util.TreeMap<byte[], byte[]> last = new java.util.TreeMap<>(ByteStrings.ORDER);
        batch.forEach(kv -> last.put(kv.key(), kv.value()));
        return last;
    }

    @Override
    public int deleteAll(Collection<byte[]> keys, WriteOptions options) {
        checkWrite(options);
        keys.forEach(limits()::checkKey);
        int removed = 0;
        for (byte[] key : keys) {
            if (locked(key, () -> {
                boolean wasLive = live(key, false) != null;
                remove(key);
                return wasLive;
            })) {
                removed++;
            }
        }
        return removed;
    }

    // ------------------------------------------------------------------ bookkeeping (key's stripe held)

    /**
     * Takes entries and bytes against the bounds, or refuses (changing nothing) when they would be
     * exceeded. Compare-and-set loops, so the counters never show more than the bounds allow.
     */
    private void reserve(long addedEntries, long addedBytes) {
        if (!tryAdd(entries, addedEntries, options.maxEntries())) {
            throw full();
        }
        if (!tryAdd(bytes, addedBytes, options.maxBytes())) {
            entries.addAndGet(-addedEntries);
            throw full();
        }
    }

    private static boolean tryAdd(AtomicLong counter, long delta, long max) {
        while (true) {
            long current = counter.get();
            long next = current + delta;
            if (delta > 0 && next > max) {
                return false;
            }
            if (counter.compareAndSet(current, next)) {
                return true;
            }
        }
    }

    private StoreFullException full() {
        return new StoreFullException("memory store is full (" + entries.get() + " of " + options.maxEntries()
                + " entries, " + bytes.get() + " of " + options.maxBytes() + " bytes) and its eviction policy is NONE");
    }

    /**
     * Writes under the key's stripe. {@code reserved}: the batch already took the entry and bytes
     * against the bounds.
     */
    private Entry write(byte[] key, byte[] value, long expiresAtMillis, boolean reserved) {
        Node old = index.get(new Key(key));
        long newBytes = key.length + value.length + ENTRY_OVERHEAD;
        long addedEntries = old == null ? 1 : 0;
        long addedBytes = newBytes - (old == null ? 0 : old.bytes());
        if (!reserved) {
            if (options.eviction() == EvictionPolicy.NONE) {
                reserve(addedEntries, addedBytes);
            } else {
                entries.addAndGet(addedEntries);
                bytes.addAndGet(addedBytes);
            }
        }
        Entry entry = new Entry(key.clone(), value.clone(), versions.incrementAndGet(), expiresAtMillis);
        Node node = new Node(entry, ticks.incrementAndGet());
        synchronized (slotsLock) {
            if (old != null) {
                node.slot = old.slot;
                node.frequency = old.frequency + 1;
                slots.set(old.slot, node);
            } else {
                node.slot = slots.size();
                slots.add(node);
            }
        }
        map.put(entry.key(), node);
        index.put(new Key(entry.key()), node);
        reclaimExpired(node);
        evictUntilWithinBounds(node);
        return copy(entry);
    }

    /** Removes key's entry; the key's stripe is held. */
    private void remove(byte[] key) {
        Node n = index.remove(new Key(key));
        if (n == null) {
            return;
        }
        map.remove(key, n);
        synchronized (slotsLock) {
            Node last = slots.remove(slots.size() - 1);
            if (last != n) {
                last.slot = n.slot;
                slots.set(n.slot, last);
            }
        }
        entries.decrementAndGet();
        bytes.addAndGet(-n.bytes());
    }

    /** Removes {@code victim} if its stripe is free (or ours) and it is still current; true if it did. */
    private boolean removeIfCurrent(Node victim) {
        byte[] key = victim.entry.key();
        ReentrantLock lock = stripe(key);
        if (!lock.tryLock()) {
            return false;
        }
        try {
            if (index.get(new Key(key)) != victim) {
                return false;
            }
            remove(key);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private Node randomSlot(ThreadLocalRandom rnd) {
        synchronized (slotsLock) {
            return slots.isEmpty() ? null : slots.get(rnd.nextInt(slots.size()));
        }
    }

    /** Active expiry: probe a few random slots and drop expired entries. */
    private void reclaimExpired(Node keep) {
        long now = now();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < EXPIRY_PROBES; i++) {
            Node n = randomSlot(rnd);
            if (n != null && n != keep && n.entry.isExpiredAt(now)) {
                removeIfCurrent(n);
            }
        }
    }

    private void evictUntilWithinBounds(Node keep) {
        if (options.eviction() == EvictionPolicy.NONE) {
            return;
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        long now = now();
        int misses = 0;
        while ((entries.get() > options.maxEntries() || bytes.get() > options.maxBytes()) && entries.get() > 1
                && misses < 64) {
            Node victim = null;
            for (int i = 0; i < SAMPLE; i++) {
                Node n = randomSlot(rnd);
                if (n == null || n == keep) {
                    continue;
                }
                if (n.entry.isExpiredAt(now)) {
                    victim = n;
                    break;
                }
                if (victim == null || better(n, victim)) {
                    victim = n;
                }
            }
            if (victim == null || !removeIfCurrent(victim)) {
                misses++;
                continue;
            }
            long evicted = evictions.incrementAndGet();
            if (options.eviction() == EvictionPolicy.LFU && evicted % 1024 == 0) {
                synchronized (slotsLock) {
                    for (Node n : slots) {
                        n.frequency >>>= 1; // decay, so old popularity fades
                    }
                }
            }
        }
    }

    private boolean better(Node candidate, Node current) {
        return switch (options.eviction()) {
            case LRU -> candidate.lastAccess < current.lastAccess;
            case LFU -> candidate.frequency < current.frequency
                    || (candidate.frequency == current.frequency && candidate.lastAccess < current.lastAccess);
            default -> false;
        };
    }

    private long now() {
        return options.clock().millis();
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreClosedException("memory");
        }
    }

    private void checkRead(ReadOptions options) {
        checkOpen();
        options.consistency().requireSatisfiedBy(1, 1);
    }

    private void checkWrite(WriteOptions options) {
        checkOpen();
        options.consistency().requireSatisfiedBy(1, 1);
    }

    /** Drops every entry once the writes in progress end. Idempotent. */
    @Override
    public void close() {
        for (ReentrantLock lock : stripes) {
            lock.lock();
        }
        try {
            closed = true;
            map.clear();
            index.clear();
            synchronized (slotsLock) {
                slots.clear();
            }
            entries.set(0);
            bytes.set(0);
        } finally {
            for (ReentrantLock lock : stripes) {
                lock.unlock();
            }
        }
    }
}
