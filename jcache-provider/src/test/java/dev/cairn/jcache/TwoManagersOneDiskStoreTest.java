package dev.cairn.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two cache managers (the same configuration under two class loaders, as two web applications in
 * one container have) on one disk store, writing the same keys concurrently. Their caches share
 * the store but not a JVM lock: only the store's compare-and-set keeps their conditional
 * operations atomic. No update may be lost.
 */
class TwoManagersOneDiskStoreTest {
    @TempDir
    Path dir;

    /** What a listener of the first manager's cache heard. */
    public static final class Heard implements javax.cache.event.CacheEntryCreatedListener<String, Long>,
            javax.cache.event.CacheEntryUpdatedListener<String, Long>, javax.cache.event.CacheEntryRemovedListener<String, Long>,
            java.io.Serializable {
        private static final long serialVersionUID = 1L;
        static final List<String> EVENTS = new java.util.concurrent.CopyOnWriteArrayList<>();

        private void record(Iterable<javax.cache.event.CacheEntryEvent<? extends String, ? extends Long>> events) {
            for (javax.cache.event.CacheEntryEvent<? extends String, ? extends Long> e : events) {
                EVENTS.add(e.getEventType() + " " + e.getKey() + " " + e.getValue()
                        + (e.isOldValueAvailable() ? " old=" + e.getOldValue() : ""));
            }
        }

        @Override
        public void onCreated(Iterable<javax.cache.event.CacheEntryEvent<? extends String, ? extends Long>> events) {
            record(events);
        }

        @Override
        public void onUpdated(Iterable<javax.cache.event.CacheEntryEvent<? extends String, ? extends Long>> events) {
            record(events);
        }

        @Override
        public void onRemoved(Iterable<javax.cache.event.CacheEntryEvent<? extends String, ? extends Long>> events) {
            record(events);
        }
    }

    /**
     * A listener registered through one manager hears the changes the other manager makes to the
     * same store — from the store, not from its own call path — and hears its own manager's
     * changes exactly once.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aListenerHearsWhatTheOtherManagerWrites() throws Exception {
        Path config = dir.resolve("events.properties");
        Files.writeString(config, "data-dir = " + dir.resolve("data") + "\ndefault.persistence = disk\ndefault.sync = NONE\n");
        CachingProvider provider = Caching.getCachingProvider(CairnCachingProvider.class.getName());
        CacheManager first = provider.getCacheManager(config.toUri(), getClass().getClassLoader());
        CacheManager second = provider.getCacheManager(config.toUri(), new URLClassLoader(new URL[0], getClass().getClassLoader()));
        Heard.EVENTS.clear();
        MutableConfiguration<String, Long> listened = new MutableConfiguration<String, Long>().setTypes(String.class, Long.class)
                .addCacheEntryListenerConfiguration(new javax.cache.configuration.MutableCacheEntryListenerConfiguration<>(
                        javax.cache.configuration.FactoryBuilder.factoryOf(Heard.class), null, true, true));
        Cache<String, Long> a = first.createCache("watched", listened);
        Cache<String, Long> b = second.createCache("watched", new MutableConfiguration<String, Long>().setTypes(String.class, Long.class));
        b.put("k", 1L);
        b.replace("k", 1L, 2L);
        a.put("mine", 7L);
        b.remove("k");
        assertEquals(List.of("CREATED k 1", "UPDATED k 2 old=1", "CREATED mine 7", "REMOVED k 2 old=2"), Heard.EVENTS);
        first.close();
        second.close();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void concurrentInvokePutIfAbsentAndReplaceFromTwoManagersLoseNoUpdate() throws Exception {
        Path config = dir.resolve("shared.properties");
        Files.writeString(config, "data-dir = " + dir.resolve("data") + "\ndefault.persistence = disk\ndefault.sync = NONE\n");
        URI uri = config.toUri();
        CachingProvider provider = Caching.getCachingProvider(CairnCachingProvider.class.getName());
        ClassLoader other = new URLClassLoader(new URL[0], getClass().getClassLoader());
        CacheManager first = provider.getCacheManager(uri, getClass().getClassLoader());
        CacheManager second = provider.getCacheManager(uri, other);
        assertNotSame(first, second);
        MutableConfiguration<String, Long> config1 = new MutableConfiguration<String, Long>().setTypes(String.class, Long.class);
        Cache<String, Long> a = first.createCache("counters", config1);
        Cache<String, Long> b = second.createCache("counters", config1);
        int perThread = 300;
        int keys = 5;
        AtomicInteger claimed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Cache<String, Long> cache = t % 2 == 0 ? a : b;
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String key = "k" + (i % keys);
                        switch (i % 3) {
                            case 0 -> cache.invoke(key, (entry, args) -> {
                                entry.setValue(entry.exists() ? entry.getValue() + 1 : 1L);
                                return null;
                            });
                            case 1 -> {
                                while (true) { // replace(k, old, new) as a counter: lost updates show in the sum
                                    Long old = cache.get(key);
                                    if (old == null ? cache.putIfAbsent(key, 1L) : cache.replace(key, old, old + 1)) {
                                        break;
                                    }
                                }
                            }
                            default -> {
                                if (cache.putIfAbsent("claim-" + thread + "-" + i, (long) thread)) {
                                    claimed.incrementAndGet();
                                }
                                if (cache.putIfAbsent("contended-" + i, (long) thread)) {
                                    claimed.incrementAndGet();
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long sum = 0;
        for (int k = 0; k < keys; k++) {
            sum += a.get("k" + k);
            assertEquals(a.get("k" + k), b.get("k" + k), "both managers read the same store");
        }
        int incrementsPerThread = 0;
        int contendedRounds = 0;
        for (int i = 0; i < perThread; i++) {
            if (i % 3 != 2) {
                incrementsPerThread++;
            } else {
                contendedRounds++;
            }
        }
        assertEquals(4L * incrementsPerThread, sum, "every invoke and replace counted once");
        // each thread claims its own keys, and exactly one thread wins each contended key
        assertEquals(4 * contendedRounds + contendedRounds, claimed.get());
        first.close();
        second.close();
    }
}
