package dev.cairn.jcache.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cairn.jcache.CairnCachingProvider;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.jcache.JCacheCacheManager;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Spring's {@code JCacheCacheManager} on Cairn: {@code @Cacheable} (also with sync), {@code @CachePut}, {@code @CacheEvict}. */
class SpringCacheAbstractionTest {

    public static class BookService {
        private final AtomicInteger lookups = new AtomicInteger();

        /** Through a method: the test holds Spring's proxy, whose own fields are not the target's. */
        public int lookups() {
            return lookups.get();
        }

        @Cacheable("books")
        public String find(long id) {
            lookups.incrementAndGet();
            return "book-" + id;
        }

        @Cacheable(cacheNames = "books", sync = true)
        public String findSync(long id) {
            lookups.incrementAndGet();
            return "sync-book-" + id;
        }

        @CachePut(cacheNames = "books", key = "#p0")
        public String rename(long id, String title) {
            return title;
        }

        @CacheEvict("books")
        public void evict(long id) {
        }
    }

    @Configuration
    @EnableCaching
    static class Config {
        @Bean(destroyMethod = "")
        javax.cache.CacheManager jcache() {
            javax.cache.CacheManager manager = Caching.getCachingProvider(CairnCachingProvider.class.getName())
                    .getCacheManager(URI.create("urn:cairn:spring-test"), getClass().getClassLoader(),
                            null);
            return manager;
        }

        @Bean
        JCacheCacheManager cacheManager(javax.cache.CacheManager jcache) {
            return new JCacheCacheManager(jcache);
        }

        @Bean
        BookService bookService() {
            return new BookService();
        }
    }

    @Test
    void annotationsUseTheCairnCache() {
        javax.cache.CacheManager manager = Caching.getCachingProvider(CairnCachingProvider.class.getName())
                .getCacheManager(URI.create("urn:cairn:spring-test"), getClass().getClassLoader(), null);
        manager.createCache("books", new MutableConfiguration<Object, Object>());
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
            BookService service = context.getBean(BookService.class);

            assertEquals("book-1", service.find(1));
            assertEquals("book-1", service.find(1));
            assertEquals(1, service.lookups(), "the second call came from the cache");
            assertEquals("book-1", manager.getCache("books").get(1L), "stored in the Cairn cache");

            assertEquals("sync-book-2", service.findSync(2));
            assertEquals("sync-book-2", service.findSync(2));
            assertEquals(2, service.lookups(), "sync = true goes through Cache.invoke with a non-serializable lambda");

            service.rename(1, "renamed");
            assertEquals("renamed", service.find(1));
            assertEquals(2, service.lookups(), "@CachePut replaced the cached value");

            service.evict(1);
            assertNull(manager.getCache("books").get(1L));
            assertEquals("book-1", service.find(1));
            assertEquals(3, service.lookups(), "@CacheEvict removed it");
        } finally {
            manager.close();
        }
    }
}
