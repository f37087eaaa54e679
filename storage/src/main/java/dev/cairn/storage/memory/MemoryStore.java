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
 * The memory-only store: a {@link ConcurrentSkipListMap} of entries, no files.
 *
 * <h2>Concurrency</h2>
 * Reads take no lock: they look the key up in the map, hide expired entries and record the access
 * in the entry's node (a racy counter is fine for eviction statistics). Writes, including the
 * conditional ones, run under one lock, which makes them atomic and keeps the bookkeeping (byte
 * count, the slot array used for sampling) exact.
 *
 * <h2>Bounds and eviction</h2>
 * After a write that leaves the store above {@code maxEntries} or {@code maxBytes}, victims are
 * chosen by sampling ({@link EvictionPolicy}) until it fits again; the entry just written is
 * never its own victim. With {@link EvictionPolicy#NONE} a write that would exceed a bound is
 * refused with {@link StoreFullException} before anything changes.
 *
 * <h2>Expiry</h2>
 * Expired entries are invisible at once; their memory is reclaimed by writes (every write
 * samples a few slots and removes the expired ones it finds, as Redis's active expiry does) and by
 * eviction, which always takes an expired entry first. There is no background thread.
 */
public final class MemoryStore implements Store {
    private static final int SAMPLE = 16;
    private static final int EXPIRY_PROBES = 4;
    private static final long ENTRY_OVERHEAD = 64;

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
        int slot; // index in slots; guarded by the write lock
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
    /** The same nodes by hash, for O(1) point reads; the skip list serves ordered scans. */
    private final java.util.concurrent.ConcurrentHashMap<Key, Node> index = new java.util.concurrent.ConcurrentHashMap<>();
    private final ArrayList<Node> slots = new ArrayList<>();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicLong ticks = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private long bytes; // guarded by writeLock
    private long lastVersion; // guarded by writeLock
    private volatile boolean closed;

    public MemoryStore(MemoryStoreOptions options) {
        this.options = Objects.requireNonNull(options, "options");
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
        return map.size();
    }

    /** Bytes accounted for the stored entries (keys + values + a fixed overhead each). */
    public long byteCount() {
        writeLock.lock();
        try {
            return bytes;
        } finally {
            writeLock.unlock();
        }
    }

    /** Entries evicted to respect the bounds so far. */
    public long evictionCount() {
        return evictions.get();
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
        writeLock.lock();
        try {
            checkOpen();
            return write(key, value, options.expiresAtMillis(now()));
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public boolean delete(byte[] key, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        writeLock.lock();
        try {
            checkOpen();
            Entry current = live(key, false);
            remove(key);
            return current != null;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public Optional<Entry> compareAndSet(byte[] key, Expected expected, byte[] value, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        limits().checkValue(value);
        Objects.requireNonNull(expected, "expected");
        writeLock.lock();
        try {
            checkOpen();
            if (!expected.matches(live(key, false))) {
                return Optional.empty();
            }
            return Optional.of(write(key, value, options.expiresAtMillis(now())));
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public boolean compareAndDelete(byte[] key, Expected expected, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        Objects.requireNonNull(expected, "expected");
        writeLock.lock();
        try {
            checkOpen();
            Entry current = live(key, false);
            if (current == null || !expected.matches(current)) {
                return false;
            }
            remove(key);
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public long increment(byte[] key, long delta, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        writeLock.lock();
        try {
            checkOpen();
            Entry current = live(key, false);
            long next = DecimalCounter.add(current == null ? 0 : DecimalCounter.parse(key, current.value()), delta);
            long expiresAt = options.hasExpiry() || current == null
                    ? options.expiresAtMillis(now())
                    : current.expiresAtMillis();
            write(key, DecimalCounter.encode(next), expiresAt);
            return next;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public boolean expireAt(byte[] key, long expiresAtMillis, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        if (expiresAtMillis <= 0) {
            throw new IllegalArgumentException("expiry instant must be positive: " + expiresAtMillis);
        }
        writeLock.lock();
        try {
            checkOpen();
            Entry current = live(key, false);
            if (current == null) {
                return false;
            }
            if (Entry.isExpired(expiresAtMillis, now())) {
                remove(key);
            } else {
                write(key, current.value(), expiresAtMillis);
            }
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public boolean persist(byte[] key, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        writeLock.lock();
        try {
            checkOpen();
            Entry current = live(key, false);
            if (current == null || current.expiresAtMillis() == Entry.NO_EXPIRY) {
                return false;
            }
            write(key, current.value(), Entry.NO_EXPIRY);
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    /** Atomic: the whole batch is checked (including against the bounds under NONE) before any of it is written. */
    @Override
    public void putAll(List<KeyValue> entries, WriteOptions options) {
        checkWrite(options);
        for (KeyValue kv : entries) {
            limits().checkKey(kv.key());
            limits().checkValue(kv.value());
        }
        writeLock.lock();
        try {
            checkOpen();
            if (this.options.eviction() == EvictionPolicy.NONE) {
                long addedEntries = 0;
                long addedBytes = 0;
                java.util.TreeMap<byte[], byte[]> last = new java.util.TreeMap<>(ByteStrings.ORDER);
                entries.forEach(kv -> last.put(kv.key(), kv.value()));
                for (Map.Entry<byte[], byte[]> e : last.entrySet()) {
                    Node old = index.get(new Key(e.getKey()));
                    addedEntries += old == null ? 1 : 0;
                    addedBytes += e.getKey().length + e.getValue().length + ENTRY_OVERHEAD - (old == null ? 0 : old.bytes());
                }
                refuseIfFull(addedEntries, addedBytes);
            }
            long expiresAt = options.expiresAtMillis(now());
            for (KeyValue kv : entries) {
                write(kv.key(), kv.value(), expiresAt);
            }
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public int deleteAll(Collection<byte[]> keys, WriteOptions options) {
        checkWrite(options);
        keys.forEach(limits()::checkKey);
        writeLock.lock();
        try {
            checkOpen();
            int removed = 0;
            for (byte[] key : keys) {
                if (live(key, false) != null) {
                    removed++;
                }
                remove(key);
            }
            return removed;
        } finally {
            writeLock.unlock();
        }
    }

    // ------------------------------------------------------------------ bookkeeping (write lock held)

    private Entry write(byte[] key, byte[] value, long expiresAtMillis) {
        Node old = index.get(new Key(key));
        long newBytes = key.length + value.length + ENTRY_OVERHEAD;
        if (options.eviction() == EvictionPolicy.NONE) {
            refuseIfFull(old == null ? 1 : 0, newBytes - (old == null ? 0 : old.bytes()));
        }
        Entry entry = new Entry(key.clone(), value.clone(), ++lastVersion, expiresAtMillis);
        Node node = new Node(entry, ticks.incrementAndGet());
        if (old != null) {
            node.slot = old.slot;
            node.frequency = old.frequency + 1;
            slots.set(old.slot, node);
            bytes -= old.bytes();
        } else {
            node.slot = slots.size();
            slots.add(node);
        }
        bytes += node.bytes();
        map.put(entry.key(), node);
        index.put(new Key(entry.key()), node);
        reclaimExpired(node);
        evictUntilWithinBounds(node);
        return copy(entry);
    }

    private void refuseIfFull(long addedEntries, long addedBytes) {
        if (map.size() + addedEntries > options.maxEntries() || bytes + addedBytes > options.maxBytes()) {
            throw new StoreFullException("memory store is full (" + map.size() + " of " + options.maxEntries()
                    + " entries, " + bytes + " of " + options.maxBytes() + " bytes) and its eviction policy is NONE");
        }
    }

    private void remove(byte[] key) {
        Node n = map.remove(key);
        if (n == null) {
            return;
        }
        index.remove(new Key(key));
        Node last = slots.remove(slots.size() - 1);
        if (last != n) {
            last.slot = n.slot;
            slots.set(n.slot, last);
        }
        bytes -= n.bytes();
    }

    /** Active expiry: probe a few random slots and drop expired entries. */
    private void reclaimExpired(Node keep) {
        long now = now();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < EXPIRY_PROBES && !slots.isEmpty(); i++) {
            Node n = slots.get(rnd.nextInt(slots.size()));
            if (n != keep && n.entry.isExpiredAt(now)) {
                remove(n.entry.key());
            }
        }
    }

    private void evictUntilWithinBounds(Node keep) {
        if (options.eviction() == EvictionPolicy.NONE) {
            return;
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        long now = now();
        while ((map.size() > options.maxEntries() || bytes > options.maxBytes()) && slots.size() > 1) {
            Node victim = null;
            for (int i = 0; i < SAMPLE; i++) {
                Node n = slots.get(rnd.nextInt(slots.size()));
                if (n == keep) {
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
            if (victim == null) {
                continue;
            }
            remove(victim.entry.key());
            evictions.incrementAndGet();
            if (options.eviction() == EvictionPolicy.LFU && evictions.get() % 1024 == 0) {
                for (Node n : slots) {
                    n.frequency >>>= 1; // decay, so old popularity fades
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

    /** Drops every entry. Idempotent. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            closed = true;
            map.clear();
            index.clear();
            slots.clear();
            bytes = 0;
        } finally {
            writeLock.unlock();
        }
    }
}
