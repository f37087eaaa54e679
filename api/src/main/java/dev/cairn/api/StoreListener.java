package dev.cairn.api;

/**
 * Told of every change to a store's keys made through any handle on it in this process — the
 * same namespace opened twice, by two JCache managers or a JDBC connection and a server, later by
 * another member — so that a front end can report changes it did not make itself
 * ({@link Store#listen}).
 *
 * <p>Called on the writing thread once the change is applied, in the order the store applied the
 * changes, so the changes of one key arrive in order. A listener must be quick and must not wait
 * on other writers (it may run while the store holds a lock); what it does with a change (queue it,
 * publish an event) is up to it. Clears, expiry and eviction are not reported.
 */
@FunctionalInterface
public interface StoreListener {
    /**
     * {@code key} changed from {@code before} (its stored value, live or expired; {@code null}:
     * none) to {@code after} ({@code null}: removed).
     */
    void changed(byte[] key, Entry before, Entry after);

    /** What {@link Store#listen} returns: closing it stops the listener. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
