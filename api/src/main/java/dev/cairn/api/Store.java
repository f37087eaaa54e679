package dev.cairn.api;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A key-value store: the contract every Cairn front end (JCache, JDBC, RESP) programs against and
 * every engine (the reference model, the LSM tree, the cluster) implements.
 *
 * <h2>Data</h2>
 * Keys and values are byte strings. Keys are ordered by unsigned lexicographic comparison
 * ({@link ByteStrings#ORDER}). Each live key has one {@link Entry}: its value, a version and an
 * optional expiry instant. Versions are positive and strictly increase with every successful
 * mutation of a key, across deletes.
 *
 * <h2>Expiry</h2>
 * Time is read only from {@link #clock()}. An entry whose expiry instant has been reached is
 * invisible to every read path at once ({@code get}, {@code exists}, {@code getAll},
 * {@code scan}, {@code remainingTtl}, and the condition of conditional writes) and is treated as
 * absent by every write. Reclaiming its space happens later, in the background.
 *
 * <h2>Bad input</h2>
 * Every operation checks its arguments against {@link #limits()} before reading or writing
 * anything: a {@code null} or empty key raises {@link IllegalKeyException}, a key or value over the
 * limit {@link KeyTooLargeException} or {@link ValueTooLargeException}, a {@code null} value or
 * options {@link NullPointerException}, a non-positive scan limit {@link IllegalArgumentException}.
 * A refused call changes nothing; a refused batch writes none of its entries.
 *
 * <h2>Consistency</h2>
 * Each call may name a {@link Consistency}; the defaults are {@code QUORUM}. A single-node store
 * has a replication factor of 1: {@code ONE}, {@code QUORUM} and {@code ALL} all need its one
 * answer, and an explicit count above 1 fails with {@link QuorumNotReachedException}.
 *
 * <h2>Other errors</h2>
 * After {@link #close()} every operation raises {@link StoreClosedException}. Damaged data on disk
 * raises {@link CorruptionException}; a store never returns data that failed its checks.
 *
 * <h2>Concurrency</h2>
 * Implementations are thread-safe. Each single-key operation is atomic and linearizable, including
 * the conditional ones ({@link #compareAndSet}, {@link #compareAndDelete}, {@link #increment}):
 * concurrent callers never lose an update. Batches are atomic per key; an implementation may
 * document stronger guarantees.
 *
 * <p>Arrays passed in are not retained: the store copies what it keeps, so callers may reuse them.
 * Arrays returned in entries belong to the caller; the entry {@link #put} returns may hold the very
 * arrays the caller passed in.
 */
public interface Store extends AutoCloseable {

    /** The limits this store checks every key and value against. */
    StoreLimits limits();

    /** The clock this store reads time from, for TTLs and expiry. */
    Clock clock();

    /**
     * The live entry of {@code key}, or empty if it is absent or expired. With
     * {@link ReadOptions#includingExpired()}, an expired entry not yet reclaimed is returned too.
     */
    Optional<Entry> get(byte[] key, ReadOptions options);

    /** True when {@code key} has a live entry. */
    boolean exists(byte[] key, ReadOptions options);

    /**
     * Writes {@code value} under {@code key}, replacing any previous entry and its expiry, with the
     * TTL of {@code options} (none: never expires). Returns the entry as written, with its new
     * version.
     */
    Entry put(byte[] key, byte[] value, WriteOptions options);

    /** Removes {@code key}. Returns true when it had a live entry. */
    boolean delete(byte[] key, WriteOptions options);

    /**
     * Writes {@code value} under {@code key} only if the key's current state meets {@code expected}
     * (absent, a version, or a value). The check and the write are one atomic step. Returns the
     * entry written, or empty when the condition did not hold (and nothing was written). The TTL
     * comes from {@code options}, as for {@link #put}.
     */
    Optional<Entry> compareAndSet(byte[] key, Expected expected, byte[] value, WriteOptions options);

    /**
     * Removes {@code key} only if its current state meets {@code expected}. Returns true when it
     * removed a live entry; {@link Expected#absent()} never removes anything and returns false.
     */
    boolean compareAndDelete(byte[] key, Expected expected, WriteOptions options);

    /**
     * Atomically adds {@code delta} to the counter stored under {@code key} and returns the new
     * value. An absent (or expired) key counts as 0. The value is read and written as canonical
     * decimal ASCII ({@link DecimalCounter}); anything else raises {@link NotANumberException}, and
     * a result outside the 64-bit range raises {@link NumericOverflowException}; in both cases the
     * stored value is left unchanged. An existing expiry is kept unless {@code options} carries a
     * TTL or an expiry instant, which then replaces it.
     */
    long increment(byte[] key, long delta, WriteOptions options);

    /**
     * Sets the expiry instant of a live key to {@code expiresAtMillis} (epoch millis, positive),
     * keeping its value. An instant at or before now deletes the key. Returns false, changing
     * nothing, when the key is absent.
     */
    boolean expireAt(byte[] key, long expiresAtMillis, WriteOptions options);

    /** Removes the expiry of a live key. Returns false when the key is absent or never expired. */
    boolean persist(byte[] key, WriteOptions options);

    /** Whether {@code key} is missing, never expires, or how long it has left. */
    RemainingTtl remainingTtl(byte[] key, ReadOptions options);

    /**
     * The live entries of {@code keys}, one element per key in the same order (empty for an absent
     * key; a key named twice appears twice).
     */
    List<Optional<Entry>> getAll(List<byte[]> keys, ReadOptions options);

    /**
     * Writes every pair, as {@link #put} would with the same options; when a key appears more than
     * once the last pair wins. Every key and value is checked first: one bad pair refuses the whole
     * batch and nothing is written.
     */
    void putAll(List<KeyValue> entries, WriteOptions options);

    /** Removes every key; returns how many had a live entry. */
    int deleteAll(Collection<byte[]> keys, WriteOptions options);

    /**
     * Runs single-key writes in order, each as its own call would ({@link Mutation} names the
     * call), and answers one {@link MutationOutcome} per write: the call's answer, or the
     * exception it would have thrown. A failed write writes nothing and the others still run; a
     * write sees the writes before it in the batch. Every write is checked against the limits
     * like its call; the batch refuses nothing as a whole.
     *
     * <p>This default makes one call per write, so the batch is as atomic as those calls. An
     * engine may do better and document it: the LSM tree decides the whole batch under one
     * write lock and logs it as one WAL record (one append, one fsync), which is what makes a
     * pipeline of writes from a RESP client cheap.
     */
    default List<MutationOutcome> mutateAll(List<KeyedMutation> writes) {
        List<MutationOutcome> out = new java.util.ArrayList<>(writes.size());
        for (KeyedMutation w : writes) {
            out.add(MutationOutcome.runOne(this, w));
        }
        return out;
    }

    /**
     * Up to {@code limit} live entries in {@code range}, in key order. The result is a consistent
     * snapshot: it reflects every write acknowledged before the call began and no half-applied
     * batch. Page through a larger range with {@link KeyRange#startingAfter}.
     */
    List<Entry> scan(KeyRange range, int limit, ReadOptions options);

    /**
     * The number of live entries. Reads every entry (in pages of a snapshot each), so it takes
     * time in proportion to the store's size.
     */
    default long count(ReadOptions options) {
        long n = 0;
        KeyRange range = KeyRange.all();
        while (true) {
            List<Entry> page = scan(range, 1024, options);
            n += page.size();
            if (page.size() < 1024) {
                return n;
            }
            range = range.startingAfter(page.get(page.size() - 1).key());
        }
    }

    /**
     * Removes every entry, as one step: readers see all of them or none of them. Versions of keys
     * written afterwards still increase past the ones they had.
     */
    void clear(WriteOptions options);

    /**
     * Releases the store's resources after in-flight operations end; durable implementations make
     * every acknowledged write durable first. Idempotent. Afterwards every operation raises
     * {@link StoreClosedException}.
     */
    @Override
    void close();

    /**
     * Registers {@code listener} for every later change to this store's keys (see
     * {@link StoreListener}); closing the subscription stops it.
     *
     * @throws UnsupportedOperationException if this store cannot report changes
     */
    default StoreListener.Subscription listen(StoreListener listener) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not report changes");
    }

    /**
     * The non-blocking form of this store. By default every call runs on a shared pool of daemon
     * threads ({@link AsyncStore#offloading}); engines that can do better (an LSM store completes
     * a write's future from its group commit, without a waiting thread) override this.
     */
    default AsyncStore async() {
        return AsyncStore.offloading(this, StoreThreads.BLOCKING);
    }

    // Conveniences with the default options.

    default Optional<Entry> get(byte[] key) {
        return get(key, ReadOptions.DEFAULT);
    }

    default boolean exists(byte[] key) {
        return exists(key, ReadOptions.DEFAULT);
    }

    default Entry put(byte[] key, byte[] value) {
        return put(key, value, WriteOptions.DEFAULT);
    }

    default boolean delete(byte[] key) {
        return delete(key, WriteOptions.DEFAULT);
    }

    /** {@link #compareAndSet} expecting the key to be absent. */
    default Optional<Entry> putIfAbsent(byte[] key, byte[] value, WriteOptions options) {
        return compareAndSet(key, Expected.absent(), value, options);
    }

    default Optional<Entry> putIfAbsent(byte[] key, byte[] value) {
        return putIfAbsent(key, value, WriteOptions.DEFAULT);
    }

    default Optional<Entry> compareAndSet(byte[] key, Expected expected, byte[] value) {
        return compareAndSet(key, expected, value, WriteOptions.DEFAULT);
    }

    default boolean compareAndDelete(byte[] key, Expected expected) {
        return compareAndDelete(key, expected, WriteOptions.DEFAULT);
    }

    default long increment(byte[] key, long delta) {
        return increment(key, delta, WriteOptions.DEFAULT);
    }

    /** {@link #expireAt} at {@code ttl} from now on {@link #clock()}; {@code ttl} must be positive. */
    default boolean expire(byte[] key, Duration ttl, WriteOptions options) {
        return expireAt(key, WriteOptions.DEFAULT.withTtl(ttl).expiresAtMillis(clock().millis()), options);
    }

    default boolean expire(byte[] key, Duration ttl) {
        return expire(key, ttl, WriteOptions.DEFAULT);
    }

    default boolean persist(byte[] key) {
        return persist(key, WriteOptions.DEFAULT);
    }

    default RemainingTtl remainingTtl(byte[] key) {
        return remainingTtl(key, ReadOptions.DEFAULT);
    }

    default List<Optional<Entry>> getAll(List<byte[]> keys) {
        return getAll(keys, ReadOptions.DEFAULT);
    }

    default void putAll(List<KeyValue> entries) {
        putAll(entries, WriteOptions.DEFAULT);
    }

    default int deleteAll(Collection<byte[]> keys) {
        return deleteAll(keys, WriteOptions.DEFAULT);
    }

    default List<Entry> scan(KeyRange range, int limit) {
        return scan(range, limit, ReadOptions.DEFAULT);
    }

    default long count() {
        return count(ReadOptions.DEFAULT);
    }

    default void clear() {
        clear(WriteOptions.DEFAULT);
    }
}
