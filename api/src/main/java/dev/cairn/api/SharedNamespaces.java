package dev.cairn.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * What store providers open once per JVM and hand out many times: {@link #acquire} returns a
 * handle onto the engine opened under a key (opening it on the first call); the engine closes when
 * the last handle does. So two JCache managers, a JDBC connection and a server in one JVM share one
 * directory, one memory store or one cluster membership without fighting over it.
 *
 * <p>Opening and closing run outside any lock shared between keys: a cluster member's open waits
 * for the others to agree on it, and its close for them to take its data over, so three members
 * started together in one JVM must not wait for each other's opens.
 */
public final class SharedNamespaces {
    private static final Map<String, Shared> OPEN = new HashMap<>(); // guarded by SharedNamespaces.class

    private SharedNamespaces() {
    }

    /** One engine (being opened, open, or closing) and its handles. */
    private static final class Shared {
        final String key;
        final CompletableFuture<Namespaces> engine = new CompletableFuture<>();
        int handles; // guarded by SharedNamespaces.class
        boolean closing; // guarded by SharedNamespaces.class

        Shared(String key) {
            this.key = key;
        }

        Namespaces engine() {
            try {
                return engine.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
    }

    /**
     * A handle onto the engine open under {@code key} ({@code scheme:identity}), opened by
     * {@code opener} if none is (other callers for the same key wait for that open); settings
     * given to later opens of the same key do not apply.
     */
    public static Namespaces acquire(String key, Supplier<Namespaces> opener) {
        Shared shared;
        boolean opening = false;
        synchronized (SharedNamespaces.class) {
            while (true) {
                shared = OPEN.get(key);
                if (shared == null) {
                    shared = new Shared(key);
                    OPEN.put(key, shared);
                    opening = true;
                    break;
                }
                if (!shared.closing) {
                    break;
                }
                try {
                    SharedNamespaces.class.wait(); // closing: a new open waits until it is closed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while " + key + " was closing", e);
                }
            }
            shared.handles++;
        }
        if (opening) {
            try {
                shared.engine.complete(opener.get());
            } catch (RuntimeException | Error e) {
                synchronized (SharedNamespaces.class) {
                    OPEN.remove(key, shared);
                    SharedNamespaces.class.notifyAll();
                }
                shared.engine.completeExceptionally(e);
                throw e;
            }
        }
        try {
            shared.engine();
        } catch (RuntimeException e) {
            synchronized (SharedNamespaces.class) {
                shared.handles--;
            }
            throw e;
        }
        return new Handle(shared);
    }

    private static void release(Shared shared) {
        synchronized (SharedNamespaces.class) {
            if (--shared.handles > 0) {
                return;
            }
            shared.closing = true;
        }
        try {
            shared.engine().close(); // outside the lock: a cluster member's graceful leave takes a while
        } finally {
            synchronized (SharedNamespaces.class) {
                OPEN.remove(shared.key, shared);
                SharedNamespaces.class.notifyAll();
            }
        }
    }

    /** One holder's view of a shared engine: closing it releases the holder's reference once. */
    private static final class Handle implements Namespaces {
        private final Shared shared;
        private boolean released;

        Handle(Shared shared) {
            this.shared = shared;
        }

        @Override
        public Store namespace(String name, Map<String, String> settings) {
            return shared.engine().namespace(name, settings);
        }

        @Override
        public List<String> names() {
            return shared.engine().names();
        }

        @Override
        public boolean drop(String name) {
            return shared.engine().drop(name);
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                release(shared);
            }
        }

        @Override
        public String toString() {
            return shared.key;
        }
    }
}
