package dev.cairn.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.processor.MutableEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Caches with {@code persistence = cluster}: three JVM-embedded members (three providers in this
 * JVM, each configured as a different member, real JGroups TCP on loopback) see one set of
 * entries; {@code invoke} from all three at once loses no update; per-cache N/W/R is checked; a
 * member whose provider closes leaves gracefully and the others keep every entry.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterCachesTest {
    @TempDir
    Path dir;

    private final List<CairnCachingProvider> providers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (CairnCachingProvider p : providers) {
            p.close();
        }
    }


    private List<CacheManager> members(String extra) throws IOException {
        return startMembers(dir, providers, "serialization.allow = " + Counter.class.getName(), extra);
    }

    /**
     * Three cache managers in this JVM, each a member of one new cluster (JGroups TCP on loopback),
     * configured by a file in {@code dir} with {@code extra} lines added; their providers go to
     * {@code providers}, for the caller to close.
     */
    static List<CacheManager> startMembers(Path dir, List<CairnCachingProvider> providers, String... extra) throws IOException {
        int[] ports = dev.cairn.api.FreePorts.loopback(3);
        String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
        List<CacheManager> managers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path config = dir.resolve("member" + i + ".properties");
            List<String> lines = new ArrayList<>(List.of("default.persistence = cluster", "cluster.name = caches-" + ports[0],
                    "cluster.member = 127.0.0.1:" + ports[i], "cluster.members = " + members));
            lines.addAll(List.of(extra));
            Files.writeString(config, String.join("\n", lines));
            CairnCachingProvider p = new CairnCachingProvider();
            providers.add(p);
            managers.add(p.getCacheManager(config.toUri(), ClusterCachesTest.class.getClassLoader()));
        }
        return managers;
    }

    /** Retries while the new cluster takes its segments over (a cache answers once its member serves). */
    static <T> T eventually(java.util.concurrent.Callable<T> call) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return call.call();
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** A serializable counter value, to go through the allow-list like an application's class. */
    record Counter(long value) implements java.io.Serializable {
    }

    @Test
    void everyMemberSeesTheEntriesAndInvokeLosesNoUpdate() throws Exception {
        List<CacheManager> managers = members("cache.orders.owners = 2");
        List<Cache<String, Counter>> caches = new ArrayList<>();
        for (CacheManager m : managers) {
            caches.add(m.createCache("orders", new MutableConfiguration<String, Counter>().setTypes(String.class, Counter.class)));
        }
        eventually(() -> {
            caches.get(0).put("a", new Counter(1));
            return null;
        });
        for (Cache<String, Counter> c : caches) {
            assertEquals(new Counter(1), eventually(() -> c.get("a")));
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Cache<String, Counter> c : caches) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        c.invoke("hits", (MutableEntry<String, Counter> e, Object... args) -> {
                            e.setValue(new Counter(e.exists() ? e.getValue().value() + 1 : 1));
                            return null;
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(new Counter(120), caches.get(2).get("hits"));
        for (int i = 0; i < 50; i++) {
            caches.get(i % 3).put("k" + i, new Counter(i));
        }
        int seen = 0;
        for (Cache.Entry<String, Counter> ignored : caches.get(1)) {
            seen++;
        }
        assertEquals(52, seen, "iteration on one member sees every member's entries");
        providers.get(2).close(); // a graceful leave
        for (int i = 0; i < 50; i++) {
            int k = i;
            assertEquals(new Counter(k), eventually(() -> caches.get(k % 2).get("k" + k)));
        }
        assertEquals(new Counter(120), caches.get(0).get("hits"));
    }

    @Test
    void aCacheCannotAskForMoreOwnersThanTheCluster() throws Exception {
        List<CacheManager> managers = members("cache.wide.owners = 3");
        CacheException e = assertThrows(CacheException.class, () -> managers.get(0).createCache("wide",
                new MutableConfiguration<String, String>().setTypes(String.class, String.class)));
        assertTrue(e.getMessage().contains("more owners"), e.getMessage());
    }

    @Test
    void anUnknownClusterSettingIsRefusedByName() throws Exception {
        Path config = dir.resolve("bad.properties");
        Files.writeString(config, "default.persistence = cluster\ncluster.name = x\ncluster.member = 127.0.0.1:1\n"
                + "cluster.members = 127.0.0.1:1\ncluster.ownerz = 2\n");
        CairnCachingProvider p = new CairnCachingProvider();
        providers.add(p);
        // refused when the manager is created, before it joins anything
        CacheException e = assertThrows(CacheException.class, () -> p.getCacheManager(config.toUri(), getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("cluster.ownerz"), e.getMessage());
    }
}
