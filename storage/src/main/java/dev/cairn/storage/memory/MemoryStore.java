package dev.cairn.storage.memory;

import dev.cairn.api.ByteKey;
import dev.cairn.api.ByteStrings;
import dev.cairn.api.Entry;
import dev.cairn.api.Expected;
import dev.cairn.api.KeyRange;
import dev.cairn.api.KeyValue;
import dev.cairn.api.Mutation;
import dev.cairn.api.ReadOptions;
import dev.cairn.api.RemainingTtl;
import dev.cairn.api.ReplicaRecord;
import dev.cairn.api.ReplicaStore;
import dev.cairn.api.Store;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.StoreFullException;
import dev.cairn.api.StoreLimits;
import dev.cairn.api.Version;
import dev.cairn.api.WriteOptions;
import dev.cairn.storage.BatchOverlay;
import java.time.Clock;
import java.time.Duration;
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
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The memory-only store: a {@link ConcurrentSkipListMap} of entries for ordered scans and a hash
 * index beside it for point reads. No files.
 *
 * <h2>Concurrency</h2>
 * Point reads take no lock: they look the key up in the index, hide expired entries and record
 * the access in the entry's node (a racy counter is fine for eviction statistics). A write holds
 * the lock of its key's stripe (one of 64), which makes conditional writes atomic per key while
 * writes to other keys proceed in parallel. The entry and byte counts are atomic counters; the
 * array eviction samples from has a lock of its own, held only to add, remove or draw a slot.
 *
 * <h2>Batches and snapshots</h2>
 * A batch ({@code putAll}, {@code deleteAll}, {@code mutateAll}, {@code applyAllIfNewer}) holds
 * the stripes of all its keys, taken in stripe order, and installs its nodes marked with one
 * uncommitted {@link Commit}; a point read that meets an uncommitted node reads the node it
 * replaced. One
 * volatile write then commits the whole batch, so readers see all of it or none of it.
 * {@code getAll} holds the stripes of its keys and {@code scan} holds every stripe while it reads,
 * so each sees one state of the store (no write is half done while a stripe is held): scans pause
 * writers for the length of one page.
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
 * <h2>Expiry and tombstones</h2>
 * Expired entries are invisible at once; their memory is reclaimed by writes (every write samples
 * a few slots and removes the expired ones it finds, as Redis's active expiry does) and by
 * eviction, which always takes an expired entry first. There is no background thread. With a
 * tombstone grace period (for replicas), a delete leaves a tombstone node that remembers the
 * key's version; tombstones count against no bound and are reclaimed by the same sampling once
 * their grace period has passed. Eviction forgets a key without a tombstone: a cache may lose
 * entries, and a replica that evicts is repaired by its peers.
 */
public final class MemoryStore implements Store, ReplicaStore {
    private static final int SAMPLE = 16;
    private static final int EXPIRY_PROBES = 4;
    private static final long ENTRY_OVERHEAD = 64;
    private static final int STRIPES = 64;

    /**
     * Where a key's current node sits, in both the ordered map and the hash index: overwriting a
     * key swaps the cell's node (under the key's stripe) instead of putting into both maps again,
     * which took a fifth of a SET's time. A cell leaves both maps when its key is removed.
     */
    private static final class Cell {
        volatile Node node;

        Cell(Node node) {
            this.node = node;
        }
    }

    /** The commit flag of one batch: its nodes are visible to point reads once it is set. */
    private static final class Commit {
        volatile boolean committed;
    }

    /** One stored record (a value or a tombstone) plus what eviction needs to know about it. */
    private static final class Node {
        final byte[] key;
        final byte[] value; // null: tombstone
        final Version version;
        final long millis; // a value's expiry (0 = never), a tombstone's deletion instant
        final Commit commit; // null for a single-key write
        volatile Node previous; // what an uncommitted batch node replaced; cleared after the commit
        int slot; // index in slots; guarded by slotsLock
        volatile long lastAccess;
        volatile int frequency;

        Node(byte[] key, byte[] value, Version version, long millis, Commit commit, Node previous, long tick) {
            this.key = key;
            this.value = value;
            this.version = version;
            this.millis = millis;
            this.commit = commit;
            this.previous = previous;
            this.lastAccess = tick;
            this.frequency = 1;
        }

        boolean isTombstone() {
            return value == null;
        }

        boolean isDeadAt(long now) {
            return value == null || Entry.isExpired(millis, now);
        }

        /** Whether this node can become reclaimable: a tombstone, or a value with an expiry. */
        boolean isMortal() {
            return value == null || millis != Entry.NO_EXPIRY;
        }

        /** Bytes counted against the bounds: values only. */
        long bytes() {
            return value == null ? 0 : key.length + value.length + ENTRY_OVERHEAD;
        }

        Entry entry() {
            return new Entry(key, value, version, millis);
        }

        ReplicaRecord record() {
            return value == null
                    ? ReplicaRecord.tombstone(key.clone(), version, millis)
                    : ReplicaRecord.value(key.clone(), value.clone(), version, millis);
        }
    }

    private final MemoryStoreOptions options;
    /**
     * The entries: replaced whole by {@link #clear}, with one volatile write, so a reader sees the
     * store before the clear or after it, never half of it.
     */
    private static final class Contents {
        final ConcurrentSkipListMap<byte[], Cell> map = new ConcurrentSkipListMap<>(ByteStrings.ORDER);
        final java.util.concurrent.ConcurrentHashMap<ByteKey, Cell> index = new java.util.concurrent.ConcurrentHashMap<>();

        /** The key's cell, or null. */
        Cell cell(byte[] key) {
            return index.get(new ByteKey(key));
        }

        /** The key's current node, or null. */
        Node node(byte[] key) {
            Cell c = cell(key);
            return c == null ? null : c.node;
        }
    }

    private volatile Contents contents = new Contents();
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final Object slotsLock = new Object();
    private final ArrayList<Node> slots = new ArrayList<>(); // guarded by slotsLock
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong versions = new AtomicLong();
    private final AtomicLong ticks = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    /**
     * Nodes in the store that are tombstones or have an expiry ({@link Node#isMortal}); guarded by
     * slotsLock. The expiry probes are skipped while there are none: a store of values that never
     * expire has nothing for them to find.
     */
    private long mortal;
    private final long graceMillis;
    private final dev.cairn.api.StoreListeners listeners = new dev.cairn.api.StoreListeners();
    private volatile boolean closed;

    public MemoryStore(MemoryStoreOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.graceMillis = options.tombstoneGrace().toMillis();
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

    /** Live and not-yet-reclaimed expired entries (tombstones not included). */
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
        return dev.cairn.api.ByteKey.spread(key) & (STRIPES - 1);
    }

    private ReentrantLock stripe(byte[] key) {
        return stripes[stripeIndex(key)];
    }

    /** Runs body holding key's stripe, after checking the store is open. */
    private <T> T locked(byte[] key, Supplier<T> body) {
        ReentrantLock lock = stripe(key);
        lock.lock();
        try {
            checkOpen();
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    /** Runs body holding the stripes of all keys, taken in stripe order, after checking the store is open. */
    private <T> T lockedAll(Collection<byte[]> keys, Supplier<T> body) {
        boolean[] wanted = new boolean[STRIPES];
        for (byte[] key : keys) {
            wanted[stripeIndex(key)] = true;
        }
        int held = 0;
        try {
            for (; held < STRIPES; held++) {
                if (wanted[held]) {
                    stripes[held].lock();
                }
            }
            checkOpen();
            return body.get();
        } finally {
            for (int i = held - 1; i >= 0; i--) {
                if (wanted[i]) {
                    stripes[i].unlock();
                }
            }
        }
    }

    // ------------------------------------------------------------------ reads

    /** The node a reader sees for key: the one an uncommitted batch replaced, if that is in the way. */
    private Node visible(byte[] key) {
        Node n = contents.node(key);
        if (n != null && n.commit != null && !n.commit.committed) {
            Node before = n.previous;
            // previous is cleared only after the commit, so a null here with the batch committed means n
            return before != null || !n.commit.committed ? before : n;
        }
        return n;
    }

    private Node live(byte[] key, boolean touch) {
        Node n = visible(key);
        if (n == null || n.isDeadAt(options.clock().millis())) {
            return null;
        }
        if (touch) {
            n.lastAccess = ticks.incrementAndGet();
            n.frequency++;
        }
        return n;
    }

    private static Entry copy(Node n) {
        return new Entry(n.key.clone(), n.value.clone(), n.version, n.millis);
    }

    /** The entry returned holds the caller's key array and a copy of the value. */
    @Override
    public Optional<Entry> get(byte[] key, ReadOptions options) {
        checkRead(options);
        limits().checkKey(key);
        Node n;
        if (options.includeExpired()) {
            n = visible(key);
            n = n == null || n.isTombstone() ? null : n;
        } else {
            n = live(key, true);
        }
        return n == null ? Optional.empty() : Optional.of(new Entry(key, n.value.clone(), n.version, n.millis));
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
        Node n = visible(limits().checkKey(key));
        return n == null || n.isDeadAt(now) ? RemainingTtl.missing() : RemainingTtl.of(n.entry(), now);
    }

    /** Holds the stripes of its keys, so it never sees part of a batch. */
    @Override
    public List<Optional<Entry>> getAll(List<byte[]> keys, ReadOptions options) {
        checkRead(options);
        keys.forEach(limits()::checkKey);
        return lockedAll(keys, () -> {
            List<Optional<Entry>> out = new ArrayList<>(keys.size());
            for (byte[] key : keys) {
                Node n = live(key, true);
                out.add(n == null ? Optional.empty() : Optional.of(copy(n)));
            }
            return out;
        });
    }

    /** Up to {@code limit} live entries of the range in key order, read with every stripe held: a snapshot. */
    @Override
    public List<Entry> scan(KeyRange range, int limit, ReadOptions options) {
        checkRead(options);
        long now = this.options.clock().millis();
        List<Entry> out = new ArrayList<>();
        scanNodes(range, limit, n -> {
            if (n.isDeadAt(now)) {
                return false;
            }
            out.add(copy(n));
            return true;
        });
        return out;
    }

    /** Visits the nodes of range in key order with every stripe held, until limit visits returned true. */
    private void scanNodes(KeyRange range, int limit, Predicate<Node> visitor) {
        Objects.requireNonNull(range, "range");
        if (limit < 1) {
            throw new IllegalArgumentException("scan limit must be at least 1: " + limit);
        }
        if (range.isEmpty()) {
            return;
        }
        for (ReentrantLock lock : stripes) {
            lock.lock();
        }
        try {
            checkOpen();
            ConcurrentNavigableMap<byte[], Cell> view = contents.map;
            if (range.start() != null) {
                view = view.tailMap(range.start(), true);
            }
            if (range.end() != null) {
                view = view.headMap(range.end(), false);
            }
            int taken = 0;
            for (Cell c : view.values()) {
                if (visitor.test(c.node) && ++taken == limit) {
                    break;
                }
            }
        } finally {
            for (int i = STRIPES - 1; i >= 0; i--) {
                stripes[i].unlock();
            }
        }
    }

    // ------------------------------------------------------------------ writes

    @Override
    public Entry put(byte[] key, byte[] value, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        limits().checkValue(value);
        return locked(key, () -> apply(key, new Mutation.Put(value, options)).result());
    }

    @Override
    public boolean delete(byte[] key, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        return locked(key, () -> apply(key, new Mutation.Delete()).decision.applied());
    }

    @Override
    public Optional<Entry> compareAndSet(byte[] key, Expected expected, byte[] value, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        limits().checkValue(value);
        return locked(key, () -> {
            Applied a = apply(key, new Mutation.CompareAndSet(expected, value, options));
            return a.decision.applied() ? Optional.of(a.result()) : Optional.empty();
        });
    }

    @Override
    public boolean compareAndDelete(byte[] key, Expected expected, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        return locked(key, () -> apply(key, new Mutation.CompareAndDelete(expected)).decision.applied());
    }

    @Override
    public long increment(byte[] key, long delta, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        return locked(key, () -> apply(key, new Mutation.Increment(delta, options)).decision.number());
    }

    @Override
    public boolean expireAt(byte[] key, long expiresAtMillis, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        Mutation m = new Mutation.ExpireAt(expiresAtMillis);
        return locked(key, () -> apply(key, m).decision.applied());
    }

    @Override
    public boolean persist(byte[] key, WriteOptions options) {
        checkWrite(options);
        limits().checkKey(key);
        return locked(key, () -> apply(key, new Mutation.Persist()).decision.applied());
    }

    /** Reports changes; called under the stripes of the keys changed, so each key's changes arrive in order. */
    @Override
    public dev.cairn.api.StoreListener.Subscription listen(dev.cairn.api.StoreListener listener) {
        return listeners.add(listener);
    }

    private record Change(byte[] key, Entry before, Entry after) {
    }

    private static Entry valueOf(Node n) {
        return n == null || n.isTombstone() ? null : copy(n);
    }

    /** A decided single-key write and the node it installed (null when it wrote nothing or removed). */
    private record Applied(Mutation.Decision decision, Node node) {
        Entry result() {
            return copy(node);
        }
    }

    /** Decides and applies a single-key write; the key's stripe is held. */
    private Applied apply(byte[] key, Mutation mutation) {
        long now = now();
        Node stored = mutation instanceof Mutation.Put ? null : visible(key);
        Mutation.Decision d = mutation.decide(key, stored == null || stored.isTombstone() ? null : stored.entry(), now);
        Entry before = listeners.any() && d.write() != Mutation.Write.NONE ? valueOf(stored != null ? stored : visible(key)) : null;
        Node written = switch (d.write()) {
            case VALUE -> install(key, d.value(), nextVersion(), d.expiresAtMillis(), null, false);
            case TOMBSTONE -> {
                removeOrBury(key, nextVersion(), now);
                yield null;
            }
            case NONE -> null;
        };
        if (listeners.any() && d.write() != Mutation.Write.NONE) {
            listeners.changed(key.clone(), before, valueOf(written));
        }
        return new Applied(d, written);
    }

    private Version nextVersion() {
        return Version.local(versions.incrementAndGet());
    }

    /**
     * Atomic for readers: under the {@code NONE} policy the whole batch is checked against the
     * bounds before any of it is written; see the class comment for visibility.
     */
    @Override
    public void putAll(List<KeyValue> entries, WriteOptions options) {
        checkWrite(options);
        for (KeyValue kv : entries) {
            limits().checkKey(kv.key());
            limits().checkValue(kv.value());
        }
        java.util.TreeMap<byte[], byte[]> last = new java.util.TreeMap<>(ByteStrings.ORDER);
        entries.forEach(kv -> last.put(kv.key(), kv.value()));
        lockedAll(last.keySet(), () -> {
            boolean reserved = false;
            if (this.options.eviction() == EvictionPolicy.NONE) {
                long addedEntries = 0;
                long addedBytes = 0;
                for (Map.Entry<byte[], byte[]> e : last.entrySet()) {
                    Node old = contents.node(e.getKey());
                    addedEntries += addedEntries(old);
                    addedBytes += addedBytes(e.getKey(), e.getValue(), old);
                }
                reserve(addedEntries, addedBytes);
                reserved = true;
            }
            long expiresAt = options.expiresAtMillis(now());
            Commit commit = new Commit();
            List<Node> installed = new ArrayList<>(last.size());
            List<Entry> before = new ArrayList<>();
            for (Map.Entry<byte[], byte[]> e : last.entrySet()) {
                if (listeners.any()) {
                    before.add(valueOf(contents.node(e.getKey())));
                }
                installed.add(install(e.getKey(), e.getValue(), nextVersion(), expiresAt, commit, reserved));
            }
            commitBatch(commit, installed);
            for (int i = 0; i < before.size(); i++) {
                listeners.changed(installed.get(i).key.clone(), before.get(i), valueOf(installed.get(i)));
            }
            return null;
        });
    }

    /**
     * Decides the whole batch under the stripes of its keys, each write on the entry the writes
     * before it in the batch left, then installs one node per key written (its last state) under
     * one {@link Commit}: readers see all of the batch or none of it, as with {@link #putAll}, and
     * a pipeline that counts one key up or overwrites it installs one node, not one per command.
     * Each write is checked and decided as its own call would be. Two cases run the writes one
     * call at a time instead (still under the batch's stripes): with listeners, which are told of
     * every change, and under {@link EvictionPolicy#NONE} when the batch's last states together
     * would pass a bound, so that each write is refused, or not, as it would be alone.
     */
    @Override
    public List<dev.cairn.api.MutationOutcome> mutateAll(List<dev.cairn.api.KeyedMutation> writes) {
        checkOpen();
        if (writes.isEmpty()) {
            return List.of();
        }
        List<byte[]> keys = new ArrayList<>(writes.size());
        for (dev.cairn.api.KeyedMutation w : writes) {
            keys.add(w.key());
        }
        return lockedAll(keys, () -> {
            if (listeners.any()) {
                return Store.super.mutateAll(writes);
            }
            long now = now();
            List<dev.cairn.api.MutationOutcome> outcomes = new ArrayList<>(writes.size());
            BatchOverlay<Last> written = new BatchOverlay<>();
            java.util.function.Consumer<WriteOptions> checkWrite = this::checkWrite;
            // one version for each write, taken from the counter at once (the batch holds its keys'
            // stripes, so a later writer of any of them gets a later version); unused ones are skipped
            long nextOfBatch = versions.getAndAdd(writes.size()) + 1;
            for (dev.cairn.api.KeyedMutation w : writes) {
                byte[] key = w.key();
                Mutation mutation = w.mutation();
                Mutation.Decision d;
                try {
                    mutation.check(key, limits(), checkWrite);
                    int earlier = written.find(key);
                    Entry before;
                    if (earlier >= 0) {
                        before = written.entry(earlier).entry(key);
                    } else {
                        Node stored = mutation instanceof Mutation.Put ? null : visible(key);
                        before = stored == null || stored.isTombstone() ? null : stored.entry();
                    }
                    d = mutation.decide(key, before, now);
                    if (d.write() != Mutation.Write.NONE) {
                        // each decided write has a version of its own, so a CAS on a version the batch wrote works;
                        // the node installed carries its key's last
                        Version version = Version.local(nextOfBatch++);
                        written.put(earlier, key, d.write() == Mutation.Write.VALUE
                                ? new Last(d.value(), version, d.expiresAtMillis()) : new Last(null, version, now));
                    }
                } catch (RuntimeException e) {
                    outcomes.add(new dev.cairn.api.MutationOutcome(null, e));
                    continue;
                }
                outcomes.add(new dev.cairn.api.MutationOutcome(d, null));
            }
            boolean reserved = false;
            if (options.eviction() == EvictionPolicy.NONE) {
                long addedEntries = 0;
                long addedBytes = 0;
                for (int i = 0; i < written.size(); i++) {
                    Last last = written.entry(i);
                    if (last.value != null) {
                        Node old = contents.node(written.key(i));
                        addedEntries += addedEntries(old);
                        addedBytes += addedBytes(written.key(i), last.value, old);
                    }
                }
                try {
                    reserve(addedEntries, addedBytes);
                } catch (StoreFullException full) {
                    return Store.super.mutateAll(writes); // nothing installed yet: decide again, one call at a time
                }
                reserved = true;
            }
            Commit commit = new Commit();
            List<Node> installed = new ArrayList<>(written.size());
            List<byte[]> removed = null;
            for (int i = 0; i < written.size(); i++) {
                byte[] key = written.key(i);
                Last last = written.entry(i);
                if (last.value != null) {
                    installed.add(install(key, last.value, last.version, last.millis, commit, reserved));
                } else if (contents.node(key) != null) {
                    installed.add(bury(key, last.version, last.millis, commit));
                    if (graceMillis == 0) {
                        (removed == null ? removed = new ArrayList<>() : removed).add(key);
                    }
                }
            }
            commitBatch(commit, installed);
            if (removed != null) {
                removed.forEach(this::remove); // tombstones were only there to commit as one
            }
            return outcomes;
        });
    }

    /** A key's state after a batch's writes so far: its value (null: deleted), version, and expiry (a delete's instant). */
    private record Last(byte[] value, Version version, long millis) {
        Entry entry(byte[] key) {
            return value == null ? null : new Entry(key, value, version, millis);
        }
    }

    private static void commitBatch(Commit commit, List<Node> installed) {
        commit.committed = true;
        for (Node n : installed) {
            n.previous = null; // after the commit: a reader that finds it null sees the commit
        }
    }

    /** Removes keys as one batch, atomic for readers like {@link #putAll}. */
    @Override
    public int deleteAll(Collection<byte[]> keys, WriteOptions options) {
        checkWrite(options);
        keys.forEach(limits()::checkKey);
        java.util.TreeSet<byte[]> unique = new java.util.TreeSet<>(ByteStrings.ORDER);
        unique.addAll(keys);
        return lockedAll(unique, () -> {
            Commit commit = new Commit();
            List<Node> installed = new ArrayList<>();
            long now = now();
            List<Entry> before = new ArrayList<>();
            for (byte[] key : unique) {
                Node current = live(key, false);
                if (current != null) {
                    before.add(copy(current));
                    installed.add(bury(key, nextVersion(), now, commit));
                }
            }
            commitBatch(commit, installed);
            if (listeners.any()) {
                for (Entry b : before) {
                    listeners.changed(b.key(), b, null);
                }
            }
            if (graceMillis == 0) {
                installed.forEach(n -> remove(n.key)); // tombstones were only there to commit as one
            }
            return installed.size();
        });
    }

    // ------------------------------------------------------------------ ReplicaStore

    @Override
    public boolean applyIfNewer(ReplicaRecord record) {
        return applyAllIfNewer(List.of(record)) == 1;
    }

    /**
     * Applies the batch as one, atomic for readers like {@link #putAll}. A record older than the
     * key's tombstone is refused only while the tombstone is kept (its grace period).
     */
    @Override
    public int applyAllIfNewer(List<ReplicaRecord> records) {
        checkOpen();
        List<byte[]> keys = new ArrayList<>(records.size());
        for (ReplicaRecord r : records) {
            keys.add(limits().checkKey(r.key()));
            if (!r.isTombstone()) {
                limits().checkValue(r.value());
            }
        }
        return lockedAll(keys, () -> {
            Commit commit = new Commit();
            List<Node> installed = new ArrayList<>();
            List<Change> changes = new ArrayList<>();
            for (ReplicaRecord r : records) {
                Node stored = contents.node(r.key());
                if (stored != null && !r.version().isNewerThan(stored.version)) {
                    continue;
                }
                Entry before = listeners.any() ? valueOf(stored) : null;
                Node n = r.isTombstone()
                        ? bury(r.key(), r.version(), r.deletedAtMillis(), commit)
                        : install(r.key(), r.value(), r.version(), r.expiresAtMillis(), commit, false);
                installed.add(n);
                if (listeners.any() && (before != null || !n.isTombstone())) {
                    changes.add(new Change(r.key().clone(), before, valueOf(n)));
                }
            }
            commitBatch(commit, installed);
            changes.forEach(c -> listeners.changed(c.key, c.before, c.after));
            return installed.size();
        });
    }

    @Override
    public Optional<ReplicaRecord> readRecord(byte[] key) {
        checkOpen();
        Node n = visible(limits().checkKey(key));
        return n == null ? Optional.empty() : Optional.of(n.record());
    }

    @Override
    public List<ReplicaRecord> scanRecords(KeyRange range, int limit) {
        checkOpen();
        List<ReplicaRecord> out = new ArrayList<>();
        scanNodes(range, limit, n -> out.add(n.record()));
        return out;
    }

    @Override
    public Duration tombstoneGrace() {
        return options.tombstoneGrace();
    }

    // ------------------------------------------------------------------ bookkeeping (key's stripe held)

    /** The entries a value written over {@code old} (null: none) adds: 1 unless old is a value. */
    private static long addedEntries(Node old) {
        return old != null && !old.isTombstone() ? 0 : 1;
    }

    /** The bytes a value written over {@code old} (null: none) adds, or frees if negative. */
    private static long addedBytes(byte[] key, byte[] value, Node old) {
        return key.length + value.length + ENTRY_OVERHEAD - (old == null ? 0 : old.bytes());
    }

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
     * Installs a value node (copies of key and value) under the key's stripe. {@code reserved}:
     * the batch already took the entry and bytes against the bounds. Returns the node.
     */
    private Node install(byte[] key, byte[] value, Version version, long expiresAtMillis, Commit commit,
                         boolean reserved) {
        Cell cell = contents.cell(key);
        Node old = cell == null ? null : cell.node;
        long addedEntries = addedEntries(old);
        long addedBytes = addedBytes(key, value, old);
        if (!reserved) {
            if (options.eviction() == EvictionPolicy.NONE) {
                reserve(addedEntries, addedBytes);
            } else {
                entries.addAndGet(addedEntries);
                bytes.addAndGet(addedBytes);
            }
        }
        Node node = new Node(key.clone(), value.clone(), version, expiresAtMillis, commit, commit == null ? null : old,
                ticks.incrementAndGet());
        replace(cell, node);
        reclaimExpired(node);
        evictUntilWithinBounds(node);
        return node;
    }

    /**
     * Puts node in place of the cell's node in the slots and the cell, or (no cell: a new key)
     * adds it to the slots, the map and the index.
     */
    private void replace(Cell cell, Node node) {
        Node old = cell == null ? null : cell.node;
        synchronized (slotsLock) {
            mortal += (node.isMortal() ? 1 : 0) - (old != null && old.isMortal() ? 1 : 0);
            if (old != null) {
                node.slot = old.slot;
                node.frequency = old.frequency + 1;
                slots.set(old.slot, node);
            } else {
                node.slot = slots.size();
                slots.add(node);
            }
        }
        if (cell != null) {
            cell.node = node;
        } else {
            Contents c = contents;
            Cell added = new Cell(node);
            c.map.put(node.key, added);
            c.index.put(new ByteKey(node.key), added);
        }
    }

    /**
     * A single-key delete: with a grace period, replaces key's node by a tombstone; without one,
     * removes the key.
     */
    private void removeOrBury(byte[] key, Version version, long now) {
        if (graceMillis > 0) {
            bury(key, version, now, null);
        } else {
            remove(key);
        }
    }

    /** Replaces key's node (if any) by a tombstone node of key; the key's stripe is held. */
    private Node bury(byte[] key, Version version, long deletedAtMillis, Commit commit) {
        Cell cell = contents.cell(key);
        Node old = cell == null ? null : cell.node;
        if (old != null && !old.isTombstone()) {
            entries.decrementAndGet();
            bytes.addAndGet(-old.bytes());
        }
        Node node = new Node(key.clone(), null, version, deletedAtMillis, commit, commit == null ? null : old,
                ticks.incrementAndGet());
        replace(cell, node);
        return node;
    }

    /** Removes key's node; the key's stripe is held. */
    private void remove(byte[] key) {
        Contents c = contents;
        Cell cell = c.index.remove(new ByteKey(key));
        if (cell == null) {
            return;
        }
        c.map.remove(key, cell);
        Node n = cell.node;
        synchronized (slotsLock) {
            mortal -= n.isMortal() ? 1 : 0;
            Node last = slots.remove(slots.size() - 1);
            if (last != n) {
                last.slot = n.slot;
                slots.set(n.slot, last);
            }
        }
        if (!n.isTombstone()) {
            entries.decrementAndGet();
            bytes.addAndGet(-n.bytes());
        }
    }

    /** Removes {@code victim} if its stripe is free (or ours) and it is still current; true if it did. */
    private boolean removeIfCurrent(Node victim) {
        byte[] key = victim.key;
        ReentrantLock lock = stripe(key);
        if (!lock.tryLock()) {
            return false;
        }
        try {
            if (contents.node(key) != victim) {
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

    /**
     * Active expiry: probe a few random slots and drop expired values (kept as tombstones for
     * the grace period, when there is one) and tombstones whose grace period has passed.
     */
    private void reclaimExpired(Node keep) {
        synchronized (slotsLock) {
            if (mortal == 0) {
                return;
            }
        }
        long now = now();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < EXPIRY_PROBES; i++) {
            Node n = randomSlot(rnd);
            if (n != null && n != keep && n.isDeadAt(now) && now - n.millis >= graceMillis) {
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
                if (n == null || n == keep || n.isTombstone()) {
                    continue;
                }
                if (n.isDeadAt(now)) {
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

    /** Removes every entry and tombstone with every stripe held, so readers see all or nothing of it. */
    @Override
    public void clear(WriteOptions options) {
        checkWrite(options);
        dropAll(false);
    }

    /** Drops every entry once the writes in progress end. Idempotent. */
    @Override
    public void close() {
        dropAll(true);
    }

    private void dropAll(boolean close) {
        for (ReentrantLock lock : stripes) {
            lock.lock();
        }
        try {
            if (!close) {
                checkOpen();
            }
            closed |= close;
            contents = new Contents();
            synchronized (slotsLock) {
                slots.clear();
                mortal = 0;
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
