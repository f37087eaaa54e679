package dev.cairn.storage;

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
import java.util.function.Predicate;

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
        Keyspace ks = engine.liveKeyspace(name);
        if (ks == null) {
            return Optional.empty();
        }
        LsmStore.Snapshot s = engine.snapshot();
        try {
            Record r = engine.lookup(s, ks.wrap(key));
            if (r == null || r.isDelete() || (!options.includeExpired() && r.isDeadAt(now()))) {
                return Optional.empty();
            }
            return Optional.of(r.toEntry(key));
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
        Keyspace ks = engine.liveKeyspace(name);
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

    /**
     * Visits the newest record of each key of {@code range} in key order, in one snapshot, until
     * {@code limit} visits returned true.
     */
    private void scanNewest(KeyRange range, int limit, Visitor visitor) {
        Objects.requireNonNull(range, "range");
        if (limit < 1) {
            throw new IllegalArgumentException("scan limit must be at least 1: " + limit);
        }
        Keyspace ks = engine.liveKeyspace(name);
        if (range.isEmpty() || ks == null) {
            return;
        }
        KeyRange inner = ks.wrap(range);
        LsmStore.Snapshot s = engine.snapshot();
        try (RecordIterator it = engine.iterator(s, inner)) {
            it.seek(inner.start(), Record.MAX_SEQUENCE);
            byte[] previous = null;
            int taken = 0;
            for (; it.valid() && taken < limit; it.next()) {
                Record r = it.current();
                if (r.sequence() > s.sequence()) {
                    continue;
                }
                if (previous != null && Arrays.equals(previous, r.key())) {
                    continue;
                }
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
        Written w = write(key, new Mutation.Put(value, options));
        return w.decision.entry(key, w.version); // the caller's own arrays: no third copy
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
        engine.checkWrite(options);
        for (KeyValue kv : entries) {
            limits().checkKey(kv.key());
            limits().checkValue(kv.value());
        }
        if (entries.isEmpty()) {
            return;
        }
        inKeyspace((ks, seq, out) -> {
            long expiresAt = options.expiresAtMillis(now());
            for (KeyValue kv : entries) {
                out.add(Record.put(ks.wrap(kv.key()), seq, Version.local(seq), expiresAt, kv.value().clone()));
                seq++;
            }
            return null;
        });
    }

    @Override
    public int deleteAll(Collection<byte[]> keys, WriteOptions options) {
        engine.checkWrite(options);
        keys.forEach(limits()::checkKey);
        return inKeyspace((ks, seq, out) -> {
            Set<byte[]> seen = new TreeSet<>(ByteStrings.ORDER);
            long now = now();
            for (byte[] key : keys) {
                byte[] k = ks.wrap(key);
                Record stored = seen.add(key) ? engine.newestLocked(k) : null;
                if (stored != null && !stored.isDeadAt(now)) {
                    out.add(Record.delete(k, seq, Version.local(seq), now));
                    seq++;
                }
            }
            return out.size();
        });
    }

    /** Empties the namespace at once: its name gets a new keyspace, and compaction reclaims the old one. */
    @Override
    public void clear(WriteOptions options) {
        engine.checkWrite(options);
        engine.clearNamespace(name);
    }

    /** A single-key write as it was decided and the version it was given. */
    private record Written(Mutation.Decision decision, Version version) {
    }

    /**
     * Decides {@code mutation} on the key's stored entry and writes the outcome, as one step under
     * the engine's write lock. Only a put, which does not depend on the stored entry, skips the
     * lookup.
     */
    private Written write(byte[] key, Mutation mutation) {
        return inKeyspace((ks, seq, out) -> {
            long now = now();
            byte[] k = ks.wrap(key);
            Record stored = mutation instanceof Mutation.Put ? null : engine.newestLocked(k);
            Mutation.Decision d = mutation.decide(key,
                    stored == null || stored.isDelete() ? null : stored.toEntry(key), now);
            Version version = Version.local(seq);
            switch (d.write()) {
                case VALUE -> out.add(Record.put(k, seq, version, d.expiresAtMillis(), d.value().clone()));
                case TOMBSTONE -> out.add(Record.delete(k, seq, version, now));
                case NONE -> { }
            }
            return new Written(d, version);
        });
    }

    /** A batch decided under the write lock in the namespace's current keyspace. */
    private interface KeyspaceBatch<T> {
        T apply(Keyspace ks, long firstSequence, List<Record> out);
    }

    /** Runs batch in the namespace's keyspace as of the write lock, creating the namespace first if it is missing. */
    private <T> T inKeyspace(KeyspaceBatch<T> batch) {
        while (true) {
            engine.keyspace(name); // create outside the write lock if needed
            Object[] result = new Object[1];
            boolean done = engine.mutate((seq, out) -> {
                Keyspace ks = engine.liveKeyspace(name);
                if (ks == null) {
                    return false; // dropped meanwhile: create it again and retry
                }
                result[0] = batch.apply(ks, seq, out);
                return true;
            });
            if (done) {
                @SuppressWarnings("unchecked")
                T t = (T) result[0];
                return t;
            }
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
        return inKeyspace((ks, seq, out) -> {
            // later records of the batch compare with earlier ones of the same batch too
            TreeMap<byte[], Version> batch = new TreeMap<>(ByteStrings.ORDER);
            for (ReplicaRecord r : records) {
                Version stored = batch.get(r.key());
                if (stored == null) {
                    Record current = engine.newestLocked(ks.wrap(r.key()));
                    stored = current == null ? null : current.version();
                }
                if (stored == null || r.version().isNewerThan(stored)) {
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
        Keyspace ks = engine.liveKeyspace(name);
        if (ks == null) {
            return Optional.empty();
        }
        LsmStore.Snapshot s = engine.snapshot();
        try {
            Record r = engine.lookup(s, ks.wrap(key));
            return r == null ? Optional.empty() : Optional.of(r.toReplicaRecord(key.clone()));
        } finally {
            s.release();
        }
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
