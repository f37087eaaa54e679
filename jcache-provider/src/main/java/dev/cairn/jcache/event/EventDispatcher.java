package dev.cairn.jcache.event;

import java.io.Closeable;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.Factory;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEventFilter;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers entry events to the registered listeners.
 *
 * <p>Ordering: the cache publishes an event right after applying the change, while it still holds
 * the key's lock. A synchronous listener runs there and then, in the writing thread, and an
 * exception it throws reaches the caller as a {@link CacheEntryListenerException}. An asynchronous
 * listener gets the event through its own serial queue, drained on a shared executor one event at a
 * time: it never runs in parallel with itself, and the events of an entry arrive in the order the
 * changes were made. Exceptions of asynchronous listeners are logged.
 */
public final class EventDispatcher<K, V> implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);

    private final Executor executor;
    private final List<Registration<K, V>> registrations = new CopyOnWriteArrayList<>();

    public EventDispatcher(Executor executor) {
        this.executor = executor;
    }

    /** One registered listener with its filter and its queue. */
    private static final class Registration<K, V> {
        final CacheEntryListenerConfiguration<K, V> configuration;
        final CacheEntryListener<? super K, ? super V> listener;
        final CacheEntryEventFilter<? super K, ? super V> filter;
        final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
        final AtomicBoolean draining = new AtomicBoolean();

        Registration(CacheEntryListenerConfiguration<K, V> configuration) {
            this.configuration = configuration;
            this.listener = configuration.getCacheEntryListenerFactory().create();
            Factory<CacheEntryEventFilter<? super K, ? super V>> f = configuration.getCacheEntryEventFilterFactory();
            this.filter = f == null ? null : f.create();
        }
    }

    public void register(CacheEntryListenerConfiguration<K, V> configuration) {
        for (Registration<K, V> r : registrations) {
            if (r.configuration.equals(configuration)) {
                throw new IllegalArgumentException("listener configuration already registered: " + configuration);
            }
        }
        registrations.add(new Registration<>(configuration));
    }

    public void deregister(CacheEntryListenerConfiguration<K, V> configuration) {
        registrations.removeIf(r -> {
            if (r.configuration.equals(configuration)) {
                closeQuietly(r.listener);
                closeQuietly(r.filter);
                return true;
            }
            return false;
        });
    }

    /** True when some listener could receive events (so callers may skip building them). */
    public boolean hasListeners() {
        return !registrations.isEmpty();
    }

    public void publish(CairnEntryEvent<K, V> event) {
        for (Registration<K, V> r : registrations) {
            if (!accepts(r.listener, event)) {
                continue;
            }
            CairnEntryEvent<K, V> seen = r.configuration.isOldValueRequired() ? event : event.withoutOldValue();
            if (r.configuration.isSynchronous()) {
                if (passes(r, seen)) {
                    deliver(r, seen);
                }
            } else {
                r.queue.add(() -> {
                    if (passes(r, seen)) {
                        deliver(r, seen);
                    }
                });
                drain(r);
            }
        }
    }

    private void drain(Registration<K, V> r) {
        if (!r.draining.compareAndSet(false, true)) {
            return;
        }
        executor.execute(() -> {
            try {
                for (Runnable task; (task = r.queue.poll()) != null; ) {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        log.warn("asynchronous cache entry listener {} failed", r.listener, e);
                    }
                }
            } finally {
                r.draining.set(false);
                if (!r.queue.isEmpty()) {
                    drain(r);
                }
            }
        });
    }

    private static <K, V> boolean passes(Registration<K, V> r, CairnEntryEvent<K, V> event) {
        try {
            return r.filter == null || r.filter.evaluate(event);
        } catch (CacheEntryListenerException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CacheEntryListenerException("cache entry event filter failed", e);
        }
    }

    private static boolean accepts(CacheEntryListener<?, ?> listener, CairnEntryEvent<?, ?> event) {
        return switch (event.getEventType()) {
            case CREATED -> listener instanceof CacheEntryCreatedListener;
            case UPDATED -> listener instanceof CacheEntryUpdatedListener;
            case REMOVED -> listener instanceof CacheEntryRemovedListener;
            case EXPIRED -> listener instanceof CacheEntryExpiredListener;
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <K, V> void deliver(Registration<K, V> r, CairnEntryEvent<K, V> event) {
        Iterable events = List.of(event);
        try {
            switch (event.getEventType()) {
                case CREATED -> ((CacheEntryCreatedListener) r.listener).onCreated(events);
                case UPDATED -> ((CacheEntryUpdatedListener) r.listener).onUpdated(events);
                case REMOVED -> ((CacheEntryRemovedListener) r.listener).onRemoved(events);
                case EXPIRED -> ((CacheEntryExpiredListener) r.listener).onExpired(events);
                default -> throw new IllegalStateException();
            }
        } catch (CacheEntryListenerException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CacheEntryListenerException("cache entry listener failed", e);
        }
    }

    private static void closeQuietly(Object o) {
        if (o instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed", o, e);
            }
        }
    }

    @Override
    public void close() {
        for (Registration<K, V> r : registrations) {
            closeQuietly(r.listener);
            closeQuietly(r.filter);
        }
        registrations.clear();
    }
}
