package dev.cairn.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.jcache.configuration.ManagerSettings;
import dev.cairn.jcache.hibernate.Author;
import dev.cairn.jcache.hibernate.Book;
import dev.cairn.jcache.hibernate.Genre;
import dev.cairn.jcache.hibernate.Publisher;
import java.io.StringReader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * Every configuration snippet of this module's README, run as printed: the test reads README.md,
 * takes each {@code properties} block (each follows an {@code <!-- example: NAME -->} marker) and
 * uses its text unchanged — with one exception, said where it happens: the general configuration
 * file's {@code data-dir = /var/lib/cairn} line points at a temporary directory instead.
 */
class ReadmeExamplesTest {
    @TempDir
    Path dir;

    private static final Pattern EXAMPLE = Pattern.compile("<!-- example: ([^>]+?) -->\\s*```properties\\n(.*?)```", Pattern.DOTALL);

    static Map<String, String> examples() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = EXAMPLE.matcher(readme);
        while (m.find()) {
            out.put(m.group(1).trim(), m.group(2));
        }
        return out;
    }

    private static Properties properties(String text) throws Exception {
        Properties p = new Properties();
        p.load(new StringReader(text));
        return p;
    }

    @Test
    void everyPropertiesBlockOfTheReadmeIsAnExampleThisTestRuns() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        long blocks = Pattern.compile("```properties").matcher(readme).results().count();
        assertEquals(blocks, examples().size(), "a properties block without an example marker would go untested");
        assertEquals(List.of("hibernate.properties", "cairn-hibernate.properties", "spring-boot application.properties",
                "cairn.properties", "cluster section"), List.copyOf(examples().keySet()));
    }

    /** The general configuration file, with data-dir in a temporary directory. */
    private Path cairnProperties(Path into) throws Exception {
        String text = examples().get("cairn.properties");
        String dataDirLine = "data-dir = /var/lib/cairn\n";
        assertTrue(text.contains(dataDirLine));
        Files.createDirectories(into);
        Path file = into.resolve("cairn.properties");
        Files.writeString(file, text.replace(dataDirLine, "data-dir = " + dir.resolve("data") + "\n"));
        return file;
    }

    @Test
    void theConfigurationFileWorks() throws Exception {
        Path file = cairnProperties(dir.resolve("conf"));
        CachingProvider provider = Caching.getCachingProvider(CairnCachingProvider.class.getName());
        try (CacheManager manager = provider.getCacheManager(file.toUri(), getClass().getClassLoader())) {
            Cache<String, String> users = manager.createCache("users", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class));
            Cache<String, Long> other = manager.createCache("other", new MutableConfiguration<String, Long>()
                    .setTypes(String.class, Long.class));
            users.put("ada", "Lovelace");
            other.put("visits", 1L);
            assertEquals("Lovelace", users.get("ada"));
            assertEquals(1L, other.get("visits"));
            assertTrue(Files.isDirectory(dir.resolve("data").resolve("shop").resolve("users")),
                    "the disk cache lives under the configured name");
        }
    }

    @Test
    void theClusterSectionParses() throws Exception {
        // parsed and checked, not joined: its addresses (10.0.0.x) are not this machine's
        ManagerSettings settings = ManagerSettings.of(properties(examples().get("cluster section"))).validated();
        Map<String, String> cluster = settings.clusterStoreSettings();
        assertEquals("10.0.0.1:7800", cluster.get("member"));
        assertEquals("10.0.0.1:7800,10.0.0.2:7800,10.0.0.3:7800", cluster.get("members"));
        assertEquals("orders", settings.clusterName());
        assertEquals("/var/lib/cairn/orders-raft", cluster.get("raftLogDir"));
        ManagerSettings repaired = ManagerSettings.of(properties(examples().get("cluster section")
                + "\ncluster.anti-entropy-millis = 60000\n")).validated();
        assertEquals("60000", repaired.clusterStoreSettings().get("antiEntropyMillis"));
    }

    @Test
    void theHibernateConfigurationBuildsAnApplicationWhoseSecondSessionHitsTheCache() throws Exception {
        Path classpath = Files.createDirectories(dir.resolve("classpath"));
        Files.writeString(classpath.resolve("cairn-hibernate.properties"), examples().get("cairn-hibernate.properties"));
        Properties hibernate = properties(examples().get("hibernate.properties"));
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classpath.toUri().toURL()}, getClass().getClassLoader())) {
            // the application's class path: Hibernate looks the cache URI up there
            Thread.currentThread().setContextClassLoader(loader);
            try (SessionFactory sf = new Configuration().addProperties(hibernate)
                    .setProperty("hibernate.generate_statistics", "true")
                    .addAnnotatedClass(Author.class).addAnnotatedClass(Book.class).addAnnotatedClass(Publisher.class)
                    .buildSessionFactory()) {
                sf.inTransaction(s -> {
                    Author a = new Author(1L, "Le Guin");
                    s.persist(a);
                    Book b = new Book(10L, "The Dispossessed", a);
                    b.setGenre(Genre.NOVEL);
                    s.persist(b);
                });
                sf.getCache().evictAllRegions();
                sf.inSession(s -> assertEquals(Genre.NOVEL, s.find(Book.class, 10L).getGenre()));
                long statements = sf.getStatistics().getPrepareStatementCount();
                sf.inSession(s -> assertEquals("The Dispossessed", s.find(Book.class, 10L).getTitle()));
                assertEquals(statements, sf.getStatistics().getPrepareStatementCount(), "the second load ran no SQL");
                assertTrue(sf.getStatistics().getSecondLevelCacheHitCount() >= 1);
            }
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @SpringBootConfiguration
    @ImportAutoConfiguration(CacheAutoConfiguration.class)
    @EnableCaching
    static class SpringApp {
    }

    @Test
    void theSpringBootPropertiesGiveACairnBackedCacheManager() throws Exception {
        Path classpath = dir.resolve("boot-classpath");
        cairnProperties(classpath);
        Properties boot = properties(examples().get("spring-boot application.properties"));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classpath.toUri().toURL()}, getClass().getClassLoader());
             ConfigurableApplicationContext context = new SpringApplicationBuilder(SpringApp.class)
                     .web(WebApplicationType.NONE)
                     .resourceLoader(new DefaultResourceLoader(loader))
                     .properties(boot)
                     .run()) {
            JCacheCacheManager spring = context.getBean(JCacheCacheManager.class);
            assertEquals(List.of("authors", "books"), spring.getCacheNames().stream().sorted().toList());
            org.springframework.cache.Cache books = spring.getCache("books");
            assertNotNull(books);
            books.put("isbn-1", "The Dispossessed");
            assertEquals("The Dispossessed", books.get("isbn-1").get());
            assertTrue(spring.getCacheManager() instanceof CairnCacheManager, spring.getCacheManager().getClass().getName());
        }
    }
}
