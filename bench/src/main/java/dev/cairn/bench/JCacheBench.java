package dev.cairn.bench;

import com.hazelcast.cache.HazelcastCachingProvider;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * JCache operations on Cairn (memory, and disk with INTERVAL sync) and on the providers users would
 * pick instead — Caffeine, Ehcache 3, Hazelcast (an embedded member bound to 127.0.0.1, no
 * discovery) and Infinispan (embedded, local) — all with the JSR-107 default store-by-value and
 * no statistics, in one JVM. Each line is one operation at one thread count:
 * {@code <op> threads=<n> cairn=… cairn_disk=… caffeine=… ehcache=… hazelcast=… infinispan=… ratio_vs_best=…},
 * the ratio being Cairn (memory) over the best peer (not counting Cairn on disk).
 */
@Command(name = "jcache", mixinStandardHelpOptions = true,
        description = "Cairn's JCache provider vs Caffeine, Ehcache, Hazelcast and Infinispan.")
final class JCacheBench implements Callable<Integer> {
    private static final String[] OPS = {"get", "put", "getAndPut", "putIfAbsent", "invoke"};

    @Option(names = "--keys", description = "keys per cache (default ${DEFAULT-VALUE})")
    int keys = 100_000;

    @Option(names = "--seconds", description = "measured seconds per operation and thread count (default ${DEFAULT-VALUE})")
    double seconds = 1.0;

    @Option(names = "--threads", split = ",", description = "thread counts (default 1,2)")
    List<Integer> threads = List.of(1, 2);

    @Option(names = "--only", split = ",", description = "run only these providers (cairn is always run)")
    List<String> only;

    /** Adds one to a Long value: the {@code invoke} workload. Serializable because Hazelcast ships processors. */
    static final class Increment implements EntryProcessor<String, Object, Long>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Long process(MutableEntry<String, Object> entry, Object... arguments) {
            Object v = entry.getValue();
            long next = (v instanceof Long l ? l : 0L) + 1;
            entry.setValue(next);
            return next;
        }
    }

    private record Provider(String name, CacheManager manager, AutoCloseable extra) {
    }

    @Override
    public Integer call() throws Exception {
        Path scratch = Files.createTempDirectory("cairn-jcache-bench");
        System.setProperty("hazelcast.logging.type", "none");
        System.setProperty("hazelcast.phone.home.enabled", "false");
        List<Provider> providers = new ArrayList<>();
        providers.add(new Provider("cairn", Caching.getCachingProvider("dev.cairn.jcache.CairnCachingProvider")
                .getCacheManager(URI.create("urn:cairn:bench"), getClass().getClassLoader()), null));
        Path config = scratch.resolve("cairn-disk.properties");
        Files.writeString(config, "data-dir = " + scratch.resolve("data") + "\ndefault.persistence = disk\ndefault.sync = INTERVAL\n");
        addIf(providers, "cairn_disk", () -> new Provider("cairn_disk",
                Caching.getCachingProvider("dev.cairn.jcache.CairnCachingProvider").getCacheManager(config.toUri(), getClass().getClassLoader()), null));
        addIf(providers, "caffeine", () -> new Provider("caffeine",
                Caching.getCachingProvider("com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider").getCacheManager(), null));
        addIf(providers, "ehcache", () -> new Provider("ehcache",
                Caching.getCachingProvider("org.ehcache.jsr107.EhcacheCachingProvider").getCacheManager(), null));
        addIf(providers, "hazelcast", () -> {
            HazelcastInstance hz = Hazelcast.newHazelcastInstance(loopbackOnly());
            CacheManager m = Caching.getCachingProvider("com.hazelcast.cache.impl.HazelcastServerCachingProvider")
                    .getCacheManager(null, null, HazelcastCachingProvider.propertiesByInstanceItself(hz));
            return new Provider("hazelcast", m, hz::shutdown);
        });
        addIf(providers, "infinispan", () -> new Provider("infinispan",
                Caching.getCachingProvider("org.infinispan.jcache.embedded.JCachingProvider").getCacheManager(), null));

        System.out.printf(Locale.ROOT, "# jcache benchmark: %d String keys, String/Long values, store-by-value, %.1f s per cell, %d cores, java %s%n",
                keys, seconds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        String[] keyNames = new String[keys];
        for (int i = 0; i < keys; i++) {
            keyNames[i] = "key-" + i;
        }
        for (String op : OPS) {
            for (int t : threads) {
                Map<String, Double> rates = new LinkedHashMap<>();
                for (Provider p : providers) {
                    rates.put(p.name(), measure(p, op, t, keyNames));
                }
                double best = 0;
                StringBuilder line = new StringBuilder(op + " threads=" + t);
                for (Map.Entry<String, Double> e : rates.entrySet()) {
                    line.append(' ').append(e.getKey()).append('=').append(String.format(Locale.ROOT, "%.0f", e.getValue()));
                    if (!e.getKey().startsWith("cairn")) {
                        best = Math.max(best, e.getValue());
                    }
                }
                line.append(String.format(Locale.ROOT, " ratio_vs_best=%.2f", best == 0 ? 0 : rates.get("cairn") / best));
                System.out.println(line);
            }
        }
        for (Provider p : providers) {
            p.manager().close();
            if (p.extra() != null) {
                p.extra().close();
            }
        }
        try (Stream<Path> files = Files.walk(scratch)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        return 0;
    }

    private interface ProviderFactory {
        Provider create() throws Exception;
    }

    private void addIf(List<Provider> providers, String name, ProviderFactory factory) throws Exception {
        if (only == null || only.contains(name)) {
            providers.add(factory.create());
        }
    }

    private static Config loopbackOnly() {
        Config cfg = new Config();
        cfg.setClusterName("cairn-bench-" + ProcessHandle.current().pid());
        cfg.setProperty("hazelcast.phone.home.enabled", "false");
        var join = cfg.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        cfg.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        cfg.getNetworkConfig().setPublicAddress("127.0.0.1");
        return cfg;
    }

    private double measure(Provider p, String op, int threadCount, String[] keyNames) throws Exception {
        String cacheName = op + "-" + threadCount;
        Cache<String, Object> cache = p.manager().createCache(cacheName, new MutableConfiguration<String, Object>());
        for (int i = 0; i < keyNames.length; i++) {
            cache.put(keyNames[i], op.equals("invoke") ? (Object) (long) i : "value-" + i);
        }
        run(cache, op, threadCount, keyNames, seconds / 2); // warm-up
        double rate = run(cache, op, threadCount, keyNames, seconds);
        p.manager().destroyCache(cacheName);
        return rate;
    }

    private static double run(Cache<String, Object> cache, String op, int threadCount, String[] keyNames, double secs)
            throws Exception {
        LongAdder done = new LongAdder();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        long[] window = new long[2];
        Increment increment = new Increment();
        for (int t = 0; t < threadCount; t++) {
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                long deadline = System.nanoTime() + (long) (secs * 1e9);
                long n = 0;
                while (true) {
                    for (int i = 0; i < 256; i++) {
                        String key = keyNames[rnd.nextInt(keyNames.length)];
                        switch (op) {
                            case "get" -> cache.get(key);
                            case "put" -> cache.put(key, "value");
                            case "getAndPut" -> cache.getAndPut(key, "value");
                            case "putIfAbsent" -> cache.putIfAbsent(key, "value");
                            case "invoke" -> cache.invoke(key, increment);
                            default -> throw new IllegalArgumentException(op);
                        }
                    }
                    n += 256;
                    if (System.nanoTime() >= deadline) {
                        break;
                    }
                }
                done.add(n);
            });
            workers.add(w);
            w.start();
        }
        window[0] = System.nanoTime();
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        window[1] = System.nanoTime();
        return done.sum() / ((window[1] - window[0]) / 1e9);
    }
}
