package dev.cairn.jcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.Store;
import dev.cairn.jcache.configuration.CairnConfiguration;
import dev.cairn.jcache.configuration.Persistence;
import dev.cairn.jcache.serialization.AllowList;
import dev.cairn.jcache.serialization.Codec;
import dev.cairn.jcache.serialization.SerializationException;
import dev.cairn.storage.memory.EvictionPolicy;
import dev.cairn.storage.memory.MemoryStore;
import java.io.Serializable;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.EventType;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.spi.CachingProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cairn-specific behaviour of the provider, beyond what the TCK checks. */
class CairnProviderTest {
    @TempDir
    Path dir;

    private final CachingProvider provider = Caching.getCachingProvider(CairnCachingProvider.class.getName());
    private final List<CacheManager> managers = new ArrayList<>();

    private CacheManager manager(URI uri) {
        CacheManager m = provider.getCacheManager(uri, getClass().getClassLoader());
        managers.add(m);
        return m;
    }

    @AfterEach
    void closeManagers() {
        managers.forEach(CacheManager::close);
    }

    /** Serializable, but in a package no configuration allows. */
    static final class Secret implements Serializable {
        private static final long serialVersionUID = 1L;
        final String text;

        Secret(String text) {
            this.text = text;
        }
    }

    @Test
    void providerIsFoundWithoutConfigurationAndDefaultsToMemoryWithNoFiles() {
        assertTrue(Caching.getCachingProvider() instanceof CairnCachingProvider);
        CacheManager m = manager(null);
        Cache<String, String> c = m.createCache("plain", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
        c.put("k", "v");
        assertEquals("v", c.get("k"));
        assertTrue(c.unwrap(Store.class) instanceof MemoryStore);
        assertSame(c, c.unwrap(CairnCache.class));
        assertThrows(IllegalArgumentException.class, () -> c.unwrap(String.class));
    }

    @Test
    void classpathUriConfiguresBoundsAndEviction() {
        CacheManager m = manager(URI.create("classpath:cairn-bounded.properties"));
        Cache<Integer, String> c = m.createCache("small", new MutableConfiguration<Integer, String>()
                .setTypes(Integer.class, String.class).setStatisticsEnabled(true));
        for (int i = 0; i < 500; i++) {
            c.put(i, "v" + i);
        }
        int present = 0;
        for (Cache.Entry<Integer, String> ignored : c) {
            present++;
        }
        assertEquals(100, present, "max-entries = 100 from the file");
        assertEquals(400, c.unwrap(CairnCache.class).statistics().getCacheEvictions());
    }

    private Path configJar(String jarName, String properties) throws Exception {
        Path jar = dir.resolve(jarName);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("cairn.properties"));
            out.write(properties.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void aDiskCacheKeepsItsDataWhenItsConfigurationMovesIntoTheNextReleasesJar() throws Exception {
        String properties = "data-dir = " + dir.resolve("data").toString().replace('\\', '/') + "\ndefault.persistence = disk\n";
        Path v1 = configJar("app-1.0.jar", properties);
        Path v2 = configJar("app-1.1.jar", properties);
        CacheManager first = provider.getCacheManager(URI.create("jar:" + v1.toUri() + "!/cairn.properties"), getClass().getClassLoader());
        Cache<String, String> c = first.createCache("users", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
        c.put("ada", "Lovelace");
        first.close();
        CacheManager next = manager(URI.create("jar:" + v2.toUri() + "!/cairn.properties"));
        Cache<String, String> again = next.createCache("users", new MutableConfiguration<String, String>().setTypes(String.class, String.class));
        assertEquals("Lovelace", again.get("ada"), "the next release's manager finds the data of the one before");
        try (var dirs = Files.list(dir.resolve("data"))) {
            assertEquals(List.of("cairn.properties"), dirs.map(p -> p.getFileName().toString()).toList(),
                    "one directory, named after the configuration file, not one per jar");
        }
    }

    @Test
    void jarUriIsReadToo() throws Exception {
        Path jar = configJar("conf.jar", "default.max-entries = 3\n");
        CacheManager m = manager(URI.create("jar:" + jar.toUri() + "!/cairn.properties"));
        Cache<Integer, Integer> c = m.createCache("tiny", new MutableConfiguration<Integer, Integer>().setTypes(Integer.class, Integer.class));
        for (int i = 0; i < 10; i++) {
            c.put(i, i);
        }
        int present = 0;
        for (Cache.Entry<Integer, Integer> ignored : c) {
            present++;
        }
        assertEquals(3, present);
    }

    @Test
    void aMissingOrBadConfigurationIsAClearError() throws Exception {
        CacheException missing = assertThrows(CacheException.class,
                () -> provider.getCacheManager(dir.resolve("nope.properties").toUri(), getClass().getClassLoader()));
        assertTrue(missing.getMessage().contains("nope.properties"), missing.getMessage());
        Path bad = dir.resolve("bad.properties");
        Files.writeString(bad, "default.eviction = OLDEST\n");
        // refused when the manager is created, not at its first cache
        CacheException e = assertThrows(CacheException.class, () -> manager(bad.toUri()));
        assertTrue(e.getMessage().contains("OLDEST") && e.getMessage().contains("LRU"), e.getMessage());
        Path commented = dir.resolve("commented.properties");
        Files.writeString(commented, "default.persistence = memory     # memory | disk\n");
        CacheException comment = assertThrows(CacheException.class, () -> manager(commented.toUri()));
        assertTrue(comment.getMessage().contains("put comments on lines of their own"), comment.getMessage());
        Path typo = dir.resolve("typo.properties");
        Files.writeString(typo, "default.max-entry = 10\n");
        CacheException unknown = assertThrows(CacheException.class, () -> manager(typo.toUri()));
        assertTrue(unknown.getMessage().contains("unknown setting 'default.max-entry'"), unknown.getMessage());
    }

    @Test
    void diskCachesSurviveTheirManagerAndDestroyDeletesThem() throws Exception {
        Path config = dir.resolve("disk.properties");
        Files.writeString(config, "data-dir = " + dir.resolve("data") + "\ndefault.persistence = disk\ndefault.sync = SYNC\n");
        URI uri = config.toUri();
        CacheManager first = provider.getCacheManager(uri, getClass().getClassLoader());
        Cache<String, Long> c = first.createCache("counts", new MutableConfiguration<String, Long>().setTypes(String.class, Long.class));
        c.put("a", 1L);
        c.put("b", 2L);
        assertTrue(c.unwrap(Store.class) instanceof dev.cairn.api.ReplicaStore && !(c.unwrap(Store.class) instanceof MemoryStore));
        assertTrue(Files.exists(dir.resolve("data")), "on disk");
        first.close();

        CacheManager second = manager(uri);
        Cache<String, Long> again = second.createCache("counts", new MutableConfiguration<String, Long>().setTypes(String.class, Long.class));
        assertEquals(1L, again.get("a"));
        assertEquals(2L, again.get("b"));
        second.destroyCache("counts");
        Cache<String, Long> fresh = second.createCache("counts", new MutableConfiguration<String, Long>().setTypes(String.class, Long.class));
        assertNull(fresh.get("a"), "destroyCache deleted the data");
    }

    @Test
    void perCacheConfigurationOverridesTheFile() throws Exception {
        Path config = dir.resolve("mixed.properties");
        Files.writeString(config, "data-dir = " + dir.resolve("data") + "\ndefault.persistence = memory\n");
        CacheManager m = manager(config.toUri());
        Cache<String, String> disk = m.createCache("ondisk", new CairnConfiguration<String, String>()
                .persistence(Persistence.DISK).setTypes(String.class, String.class));
        Cache<String, String> lfu = m.createCache("lfu", new CairnConfiguration<String, String>()
                .maxEntries(2).eviction(EvictionPolicy.NONE).setTypes(String.class, String.class));
        assertFalse(disk.unwrap(Store.class) instanceof MemoryStore);
        lfu.put("a", "1");
        lfu.put("b", "2");
        assertThrows(dev.cairn.api.StoreFullException.class, () -> lfu.put("c", "3"));
    }

    @Test
    void deserializationRefusesClassesOffTheAllowListAndNamesThem() {
        CacheManager m = manager(null);
        Cache<String, Object> c = m.createCache("objects", new MutableConfiguration<String, Object>());
        c.put("ok", new ArrayList<>(List.of(1, 2, 3)));
        assertEquals(List.of(1, 2, 3), c.get("ok"));
        c.put("secret", new Secret("boom"));
        SerializationException e = assertThrows(SerializationException.class, () -> c.get("secret"));
        assertTrue(e.getMessage().contains(Secret.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("serialization.allow"), e.getMessage());

        Cache<String, Secret> typed = m.createCache("typed", new MutableConfiguration<String, Secret>().setTypes(String.class, Secret.class));
        typed.put("s", new Secret("allowed as the configured value type"));
        assertEquals("allowed as the configured value type", typed.get("s").text);
    }

    @Test
    void codecFastPathsRoundTrip() {
        Codec codec = new Codec(new AllowList(AllowList.JDK_VALUES), getClass().getClassLoader());
        for (Object o : List.of("text", "", 42L, 7, (short) 3, (byte) -1, true, 'x', 2.5d, 1.5f,
                new BigDecimal("1.10"), Instant.ofEpochSecond(5))) {
            assertEquals(o, codec.decode(codec.encode(o)), o.getClass().getName());
        }
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) codec.decode(codec.encode(new byte[] {1, 2, 3})));
        assertEquals(5, codec.encode("abcd").length, "a string is one tag byte plus its UTF-8");
    }

    @Test
    void storeByValueCopiesAndStoreByReferenceDoesNot() {
        CacheManager m = manager(null);
        Cache<String, ArrayList<String>> byValue = m.createCache("byValue", new MutableConfiguration<>());
        ArrayList<String> list = new ArrayList<>(List.of("a"));
        byValue.put("k", list);
        list.add("changed after put");
        assertEquals(List.of("a"), byValue.get("k"));
        assertNotSame(byValue.get("k"), byValue.get("k"));

        Cache<String, ArrayList<String>> byRef = m.createCache("byRef",
                new MutableConfiguration<String, ArrayList<String>>().setStoreByValue(false));
        byRef.put("k", list);
        assertSame(list, byRef.get("k"));
    }

    /** Collects EXPIRED events. */
    public static final class ExpiredEvents implements CacheEntryExpiredListener<String, String>, Serializable {
        private static final long serialVersionUID = 1L;
        static final List<CacheEntryEvent<? extends String, ? extends String>> SEEN = new CopyOnWriteArrayList<>();

        @Override
        public void onExpired(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            events.forEach(SEEN::add);
        }
    }

    @Test
    void anExpiredEntryMetOnAccessPublishesOneExpiredEvent() throws Exception {
        ExpiredEvents.SEEN.clear();
        dev.cairn.api.ManualClock clock = new dev.cairn.api.ManualClock();
        java.util.Properties props = new java.util.Properties();
        props.put(CairnCacheManager.CLOCK_PROPERTY, clock);
        CacheManager m = provider.getCacheManager(URI.create("urn:cairn:manual-clock"), getClass().getClassLoader(), props);
        managers.add(m);
        MutableConfiguration<String, String> config = new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(java.util.concurrent.TimeUnit.MILLISECONDS, 5)))
                .addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
                        FactoryBuilder.factoryOf(ExpiredEvents.class), null, true, true));
        Cache<String, String> c = m.createCache("expiring", config);
        c.put("k", "v");
        clock.advanceMillis(5); // the 5 ms expiry passes
        assertNull(c.get("k"));
        assertFalse(c.containsKey("k"));
        assertEquals(1, ExpiredEvents.SEEN.size());
        assertEquals(EventType.EXPIRED, ExpiredEvents.SEEN.get(0).getEventType());
        assertEquals("v", ExpiredEvents.SEEN.get(0).getOldValue());
    }
}
