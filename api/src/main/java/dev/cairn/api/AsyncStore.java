package dev.cairn.api;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The non-blocking form of a {@link Store} ({@link Store#async()}): the same operations, with the
 * same meaning and errors, answered by a {@link CompletableFuture} instead of by returning. A
 * caller that must not wait — a Netty event loop — gets its answer when the write is as durable as
 * the store promises (an fsync, a quorum of replicas) without a thread of its own waiting for it.
 * A failed future carries the exception the blocking call would have thrown.
 *
 * <p>Completion may run on a thread of the store's (the thread that finished the fsync, say):
 * callbacks that do real work should hop to their own executor.
 */
public interface AsyncStore {

    /** The blocking store this is the asynchronous form of. */
    Store store();

    /**
     * Whether a write is decided and applied before the call returns, only its durability being
     * awaited: a later write from the same caller, issued before the future completes, then sees
     * it (conditional writes and increments build on it), and the futures complete in the order
     * the writes were issued. False for the {@link #offloading} form, whose writes run later on
     * another thread.
     */
    default boolean appliesAtOnce() {
        return false;
    }

    /**
     * Asks the store to hold back the group commit it would start for the writes issued from now
     * on until the returned handle is run (once; running it again does nothing): writes issued in
     * the meantime then share one fsync instead of the first of them starting one alone. An event
     * loop holds while it serves one round of ready connections and lets go at the end of it, as
     * redis-server fsyncs once per round. The store starts the commit anyway after a short bound,
     * so a handle run late delays writes but never strands them. Does nothing where writes have
     * no group commit to hold (the default).
     */
    default Runnable holdDurability() {
        return NO_HOLD;
    }

    /** The handle of a hold that holds nothing. */
    Runnable NO_HOLD = () -> { };

    CompletableFuture<Optional<Entry>> get(byte[] key, ReadOptions options);

    CompletableFuture<Entry> put(byte[] key, byte[] value, WriteOptions options);

    CompletableFuture<Boolean> delete(byte[] key, WriteOptions options);

    CompletableFuture<Optional<Entry>> compareAndSet(byte[] key, Expected expected, byte[] value, WriteOptions options);

    CompletableFuture<Boolean> compareAndDelete(byte[] key, Expected expected, WriteOptions options);

    CompletableFuture<Long> increment(byte[] key, long delta, WriteOptions options);

    CompletableFuture<Boolean> expireAt(byte[] key, long expiresAtMillis, WriteOptions options);

    CompletableFuture<Boolean> persist(byte[] key, WriteOptions options);

    CompletableFuture<List<Optional<Entry>>> getAll(List<byte[]> keys, ReadOptions options);

    CompletableFuture<Void> putAll(List<KeyValue> entries, WriteOptions options);

    CompletableFuture<Integer> deleteAll(Collection<byte[]> keys, WriteOptions options);

    /** {@link Store#mutateAll}: completes with one outcome per write once they are as durable as the store promises. */
    CompletableFuture<List<MutationOutcome>> mutateAll(List<KeyedMutation> writes);

    /**
     * The asynchronous form of any store: each call runs the blocking one on {@code executor}, so
     * the caller's thread never waits (the executor's does). Engines with a native non-blocking
     * path ({@code LsmStore}) override {@link Store#async()} instead.
     */
    static AsyncStore offloading(Store store, Executor executor) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(executor, "executor");
        return new AsyncStore() {
            private <T> CompletableFuture<T> run(Supplier<T> call) {
                return CompletableFuture.supplyAsync(call, executor);
            }

            @Override
            public Store store() {
                return store;
            }

            @Override
            public CompletableFuture<Optional<Entry>> get(byte[] key, ReadOptions options) {
                return run(() -> store.get(key, options));
            }

            @Override
            public CompletableFuture<Entry> put(byte[] key, byte[] value, WriteOptions options) {
                return run(() -> store.put(key, value, options));
            }

            @Override
            public CompletableFuture<Boolean> delete(byte[] key, WriteOptions options) {
                return run(() -> store.delete(key, options));
            }

            @Override
            public CompletableFuture<Optional<Entry>> compareAndSet(byte[] key, Expected expected, byte[] value,
                                                                   WriteOptions options) {
                return run(() -> store.compareAndSet(key, expected, value, options));
            }

            @Override
            public CompletableFuture<Boolean> compareAndDelete(byte[] key, Expected expected, WriteOptions options) {
                return run(() -> store.compareAndDelete(key, expected, options));
            }

            @Override
            public CompletableFuture<Long> increment(byte[] key, long delta, WriteOptions options) {
                return run(() -> store.increment(key, delta, options));
            }

            @Override
            public CompletableFuture<Boolean> expireAt(byte[] key, long expiresAtMillis, WriteOptions options) {
                return run(() -> store.expireAt(key, expiresAtMillis, options));
            }

            @Override
            public CompletableFuture<Boolean> persist(byte[] key, WriteOptions options) {
                return run(() -> store.persist(key, options));
            }

            @Override
            public CompletableFuture<List<Optional<Entry>>> getAll(List<byte[]> keys, ReadOptions options) {
                return run(() -> store.getAll(keys, options));
            }

            @Override
            public CompletableFuture<Void> putAll(List<KeyValue> entries, WriteOptions options) {
                return run(() -> {
                    store.putAll(entries, options);
                    return null;
                });
            }

            @Override
            public CompletableFuture<Integer> deleteAll(Collection<byte[]> keys, WriteOptions options) {
                return run(() -> store.deleteAll(keys, options));
            }

            @Override
            public CompletableFuture<List<MutationOutcome>> mutateAll(List<KeyedMutation> writes) {
                return run(() -> store.mutateAll(writes));
            }
        };
    }

    /** The exception a failed future of this interface carries, unwrapped from {@link CompletionException}. */
    static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
