package dev.cairn.bench;

import dev.cairn.bench.hibernate.Product;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Hibernate ORM 6.6's second-level cache on each JCache provider, as an application uses it:
 * {@code --entities} cached entities (H2 in memory underneath), then {@code --loads} loads by id,
 * each in a new session, all of them second-level cache hits. Cairn (memory, and disk with
 * INTERVAL sync) against Ehcache 3, Caffeine's JCache and Infinispan (embedded, local), each with
 * Hibernate's defaults ({@code missing_cache_strategy = create}: JCache's store-by-value). One
 * line: {@code load-by-id entities=… loads=… cairn=… cairn_disk=… ehcache=… caffeine=…
 * infinispan=… ratio_vs_best=…} in loads per second, the ratio being Cairn (memory) over the best
 * other provider. Each provider gets an untimed warm-up pass of the same loads first. Infinispan
 * is configured with Java serialization (its JCache marshals with ProtoStream otherwise, which
 * knows no Hibernate classes).
 */
@Command(name = "hibernate", mixinStandardHelpOptions = true,
        description = "Hibernate second-level cache loads on Cairn vs Ehcache, Caffeine and Infinispan.")
final class HibernateBench implements Callable<Integer> {
    @Option(names = "--entities", description = "cached entities (default ${DEFAULT-VALUE})")
    int entities = 1_000;

    @Option(names = "--loads", description = "timed loads by id, each in a new session (default ${DEFAULT-VALUE})")
    int loads = 100_000;

    @Option(names = "--only", split = ",", description = "run only these providers (for profiling one)")
    java.util.List<String> only;

    @Override
    public Integer call() throws Exception {
        Path scratch = Files.createTempDirectory("cairn-hibernate-bench");
        try {
            Path memory = scratch.resolve("cairn-memory.properties");
            Files.writeString(memory, "default.persistence = memory\ndefault.max-entries = 100000\n");
            Path disk = scratch.resolve("cairn-disk.properties");
            Files.writeString(disk, "data-dir = " + scratch.resolve("data") + "\ndefault.persistence = disk\n"
                    + "default.sync = INTERVAL\n");
            Map<String, String[]> providers = new LinkedHashMap<>();
            providers.put("cairn", new String[] {"dev.cairn.jcache.CairnCachingProvider", memory.toUri().toString()});
            providers.put("cairn_disk", new String[] {"dev.cairn.jcache.CairnCachingProvider", disk.toUri().toString()});
            providers.put("ehcache", new String[] {"org.ehcache.jsr107.EhcacheCachingProvider", null});
            providers.put("caffeine", new String[] {"com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider", null});
            // Infinispan's JCache marshals with ProtoStream unless told to use Java serialization
            // (for which it wants an allow-list of its own): what a Hibernate-on-JCache user configures
            Path infinispan = scratch.resolve("infinispan.xml");
            Files.writeString(infinispan, """
                    <infinispan>
                      <cache-container>
                        <serialization marshaller="org.infinispan.commons.marshall.JavaSerializationMarshaller">
                          <allow-list><regex>org\\.hibernate\\.cache\\..*</regex><regex>java\\..*</regex>
                            <regex>dev\\.cairn\\.bench\\..*</regex></allow-list>
                        </serialization>
                      </cache-container>
                    </infinispan>
                    """);
            providers.put("infinispan", new String[] {"org.infinispan.jcache.embedded.JCachingProvider", infinispan.toUri().toString()});
            System.out.printf(Locale.ROOT, "# hibernate benchmark: Hibernate ORM 6.6, H2 in memory, %d entities, %d loads by id "
                    + "each in a new session, %d cores, java %s%n", entities, loads, Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            Map<String, Double> rates = new LinkedHashMap<>();
            for (Map.Entry<String, String[]> p : providers.entrySet()) {
                if (only != null && !only.contains(p.getKey())) {
                    continue;
                }
                rates.put(p.getKey(), measure(p.getKey(), p.getValue()[0], p.getValue()[1]));
            }
            double best = rates.entrySet().stream().filter(e -> !e.getKey().startsWith("cairn"))
                    .mapToDouble(Map.Entry::getValue).max().orElse(0);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "load-by-id entities=%d loads=%d", entities, loads));
            rates.forEach((k, v) -> line.append(' ').append(k).append('=').append(String.format(Locale.ROOT, "%.0f", v)));
            if (rates.containsKey("cairn") && best > 0) {
                line.append(String.format(Locale.ROOT, " ratio_vs_best=%.2f", rates.get("cairn") / best));
            }
            System.out.println(line);
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return 0;
    }

    /** Loads per second with this provider, after filling the cache and one untimed pass. */
    private double measure(String name, String provider, String uri) {
        Configuration c = new Configuration()
                .addAnnotatedClass(Product.class)
                .setProperty("hibernate.connection.url", "jdbc:h2:mem:bench-" + name + ";DB_CLOSE_DELAY=-1")
                .setProperty("hibernate.connection.username", "sa")
                .setProperty("hibernate.hbm2ddl.auto", "create-drop")
                .setProperty("hibernate.cache.use_second_level_cache", "true")
                .setProperty("hibernate.cache.region.factory_class", "jcache")
                .setProperty("hibernate.javax.cache.provider", provider)
                .setProperty("hibernate.javax.cache.missing_cache_strategy", "create")
                .setProperty("hibernate.show_sql", "false");
        if (uri != null) {
            c.setProperty("hibernate.javax.cache.uri", uri);
        }
        try (SessionFactory sf = c.buildSessionFactory()) {
            sf.inTransaction(s -> {
                for (long id = 0; id < entities; id++) {
                    s.persist(new Product(id));
                }
            });
            // fill the cache, then one untimed pass for the JIT
            loadAll(sf, entities);
            loadAll(sf, loads);
            long start = System.nanoTime();
            loadAll(sf, loads);
            double seconds = (System.nanoTime() - start) / 1e9;
            return loads / seconds;
        }
    }

    private void loadAll(SessionFactory sf, int n) {
        for (int i = 0; i < n; i++) {
            long id = i % entities;
            sf.inSession(s -> {
                if (s.find(Product.class, id) == null) {
                    throw new IllegalStateException("product " + id + " missing");
                }
            });
        }
    }
}
