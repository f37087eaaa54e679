package dev.cairn.api;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The reference model of the {@link Store} contract: a {@link TreeMap} behind one lock, written to
 * be obviously correct rather than fast. The contract suite runs against it, and randomized
 * model-based tests of the real engines use it as their oracle.
 *
 * <p>Every method is {@code synchronized}, so every operation, conditional or batch, is trivially
 * atomic. Versions come from one counter for the whole store, so a key's versions increase across
 * deletes without keeping tombstones. Expired entries stay in the map until something touches
 * them; every read goes through {@link #live}, which hides them.
 */
public final class ReferenceStore implements Store {
    private final Clock clock;
    private final StoreLimits limits;
    private final TreeMap<byte[], Entry> entries = new TreeMap<>(ByteStrings.ORDER);
    private long lastVersion;
    private final StoreListeners listeners = new StoreListeners();
    private boolean closed;

    public ReferenceStore(Clock clock, StoreLimits limits) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    @Override
    public StoreLimits limits() {
        return limits;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public synchronized Optional<Entry> get(byte[] key, ReadOptions options) {
        checkRead(options);
        if (options.includeExpired()) {
            Entry stored = entries.get(limits.checkKey(key));
            return stored == null ? Optional.empty() : Optional.of(copy(stored));
        }
        return Optional.ofNullable(live(limits.checkKey(key)));
    }

    @Override
    public synchronized boolean exists(byte[] key, ReadOptions options) {
        checkRead(options);
        return live(limits.checkKey(key)) != null;
    }

    @Override
    public synchronized Entry put(byte[] key, byte[] value, WriteOptions options) {
        checkWrite(options);
        limits.checkKey(key);
        limits.checkValue(value);
        return apply(key, new Mutation.Put(value, options)).orElseThrow();
    }

    @Override
    public synchronized boolean delete(byte[] key, WriteOptions options) {
        checkWrite(options);
        limits.checkKey(key);
        return decide(key, new Mutation.Delete()).applied();
    }

    @Override
    public synchronized Optional<Entry> compareAndSet(byte[] key, Expected expected, byte[] value, WriteOptions options) {
        checkWrite(options);
        limits.checkKey(key);
        limits.checkValue(value);
        return apply(key, new Mutation.CompareAndSet(expected, value, options));
    }

    @Override
    public synchronized boolean compareAndDelete(byte[] key, Expected expected, WriteOptions options) {
        checkWrite(options);
        limits.checkKey(key);
        return decide(key, new Mutation.CompareAndDelete(expected)).applied();
    }

    @Override
    public synchronized long increment(byte[] key, long delta, WriteOptions options) {
        checkWrite(options);
        limits.checkKey(key);
        return decide(key, new Mutation.Increment(delta, options)).number();
    }

    @Override
    public synchronized boolean expireAt(byte[] key, long expiresAtMillis, WriteOptions options) {
        checkWrite(options);
        limits.checkKey(key);
        return decide(key, new Mutation.ExpireAt(expiresAtMillis)).applied();
    }

    @Override
    public synchronized boolean persist(byte[] key, WriteOptions options) {
        checkWrite(options);
        limits.checkKey(key);
        return decide(key, new Mutation.Persist()).applied();
    }

    @Override
    public synchronized StoreListener.Subscription listen(StoreListener listener) {
        return listeners.add(listener);
    }

    /** What one mutation decided and the entry it wrote, if any. */
    private record Outcome(Mutation.Decision decision, Entry written) {
    }

    /** Returns the entry {@code mutation} wrote, if any. */
    private Optional<Entry> apply(byte[] key, Mutation mutation) {
        return Optional.ofNullable(mutate(key, mutation).written());
    }

    /** Returns what {@code mutation} decided. */
    private Mutation.Decision decide(byte[] key, Mutation mutation) {
        return mutate(key, mutation).decision();
    }

    /** Decides on the stored entry and writes the outcome. */
    private Outcome mutate(byte[] key, Mutation mutation) {
        Entry before = entries.get(key);
        Mutation.Decision d = mutation.decide(key, before, clock.millis());
        Entry written = switch (d.write()) {
            case VALUE -> write(key, d.value(), d.expiresAtMillis());
            case TOMBSTONE -> {
                entries.remove(key);
                yield null;
            }
            case NONE -> null;
        };
        if (d.write() != Mutation.Write.NONE) {
            listeners.changed(key.clone(), before == null ? null : copy(before), written == null ? null : copy(written));
        }
        return new Outcome(d, written);
    }

    @Override
    public synchronized RemainingTtl remainingTtl(byte[] key, ReadOptions options) {
        checkRead(options);
        return RemainingTtl.of(live(limits.checkKey(key)), clock.millis());
    }

    @Override
    public synchronized List<Optional<Entry>> getAll(List<byte[]> keys, ReadOptions options) {
        checkRead(options);
        keys.forEach(limits::checkKey);
        List<Optional<Entry>> result = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            result.add(Optional.ofNullable(live(key)));
        }
        return result;
    }

    @Override
    public synchronized void putAll(List<KeyValue> batch, WriteOptions options) {
        checkWrite(options);
        for (KeyValue kv : batch) {
            limits.checkKey(kv.key());
            limits.checkValue(kv.value());
        }
        long expiresAt = options.expiresAtMillis(clock.millis());
        for (KeyValue kv : batch) {
            Entry before = entries.get(kv.key());
            Entry after = write(kv.key(), kv.value(), expiresAt);
            listeners.changed(kv.key().clone(), before == null ? null : copy(before), after);
        }
    }

    @Override
    public synchronized int deleteAll(Collection<byte[]> keys, WriteOptions options) {
        checkWrite(options);
        keys.forEach(limits::checkKey);
        int removed = 0;
        for (byte[] key : keys) {
            Entry before = live(key);
            if (before != null) {
                entries.remove(key);
                removed++;
                listeners.changed(key.clone(), before, null);
            }
        }
        return removed;
    }

    @Override
    public synchronized List<Entry> scan(KeyRange range, int limit, ReadOptions options) {
        checkRead(options);
        Objects.requireNonNull(range, "range");
        if (limit < 1) {
            throw new IllegalArgumentException("scan limit must be at least 1: " + limit);
        }
        List<Entry> result = new ArrayList<>();
        if (range.isEmpty()) {
            return result;
        }
        long now = clock.millis();
        Map<byte[], Entry> view = range.start() == null ? entries : entries.tailMap(range.start(), true);
        for (Entry entry : view.values()) {
            if (result.size() == limit || !range.contains(entry.key())) {
                break;
            }
            if (!entry.isExpiredAt(now)) {
                result.add(copy(entry));
            }
        }
        return result;
    }

    @Override
    public synchronized void clear(WriteOptions options) {
        checkWrite(options);
        entries.clear();
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private Entry live(byte[] key) {
        Entry entry = entries.get(key);
        if (entry == null || entry.isExpiredAt(clock.millis())) {
            return null;
        }
        return copy(entry);
    }

    private Entry write(byte[] key, byte[] value, long expiresAtMillis) {
        Entry entry = new Entry(key.clone(), value.clone(), Version.local(++lastVersion), expiresAtMillis);
        entries.put(entry.key(), entry);
        return copy(entry);
    }

    private static Entry copy(Entry e) {
        return new Entry(e.key().clone(), e.value().clone(), e.version(), e.expiresAtMillis());
    }

    private void checkRead(ReadOptions options) {
        checkOpen();
        options.consistency().requireSatisfiedBy(1, 1);
    }

    private void checkWrite(WriteOptions options) {
        checkOpen();
        options.consistency().requireSatisfiedBy(1, 1);
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreClosedException("reference");
        }
    }
}
