package dev.cairn.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What store providers open once per JVM and hand out many times: {@link #acquire} returns a
 * handle onto the engine opened under a key (opening it on the first call); the engine closes when
 * the last handle does. So two JCache managers, a JDBC connection and a server in one JVM share one
 * directory, one memory store or one cluster membership without fighting over it.
 */
public final class SharedNamespaces {
    private static final Map<String, Shared> OPEN = new HashMap<>();

    private SharedNamespaces() {
    }

    /** One open engine and its handles. */
    private static final class Shared {
        final String key;
        final Namespaces engine;
        int handles; // guarded by SharedNamespaces.class

        Shared(String key, Namespaces engine) {
            this.key = key;
            this.engine = engine;
        }
    }

    /**
     * A handle onto the engine open under {@code key} ({@code scheme:identity}), opened by
     * {@code opener} if none is; settings given to later opens of the same key do not apply.
     */
    public static synchronized Namespaces acquire(String key, Supplier<Namespaces> opener) {
        Shared shared = OPEN.get(key);
        while (shared != null && shared.handles == 0) { // closing: a new open must wait until it is closed
            try {
                SharedNamespaces.class.wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + key + " was closing", e);
            }
            shared = OPEN.get(key);
        }
        if (shared == null) {
            shared = new Shared(key, opener.get());
            OPEN.put(key, shared);
        }
        shared.handles++;
        return new Handle(shared);
    }

    private static void release(Shared shared) {
        synchronized (SharedNamespaces.class) {
            if (--shared.handles > 0) {
                return;
            }
        }
        try {
            shared.engine.close(); // outside the lock: a cluster member's graceful leave takes a while
        } finally {
            synchronized (SharedNamespaces.class) {
                OPEN.remove(shared.key);
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
            return shared.engine.namespace(name, settings);
        }

        @Override
        public List<String> names() {
            return shared.engine.names();
        }

        @Override
        public boolean drop(String name) {
            return shared.engine.drop(name);
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
