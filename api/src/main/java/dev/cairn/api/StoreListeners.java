package dev.cairn.api;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The listeners of one store, for implementations of {@link Store#listen}: registration, and
 * delivery that a failing listener cannot stop (its exception is reported to the thread's
 * uncaught-exception handler, and the write it reports stands).
 */
public final class StoreListeners {
    private final CopyOnWriteArrayList<StoreListener> listeners = new CopyOnWriteArrayList<>();

    public StoreListener.Subscription add(StoreListener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Whether anyone listens: writers skip the work of describing changes when not. */
    public boolean any() {
        return !listeners.isEmpty();
    }

    public void changed(byte[] key, Entry before, Entry after) {
        for (StoreListener l : listeners) {
            try {
                l.changed(key, before, after);
            } catch (RuntimeException e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }
    }
}
