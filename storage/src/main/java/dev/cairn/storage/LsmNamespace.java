package dev.cairn.storage;

import dev.cairn.api.AsyncStore;
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
import dev.cairn.api.StoreLimits;
import dev.cairn.api.Version;
import dev.cairn.api.WriteOptions;
import dev.cairn.storage.format.Record;
import dev.cairn.storage.format.RecordIterator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * One namespace of an {@link LsmStore}: the {@link Store} and {@link ReplicaStore} contracts on
 * the engine's primitives (a consistent snapshot for reads; one locked, logged batch for writes),
 * with every key behind the namespace's {@link Keyspace} prefix.
 *
 * <p>The namespace is looked up by name on every call: a write resolves it under the engine's
 * write lock, so a write that completes after a {@link #clear} lands in the new, empty keyspace;
 * a dropped namespace is created again by its next write.
 */
final class LsmNamespace implements Store, ReplicaStore {
    private final LsmStore engine;
    private final String name;

    LsmNamespace(LsmStore engine, String name) {
        this.engine = engine;
        this.name = name;
    }

    /** This namespace's keyspace as looked up in {@code catalog} (null: it did not exist there). */
    private record Resolved(Catalog catalog, Keyspace keyspace) {
    }

    /** The last lookup; immutable, so threads that race to replace it each publish a correct one. */
    private Resolved resolved;

    /**
     * The live keyspace of this namespace, or null when it does not exist: looked up again only
     * when the catalog has changed since the last lookup (a read otherwise paid a map probe each).
     */
    private Keyspace liveKeyspace() {
        Catalog c = engine.catalog();
        Resolved r = resolved;
        if (r == null || r.catalog != c) {
            r = new Resolved(c, c.get(name));
            resolved = r;
        }
        return r.keyspace;
    }

    String name() {
        return name;
    }

    @Override
    public StoreLimits limits() {
        return engine.limits();
    }

    @Override
    public Clock clock() {
        return engine.clock();
    }

    private long now() {
        return engine.clock().millis();
    }

    // ------------------------------------------------------------------ reads

    @Override
    public Optional<Entry> get(byte[] key, ReadOptions options) {
        engine.checkRead(options);
        limits().checkKey(key);
        Record r = newest(key);
        if (r == null || r.isDelete() || (!options.includeExpired() && r.isDeadAt(now()))) {
            return Optional.empty();
        }
        return Optional.of(r.toEntry(key));
    }

    /** The newest record of {@code key} in a snapshot of its own, or null (also when the namespace does not exist). */
    private Record newest(byte[] key) {
        Keyspace ks = liveKeyspace();
        if (ks == null) {
            return null;
        }
        LsmStore.Snapshot s = engine.snapshot();
        try {
            return engine.lookup(s, ks.wrap(key));
        } finally {
            s.release();
        }
    }

    @Override
    public boolean exists(byte[] key, ReadOptions options) {
        return get(key, options).isPresent();
    }

    @Override
    public RemainingTtl remainingTtl(byte[] key, ReadOptions options) {
        // read before get: get hides entries expired at its own, later, reading of the clock
        long now = now();
        return RemainingTtl.of(get(key, options).orElse(null), now);
    }

    @Override
    public List<Optional<Entry>> getAll(List<byte[]> keys, ReadOptions options) {
        engine.checkRead(options);
        keys.forEach(limits()::checkKey);
        List<Optional<Entry>> out = new ArrayList<>(keys.size());
        Keyspace ks = liveKeyspace();
        if (ks == null) {
            keys.forEach(k -> out.add(Optional.empty()));
            return out;
        }
        long now = now();
        LsmStore.Snapshot s = engine.snapshot();
        try {
            for (byte[] key : keys) {
                Record r = engine.lookup(s, ks.wrap(key));
                out.add(r == null || r.isDeadAt(now) ? Optional.empty() : Optional.of(r.toEntry(key.clone())));
            }
            return out;
        } finally {
            s.release();
        }
    }

    @Override
    public List<Entry> scan(KeyRange range, int limit, ReadOptions options) {
        engine.checkRead(options);
        long now = now();
        List<Entry> out = new ArrayList<>(Math.min(limit, 256));
        scanNewest(range, limit, (ks, r) -> {
            if (!r.isDeadAt(now)) {
                out.add(r.toEntry(ks.unwrap(r.key())));
                return true;
            }
            return false;
        });
        return out;
    }

    private interface Visitor {
        boolean visit(Keyspace ks, Record r);
    }

    /** Older versions of one key a scan steps over before it seeks past the rest of them. */
    private static final int SKIPS_BEFORE_SEEK = 8;

    /**
     * Visits the newest record of each key of {@code range} in key order, in one snapshot, until
     * {@code limit} visits returned true.
     */
    private void scanNewest(KeyRange range, int limit, Visitor visitor) {
        Objects.requireNonNull(range, "range");
        if (limit < 1) {
            throw new IllegalArgumentException("scan limit must be at least 1: " + limit);
        }
        Keyspace ks = liveKeyspace();
        if (range.isEmpty() || ks == null) {
            return;
        }
        KeyRange inner = ks.wrap(range);
        LsmStore.Snapshot s = engine.snapshot();
        try (RecordIterator it = engine.iterator(s, inner)) {
            it.seek(inner.start(), Record.MAX_SEQUENCE);
            byte[] previous = null;
            int taken = 0;
            int skipped = 0;
            for (; it.valid() && taken < limit; it.next()) {
                Record r = it.current();
                if (r.sequence() > s.sequence()) {
                    continue;
                }
                if (previous != null && Arrays.equals(previous, r.key())) {
                    if (++skipped < SKIPS_BEFORE_SEEK) {
                        continue;
                    }
                    // a key written many times since the last flush: seek past its older versions
                    // instead of stepping through every one (as RocksDB's iterator does)
                    skipped = 0;
                    it.seek(previous, 0);
                    if (!it.valid()) {
                        break;
                    }
                    r = it.current();
                    if (Arrays.equals(previous, r.key()) || r.sequence() > s.sequence()) {
                        continue; // a record of sequence 0, or one newer than the snapshot: stepped over as usual
                    }
                }
                skipped = 0;
                previous = r.key();
                if (ByteStrings.compare(r.key(), inner.end()) >= 0) {
                    break;
                }
                if (visitor.visit(ks, r)) {
                    taken++;
                }
            }
        } finally {
            s.release();
        }
    }

    @Override
    public long count(ReadOptions options) {
        engine.checkRead(options);
        long now = now();
        long[] n = new long[1];
        scanNewest(KeyRange.all(), Integer.MAX_VALUE, (ks, r) -> {
            if (!r.isDeadAt(now)) {
                n[0]++;
            }
            return false;
        });
        return n[0];
    }

    // ------------------------------------------------------------------ writes

    @Override
    public Entry put(byte[] key, byte[] value, WriteOptions options) {
        engine.checkWrite(options);
        limits().checkKey(key);
        limits().checkValue(value);
        return inKeyspace(putBatch(key, value, options));
    }

    /**
     * A plain put, the hot path: it depends on nothing stored, so it needs no lookup and no
     * decision. The entry returned holds the caller's own arrays, and so does the record logged:
     * the WAL encodes it and the memtable copies it into its arena before the write lock is
     * released, and nothing keeps the record after that, so a defensive copy of the value was
     * only garbage (a 4 KB copy per put when loading 4 KB values).
     */
    private KeyspaceBatch<Entry> putBatch(byte[] key, byte[] value, WriteOptions options) {
        return (ks, seq, out, changes) -> {
            long expiresAt = options.expiresAtMillis(now());
            Version version = Version.local(seq);
            byte[] k = ks.wrap(key);
            Entry before = changes == null ? null : storedEntry(engine.newestLocked(k), key);
            out.add(Record.put(k, seq, version, expiresAt, value));
            Entry written = new Entry(key, value, version, expiresAt);
            if (changes != null) {
                changes.add(key.clone(), before, new Entry(key.clone(), value.clone(), version, expiresAt));
            }
            return written;
        };
    }

    @Override
    public boolean delete(byte[] key, WriteOptions options) {
        engine.checkWrite(options);
        limits().checkKey(key);
        return write(key, new Mutation.Delete()).decision.applied();
    }

    @Override
    public Optional<Entry> compareAndSet(byte[] key, Expected expected, byte[] value, WriteOptions options) {
        engine.checkWrite(options);
        limits().checkKey(key);
        limits().checkValue(value);
        Written w = write(key, new Mutation.CompareAndSet(expected, value, options));
        return w.decision.applied() ? Optional.of(w.decision.entry(key, w.version)) : Optional.empty();
    }

    @Override
    public boolean compareAndDelete(byte[] key, Expected expected, WriteOptions options) {
        engine.checkWrite(options);
        limits().checkKey(key);
        return write(key, new Mutation.CompareAndDelete(expected)).decision.applied();
    }

    @Override
    public long increment(byte[] key, long delta, WriteOptions options) {
        engine.checkWrite(options);
        limits().checkKey(key);
        return write(key, new Mutation.Increment(delta, options)).decision.number();
    }

    @Override
    public boolean expireAt(byte[] key, long expiresAtMillis, WriteOptions options) {
        engine.checkWrite(options);
        limits().checkKey(key);
        return write(key, new Mutation.ExpireAt(expiresAtMillis)).decision.applied();
    }

    @Override
    public boolean persist(byte[] key, WriteOptions options) {
        engine.checkWrite(options);
        limits().checkKey(key);
        return write(key, new Mutation.Persist()).decision.applied();
    }

    /** Writes the whole batch as one WAL record: after a crash it is there entirely or not at all. */
    @Override
    public void putAll(List<KeyValue> entries, WriteOptions options) {
        checkPutAll(entries, options);
        if (!entries.isEmpty()) {
            inKeyspace(putAllBatch(entries, options));
        }
    }

    private void checkPutAll(List<KeyValue> entries, WriteOptions options) {
        engine.checkWrite(options);
        for (KeyValue kv : entries) {
            limits().checkKey(kv.key());
            limits().checkValue(kv.value());
        }
    }

    private KeyspaceBatch<Void> putAllBatch(List<KeyValue> entries, WriteOptions options) {
        return (ks, seq, out, changes) -> {
            long expiresAt = options.expiresAtMillis(now());
            if (changes == null && entries.size() > 1) {
                // the last pair of a key wins, and (as in decidedAll) is the only one logged
                BatchOverlay<byte[]> last = new BatchOverlay<>();
                for (KeyValue kv : entries) {
                    last.put(last.find(kv.key()), kv.key(), kv.value());
                }
                for (int i = 0; i < last.size(); i++, seq++) {
                    out.add(Record.put(ks.wrap(last.key(i)), seq, Version.local(seq), expiresAt, last.entry(i)));
                }
                return null;
            }
            for (KeyValue kv : entries) {
                byte[] k = ks.wrap(kv.key());
                Entry before = changes == null ? null : storedEntry(engine.newestLocked(k), kv.key());
                // as in putBatch, the record may hold the caller's array; the listeners' entry may not
                Record r = Record.put(k, seq, Version.local(seq), expiresAt, changes == null ? kv.value() : kv.value().clone());
                out.add(r);
                if (changes != null) {
                    changes.add(kv.key().clone(), before, r.toEntry(kv.key().clone()));
                }
                seq++;
            }
            return null;
        };
    }

    @Override
    public int deleteAll(Collection<byte[]> keys, WriteOptions options) {
        engine.checkWrite(options);
        keys.forEach(limits()::checkKey);
        return inKeyspace(deleteAllBatch(keys));
    }

    private KeyspaceBatch<Integer> deleteAllBatch(Collection<byte[]> keys) {
        return (ks, seq, out, changes) -> {
            Set<byte[]> seen = new TreeSet<>(ByteStrings.ORDER);
            long now = now();
            for (byte[] key : keys) {
                byte[] k = ks.wrap(key);
                Record stored = seen.add(key) ? engine.newestLocked(k) : null;
                if (stored != null && !stored.isDeadAt(now)) {
                    out.add(Record.delete(k, seq, Version.local(seq), now));
                    if (changes != null) {
                        changes.add(key.clone(), storedEntry(stored, key), null);
                    }
                    seq++;
                }
            }
            return out.size();
        };
    }

    /** Empties the namespace at once: its name gets a new keyspace, and compaction reclaims the old one. */
    @Override
    public void clear(WriteOptions options) {
        engine.checkWrite(options);
        engine.clearNamespace(name);
    }

    /**
     * Decides the whole batch under one hold of the write lock and logs what it writes as one WAL
     * record: one append, and in {@code SYNC} mode one fsync, for all of it. Each write is checked
     * and decided as its own call would be, on the entry the writes before it in the batch left.
     */
    @Override
    public List<dev.cairn.api.MutationOutcome> mutateAll(List<dev.cairn.api.KeyedMutation> writes) {
        engine.checkOpen();
        return writes.isEmpty() ? List.of() : inKeyspace(decidedAll(writes));
    }

    /**
     * The batch's decisions. Without listeners, a key written more than once in the batch gets one
     * record, its last: the batch is logged as one WAL record and becomes visible to readers all at
     * once (at its last sequence), so no reader could ever see the versions in between, and a
     * pipeline that counts one key up or overwrites it adds one memtable entry, not one per
     * command. (Listeners are told of every change, so with listeners every write gets its record.)
     * The in-between versions are provisional — numbered past every stored one, so no
     * {@code Expected.version} taken before the batch can match them — and the records that are
     * written are numbered consecutively, as the WAL requires.
     */
    private KeyspaceBatch<List<dev.cairn.api.MutationOutcome>> decidedAll(List<dev.cairn.api.KeyedMutation> writes) {
        return (ks, firstSequence, out, changes) -> {
            long now = now();
            List<dev.cairn.api.MutationOutcome> outcomes = new ArrayList<>(writes.size());
            BatchOverlay<Entry> written = new BatchOverlay<>();
            boolean several = writes.size() > 1;
            boolean collapse = several && changes == null;
            if (out instanceof ArrayList<Record> records) {
                records.ensureCapacity(writes.size()); // the engine starts it at one record
            }
            long seq = firstSequence; // the next record's sequence, or (collapsing) the next provisional version
            java.util.function.Consumer<WriteOptions> checkWrite = engine::checkWrite;
            for (dev.cairn.api.KeyedMutation w : writes) {
                byte[] key = w.key();
                Mutation mutation = w.mutation();
                Mutation.Decision d;
                try {
                    mutation.check(key, limits(), checkWrite);
                    int earlier = written.find(key);
                    Entry before;
                    if (earlier >= 0) {
                        before = written.entry(earlier);
                    } else {
                        boolean blind = mutation instanceof Mutation.Put && changes == null;
                        before = blind ? null : storedEntry(engine.newestLocked(ks.wrap(key)), key);
                    }
                    d = mutation.decide(key, before, now);
                    if (d.write() != Mutation.Write.NONE) {
                        Version version = Version.local(seq);
                        Entry after = null;
                        if (d.write() == Mutation.Write.VALUE) {
                            // an increment's value is its own; a caller's value is copied
                            byte[] value = mutation instanceof Mutation.Increment ? d.value() : d.value().clone();
                            after = several || changes != null ? new Entry(key, value, version, d.expiresAtMillis()) : null;
                            if (!collapse) {
                                out.add(Record.put(ks.wrap(key), seq, version, d.expiresAtMillis(), value));
                            }
                        } else if (!collapse) {
                            out.add(Record.delete(ks.wrap(key), seq, version, now));
                        }
                        seq++;
                        if (several) {
                            written.put(earlier, key, after);
                        }
                        if (changes != null) {
                            changes.add(key.clone(), before, after == null ? null
                                    : new Entry(key.clone(), after.value().clone(), version, after.expiresAtMillis()));
                        }
                    }
                } catch (RuntimeException e) {
                    outcomes.add(new dev.cairn.api.MutationOutcome(null, e));
                    continue;
                }
                outcomes.add(new dev.cairn.api.MutationOutcome(d, null));
            }
            if (collapse) {
                // one record per key written, its last state, numbered from the first sequence
                for (int i = 0; i < written.size(); i++) {
                    long s = firstSequence + i;
                    Entry last = written.entry(i);
                    byte[] k = ks.wrap(written.key(i));
                    out.add(last == null ? Record.delete(k, s, Version.local(s), now)
                            : Record.put(k, s, Version.local(s), last.expiresAtMillis(), last.value()));
                }
            }
            return outcomes;
        };
    }

    /** A single-key write as it was decided and the version it was given. */
    private record Written(Mutation.Decision decision, Version version) {
    }

    private Written write(byte[] key, Mutation mutation) {
        return inKeyspace(decided(key, mutation));
    }

    /**
     * Decides {@code mutation} on the key's stored entry and writes the outcome, as one step under
     * the engine's write lock. Only a put, which does not depend on the stored entry, skips the
     * lookup.
     */
    private KeyspaceBatch<Written> decided(byte[] key, Mutation mutation) {
        return (ks, seq, out, changes) -> {
            long now = now();
            byte[] k = ks.wrap(key);
            Record stored = mutation instanceof Mutation.Put && changes == null ? null : engine.newestLocked(k);
            Entry before = storedEntry(stored, key);
            Mutation.Decision d = mutation.decide(key, before, now);
            Version version = Version.local(seq);
            switch (d.write()) {
                case VALUE -> out.add(Record.put(k, seq, version, d.expiresAtMillis(), d.value().clone()));
                case TOMBSTONE -> out.add(Record.delete(k, seq, version, now));
                case NONE -> { }
            }
            if (changes != null && d.write() != Mutation.Write.NONE) {
                changes.add(key.clone(), before, d.write() == Mutation.Write.VALUE
                        ? new Entry(key.clone(), d.value().clone(), version, d.expiresAtMillis()) : null);
            }
            return new Written(d, version);
        };
    }

    /** A batch decided under the write lock in the namespace's current keyspace. */
    private interface KeyspaceBatch<T> {
        /** {@code changes} is null when nobody listens. */
        T apply(Keyspace ks, long firstSequence, List<Record> out, Changes changes);
    }

    /** The changes of one batch, for the namespace's listeners, delivered once the batch is applied. */
    private static final class Changes {
        private final List<Object[]> list = new ArrayList<>(1);

        void add(byte[] key, Entry before, Entry after) {
            list.add(new Object[] {key, before, after});
        }

        void deliver(dev.cairn.api.StoreListeners listeners) {
            for (Object[] c : list) {
                listeners.changed((byte[]) c[0], (Entry) c[1], (Entry) c[2]);
            }
        }
    }

    /** The stored value of a record as listeners see it: null for none or a tombstone. */
    private static Entry storedEntry(Record stored, byte[] userKey) {
        return stored == null || stored.isDelete() ? null : stored.toEntry(userKey.clone());
    }

    @Override
    public dev.cairn.api.StoreListener.Subscription listen(dev.cairn.api.StoreListener listener) {
        return engine.listeners(name).add(listener);
    }

    /** What a batch answers when the namespace was dropped after it was looked up: create it again and retry. */
    private static final Object MISSING = new Object();

    private <T> LsmStore.Batch<Object> inCurrentKeyspace(KeyspaceBatch<T> batch) {
        dev.cairn.api.StoreListeners listeners = engine.listeners(name);
        Changes changes = listeners.any() ? new Changes() : null;
        return new LsmStore.Batch<>() {
            @Override
            public Object apply(long seq, List<Record> out) {
                Keyspace ks = liveKeyspace();
                return ks == null ? MISSING : batch.apply(ks, seq, out, changes);
            }

            @Override
            public void applied() {
                if (changes != null) {
                    changes.deliver(listeners); // under the write lock: in commit order
                }
            }
        };
    }

    /** Runs batch in the namespace's keyspace as of the write lock, creating the namespace first if it is missing. */
    @SuppressWarnings("unchecked")
    private <T> T inKeyspace(KeyspaceBatch<T> batch) {
        while (true) {
            engine.keyspace(name); // create outside the write lock if needed
            Object result = engine.mutate(inCurrentKeyspace(batch));
            if (result != MISSING) {
                return (T) result;
            }
        }
    }

    /** {@link #inKeyspace} without waiting for durability. */
    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> inKeyspaceAsync(KeyspaceBatch<T> batch) {
        engine.keyspace(name);
        return engine.mutateAsync(inCurrentKeyspace(batch))
                .thenCompose(r -> r == MISSING ? inKeyspaceAsync(batch) : CompletableFuture.completedFuture((T) r));
    }

    // ------------------------------------------------------------------ AsyncStore

    private final AsyncStore async = new Async();

    /** The non-blocking form: writes complete from the group commit; no thread waits on an fsync. */
    @Override
    public AsyncStore async() {
        return async;
    }

    /**
     * Reads answer at once (they never wait on an fsync); writes are decided and logged on the
     * caller's thread and complete when durable. Argument errors fail the future, as the blocking
     * call would throw.
     */
    private final class Async implements AsyncStore {
        private <T> CompletableFuture<T> attempt(java.util.function.Supplier<CompletableFuture<T>> call) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        private <T> CompletableFuture<T> now(java.util.function.Supplier<T> call) {
            return attempt(() -> CompletableFuture.completedFuture(call.get()));
        }

        private CompletableFuture<Written> writing(byte[] key, Mutation mutation, WriteOptions options, byte[] value) {
            engine.checkWrite(options);
            limits().checkKey(key);
            if (value != null) {
                limits().checkValue(value);
            }
            return inKeyspaceAsync(decided(key, mutation));
        }

        @Override
        public Store store() {
            return LsmNamespace.this;
        }

        /** Writes are decided, logged and applied on the caller's thread; only the fsync is awaited. */
        @Override
        public boolean appliesAtOnce() {
            return true;
        }

        @Override
        public Runnable holdDurability() {
            return engine.holdDurability();
        }

        @Override
        public CompletableFuture<Optional<Entry>> get(byte[] key, ReadOptions options) {
            return now(() -> LsmNamespace.this.get(key, options));
        }

        @Override
        public CompletableFuture<List<Optional<Entry>>> getAll(List<byte[]> keys, ReadOptions options) {
            return now(() -> LsmNamespace.this.getAll(keys, options));
        }

        @Override
        public CompletableFuture<Entry> put(byte[] key, byte[] value, WriteOptions options) {
            return attempt(() -> {
                engine.checkWrite(options);
                limits().checkKey(key);
                limits().checkValue(value);
                return inKeyspaceAsync(putBatch(key, value, options));
            });
        }

        @Override
        public CompletableFuture<Boolean> delete(byte[] key, WriteOptions options) {
            return attempt(() -> writing(key, new Mutation.Delete(), options, null).thenApply(w -> w.decision.applied()));
        }

        @Override
        public CompletableFuture<Optional<Entry>> compareAndSet(byte[] key, Expected expected, byte[] value,
                                                               WriteOptions options) {
            return attempt(() -> writing(key, new Mutation.CompareAndSet(expected, value, options), options, value)
                    .thenApply(w -> w.decision.applied() ? Optional.of(w.decision.entry(key, w.version)) : Optional.empty()));
        }

        @Override
        public CompletableFuture<Boolean> compareAndDelete(byte[] key, Expected expected, WriteOptions options) {
            return attempt(() -> writing(key, new Mutation.CompareAndDelete(expected), options, null)
                    .thenApply(w -> w.decision.applied()));
        }

        @Override
        public CompletableFuture<Long> increment(byte[] key, long delta, WriteOptions options) {
            return attempt(() -> writing(key, new Mutation.Increment(delta, options), options, null)
                    .thenApply(w -> w.decision.number()));
        }

        @Override
        public CompletableFuture<Boolean> expireAt(byte[] key, long expiresAtMillis, WriteOptions options) {
            return attempt(() -> writing(key, new Mutation.ExpireAt(expiresAtMillis), options, null)
                    .thenApply(w -> w.decision.applied()));
        }

        @Override
        public CompletableFuture<Boolean> persist(byte[] key, WriteOptions options) {
            return attempt(() -> writing(key, new Mutation.Persist(), options, null).thenApply(w -> w.decision.applied()));
        }

        @Override
        public CompletableFuture<Void> putAll(List<KeyValue> entries, WriteOptions options) {
            return attempt(() -> {
                checkPutAll(entries, options);
                return entries.isEmpty() ? CompletableFuture.completedFuture(null) : inKeyspaceAsync(putAllBatch(entries, options));
            });
        }

        @Override
        public CompletableFuture<List<dev.cairn.api.MutationOutcome>> mutateAll(List<dev.cairn.api.KeyedMutation> writes) {
            return attempt(() -> {
                engine.checkOpen();
                return writes.isEmpty() ? CompletableFuture.completedFuture(List.of()) : inKeyspaceAsync(decidedAll(writes));
            });
        }

        @Override
        public CompletableFuture<Integer> deleteAll(Collection<byte[]> keys, WriteOptions options) {
            return attempt(() -> {
                engine.checkWrite(options);
                keys.forEach(limits()::checkKey);
                return inKeyspaceAsync(deleteAllBatch(keys));
            });
        }
    }

    // ------------------------------------------------------------------ ReplicaStore

    @Override
    public boolean applyIfNewer(ReplicaRecord record) {
        return applyAllIfNewer(List.of(record)) == 1;
    }

    @Override
    public int applyAllIfNewer(List<ReplicaRecord> records) {
        engine.checkOpen();
        for (ReplicaRecord r : records) {
            limits().checkKey(r.key());
            if (!r.isTombstone()) {
                limits().checkValue(r.value());
            }
        }
        if (records.isEmpty()) {
            return 0;
        }
        return inKeyspace((ks, seq, out, changes) -> {
            // later records of the batch compare with earlier ones of the same batch too
            TreeMap<byte[], Version> batch = new TreeMap<>(ByteStrings.ORDER);
            for (ReplicaRecord r : records) {
                Version stored = batch.get(r.key());
                if (stored == null) {
                    Record current = engine.newestLocked(ks.wrap(r.key()));
                    stored = current == null ? null : current.version();
                }
                if (stored == null || r.version().isNewerThan(stored)) {
                    if (changes != null) {
                        changes.add(r.key().clone(), storedEntry(engine.newestLocked(ks.wrap(r.key())), r.key()),
                                r.isTombstone() ? null : new Entry(r.key().clone(), r.value().clone(), r.version(), r.expiresAtMillis()));
                    }
                    out.add(r.isTombstone()
                            ? Record.delete(ks.wrap(r.key()), seq++, r.version(), r.deletedAtMillis())
                            : Record.put(ks.wrap(r.key()), seq++, r.version(), r.expiresAtMillis(), r.value().clone()));
                    batch.put(r.key(), r.version());
                }
            }
            return out.size();
        });
    }

    @Override
    public Optional<ReplicaRecord> readRecord(byte[] key) {
        engine.checkOpen();
        limits().checkKey(key);
        Record r = newest(key);
        return r == null ? Optional.empty() : Optional.of(r.toReplicaRecord(key.clone()));
    }

    @Override
    public List<ReplicaRecord> scanRecords(KeyRange range, int limit) {
        engine.checkOpen();
        List<ReplicaRecord> out = new ArrayList<>(Math.min(limit, 256));
        scanNewest(range, limit, (ks, r) -> out.add(r.toReplicaRecord(ks.unwrap(r.key()))));
        return out;
    }

    @Override
    public Duration tombstoneGrace() {
        return engine.tombstoneGrace();
    }

    /** Closing a namespace's store closes nothing: the engine closes with {@link LsmStore#close}. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "namespace " + name + " of " + engine;
    }
}
