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

    private static SessionFactory sessionFactory(String db, String cacheUri, String ddl) {
        return new Configuration()
                .addAnnotatedClass(Author.class)
                .addAnnotatedClass(Book.class)
                .setProperty("hibernate.connection.url", "jdbc:h2:mem:" + db + ";DB_CLOSE_DELAY=-1")
                .setProperty("hibernate.connection.username", "sa")
                .setProperty("hibernate.hbm2ddl.auto", ddl)
                .setProperty("hibernate.cache.use_second_level_cache", "true")
                .setProperty("hibernate.cache.use_query_cache", "true")
                .setProperty("hibernate.cache.region.factory_class", "jcache")
                .setProperty("hibernate.javax.cache.provider", "dev.cairn.jcache.CairnCachingProvider")
                .setProperty("hibernate.javax.cache.uri", cacheUri)
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
    void diskModeSurvivesASessionFactoryRestartWithoutStaleReads() throws Exception {
        Path config = dir.resolve("cairn-disk.properties");
        Files.writeString(config, "data-dir = " + dir.resolve("data") + "\n"
                + "default.persistence = disk\n"
                + "default.sync = SYNC\n"
                + "serialization.allow = org.hibernate.**, dev.cairn.jcache.hibernate.**\n");
        String uri = config.toUri().toString();

        try (SessionFactory sf = sessionFactory("diskmode", uri, "create")) {
            populate(sf);
            sf.inSession(s -> assertEquals("Le Guin", s.find(Author.class, 1L).getName()));
            assertTrue(sf.getStatistics().getSecondLevelCachePutCount() > 0);
        }
        try (SessionFactory sf = sessionFactory("diskmode", uri, "none")) {
            Statistics stats = sf.getStatistics();
            sf.inSession(s -> assertEquals("Le Guin", s.find(Author.class, 1L).getName()));
            assertEquals(1, stats.getSecondLevelCacheHitCount(), "served from the disk cache after the restart");
            assertEquals(0, stats.getSecondLevelCacheMissCount());
            sf.inTransaction(s -> s.find(Author.class, 1L).setName("Ursula K. Le Guin"));
        }
        try (SessionFactory sf = sessionFactory("diskmode", uri, "none")) {
            sf.inSession(s -> assertEquals("Ursula K. Le Guin", s.find(Author.class, 1L).getName(),
                    "the update before the restart is what the cache serves, not the old name"));
        }
    }
}
