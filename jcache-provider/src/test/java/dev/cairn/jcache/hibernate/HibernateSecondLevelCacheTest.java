package dev.cairn.jcache.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.hibernate.stat.CacheRegionStatistics;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Hibernate ORM 6.6 with {@code hibernate-jcache} and H2, Cairn as the JCache provider: entity,
 * collection and query results come from the second-level cache in a second session; an update
 * invalidates them; in disk mode the cache survives a SessionFactory restart without stale reads.
 */
class HibernateSecondLevelCacheTest {
    @TempDir
    Path dir;

    /** A SessionFactory on H2 database {@code db}; {@code cacheUri} null leaves the URI out, as Ehcache users do. */
    private static SessionFactory sessionFactory(String db, String cacheUri, String ddl) {
        Configuration c = new Configuration();
        if (cacheUri != null) {
            c.setProperty("hibernate.javax.cache.uri", cacheUri);
        }
        return c
                .addAnnotatedClass(Author.class)
                .addAnnotatedClass(Book.class)
                .addAnnotatedClass(Publisher.class)
                .setProperty("hibernate.connection.url", "jdbc:h2:mem:" + db + ";DB_CLOSE_DELAY=-1")
                .setProperty("hibernate.connection.username", "sa")
                .setProperty("hibernate.hbm2ddl.auto", ddl)
                .setProperty("hibernate.cache.use_second_level_cache", "true")
                .setProperty("hibernate.cache.use_query_cache", "true")
                .setProperty("hibernate.cache.region.factory_class", "jcache")
                .setProperty("hibernate.javax.cache.provider", "dev.cairn.jcache.CairnCachingProvider")
                .setProperty("hibernate.javax.cache.missing_cache_strategy", "create")
                .setProperty("hibernate.generate_statistics", "true")
                .buildSessionFactory();
    }

    private static void populate(SessionFactory sf) {
        sf.inTransaction(s -> {
            Author a = new Author(1L, "Le Guin");
            s.persist(a);
            Book b1 = new Book(10L, "The Dispossessed", a);
            Book b2 = new Book(11L, "The Lathe of Heaven", a);
            s.persist(b1);
            s.persist(b2);
            a.getBooks().add(b1);
            a.getBooks().add(b2);
            s.persist(new Publisher(100L, "ace", "Ace Books"));
        });
        sf.getCache().evictAllRegions();
        sf.getStatistics().clear();
    }

    private static List<String> cachedQuery(org.hibernate.Session s) {
        return s.createQuery("select b.title from Book b where b.title like :t order by b.title", String.class)
                .setParameter("t", "The%")
                .setCacheable(true)
                .getResultList();
    }

    private static CacheRegionStatistics region(Statistics stats, Class<?> entity) {
        return stats.getDomainDataRegionStatistics(entity.getName());
    }

    @Test
    void secondSessionReadsEntityCollectionAndQueryFromTheCacheAndUpdatesInvalidate() {
        try (SessionFactory sf = sessionFactory("memorymode", "cairn-hibernate.properties", "create-drop")) {
            populate(sf);
            Statistics stats = sf.getStatistics();

            sf.inSession(s -> {
                Author a = s.find(Author.class, 1L);
                assertEquals(2, a.getBooks().size());
                assertEquals(List.of("The Dispossessed", "The Lathe of Heaven"), cachedQuery(s));
            });
            long entityMisses = stats.getSecondLevelCacheMissCount();
            assertTrue(entityMisses > 0, "the first session misses the empty cache");
            assertTrue(stats.getSecondLevelCachePutCount() > 0, "and fills it");
            assertEquals(0, stats.getQueryCacheHitCount());
            assertEquals(1, stats.getQueryCacheMissCount());
            assertEquals(1, stats.getQueryCachePutCount());

            long statementsBefore = stats.getPrepareStatementCount();
            sf.inSession(s -> {
                Author a = s.find(Author.class, 1L);
                assertEquals("Le Guin", a.getName());
                assertEquals(2, a.getBooks().size());
                assertEquals(List.of("The Dispossessed", "The Lathe of Heaven"), cachedQuery(s));
            });
            assertTrue(stats.getSecondLevelCacheHitCount() >= 1, "entity hit");
            assertTrue(region(stats, Author.class).getHitCount() >= 1, "author region hit");
            assertEquals(1, stats.getCollectionStatistics(Author.class.getName() + ".books").getCacheHitCount(),
                    "collection hit");
            assertEquals(1, stats.getQueryCacheHitCount(), "query cache hit");
            assertEquals(0, stats.getPrepareStatementCount() - statementsBefore,
                    "the second session ran no SQL at all");
            assertEquals(entityMisses, stats.getSecondLevelCacheMissCount(), "no new misses");

            // an enum attribute and a natural id come back from the cache as well
            sf.inSession(s -> {
                assertEquals(Genre.NOVEL, s.find(Book.class, 11L).getGenre());
                assertEquals("Ace Books", s.bySimpleNaturalId(Publisher.class).load("ace").getName());
            });
            sf.inSession(s -> {
                assertEquals(Genre.NOVEL, s.find(Book.class, 11L).getGenre());
                assertEquals("Ace Books", s.bySimpleNaturalId(Publisher.class).load("ace").getName());
            });
            assertTrue(stats.getNaturalIdCacheHitCount() >= 1, "natural id hit");
            assertTrue(region(stats, Book.class).getHitCount() >= 1, "book region hit (with its enum)");
            sf.inTransaction(s -> s.find(Book.class, 10L).setTitle("The Word for World Is Forest"));
            sf.inSession(s -> {
                assertEquals(List.of("The Lathe of Heaven", "The Word for World Is Forest"), cachedQuery(s),
                        "the update invalidated the cached query");
                assertEquals("The Word for World Is Forest", s.find(Book.class, 10L).getTitle());
            });
            assertEquals(2, stats.getQueryCacheMissCount(), "the stale query result was not used");
        }
    }

    @Test
    void withoutACacheUriTheDefaultManagerServesHibernate() {
        try (SessionFactory sf = sessionFactory("nouri", null, "create-drop")) {
            populate(sf);
            sf.inSession(s -> assertEquals(Genre.NOVEL, s.find(Book.class, 10L).getGenre()));
            sf.inTransaction(s -> s.find(Book.class, 10L).setGenre(Genre.ESSAYS));
            sf.inSession(s -> assertEquals(Genre.ESSAYS, s.find(Book.class, 10L).getGenre()));
            sf.inSession(s -> assertEquals("The Dispossessed", s.find(Book.class, 10L).getTitle()));
            assertTrue(sf.getStatistics().getSecondLevelCacheHitCount() >= 1, "hits through the default manager");
        }
    }

    private static void renameOutsideHibernate(String db, String name) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:h2:mem:" + db + ";DB_CLOSE_DELAY=-1", "sa", "");
             java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("update Author set name = '" + name + "' where id = 1");
        }
    }

    @Test
    void diskRegionsStartEmptyByDefaultSoChangesMadeWhileDownAreNotServedStale() throws Exception {
        Path config = dir.resolve("cairn-disk.properties");
        Files.writeString(config, "data-dir = " + dir.resolve("data") + "\n"
                + "default.persistence = disk\n"
                + "default.sync = SYNC\n");
        String uri = config.toUri().toString();

        try (SessionFactory sf = sessionFactory("diskmode", uri, "create")) {
            populate(sf);
            sf.inSession(s -> assertEquals("Le Guin", s.find(Author.class, 1L).getName()));
            assertTrue(sf.getStatistics().getSecondLevelCachePutCount() > 0);
        }
        assertTrue(Files.isDirectory(dir.resolve("data").resolve("cairn-disk.properties")),
                "disk caches live under the configuration file's name, not its path");
        renameOutsideHibernate("diskmode", "Ada");
        try (SessionFactory sf = sessionFactory("diskmode", uri, "none")) {
            sf.inSession(s -> assertEquals("Ada", s.find(Author.class, 1L).getName(),
                    "the change made while the application was down, not the cached row"));
            assertEquals(0, sf.getStatistics().getSecondLevelCacheHitCount());
        }
    }

    @Test
    void diskRegionsKeptOnRestartWhenTheConfigurationSaysSo() throws Exception {
        Path config = dir.resolve("cairn-keep.properties");
        Files.writeString(config, "data-dir = " + dir.resolve("data") + "\n"
                + "name = library\n"
                + "default.persistence = disk\n"
                + "default.sync = SYNC\n"
                + "# the database changes only through this application\n"
                + "default.restart = keep\n");
        String uri = config.toUri().toString();

        try (SessionFactory sf = sessionFactory("keepmode", uri, "create")) {
            populate(sf);
            sf.inSession(s -> assertEquals("Le Guin", s.find(Author.class, 1L).getName()));
        }
        assertTrue(Files.isDirectory(dir.resolve("data").resolve("library")), "the configured name");
        try (SessionFactory sf = sessionFactory("keepmode", uri, "none")) {
            Statistics stats = sf.getStatistics();
            sf.inSession(s -> assertEquals("Le Guin", s.find(Author.class, 1L).getName()));
            assertEquals(1, stats.getSecondLevelCacheHitCount(), "served from the disk cache after the restart");
            assertEquals(0, stats.getSecondLevelCacheMissCount());
            sf.inTransaction(s -> s.find(Author.class, 1L).setName("Ursula K. Le Guin"));
        }
        try (SessionFactory sf = sessionFactory("keepmode", uri, "none")) {
            sf.inSession(s -> assertEquals("Ursula K. Le Guin", s.find(Author.class, 1L).getName(),
                    "the update before the restart is what the cache serves, not the old name"));
        }
    }
}
