package dev.cairn.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.JCacheMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;

/** Micrometer's {@code JCacheMetrics} finds Cairn's statistics MBean and reads hits, misses and puts. */
class MicrometerJCacheMetricsTest {
    @Test
    void jcacheMetricsReadTheStatisticsMBean() {
        CacheManager manager = Caching.getCachingProvider(CairnCachingProvider.class.getName())
                .getCacheManager(URI.create("urn:cairn:micrometer-test"), getClass().getClassLoader(), null);
        try {
            Cache<String, String> cache = manager.createCache("metrics",
                    new MutableConfiguration<String, String>().setTypes(String.class, String.class).setStatisticsEnabled(true));
            MeterRegistry registry = new SimpleMeterRegistry();
            JCacheMetrics.monitor(registry, cache);

            cache.put("a", "1");
            cache.put("b", "2");
            cache.get("a");
            cache.get("a");
            cache.get("missing");

            assertEquals(2.0, registry.get("cache.puts").functionCounter().count());
            assertEquals(2.0, registry.get("cache.gets").tag("result", "hit").functionCounter().count());
            assertEquals(1.0, registry.get("cache.gets").tag("result", "miss").functionCounter().count());
        } finally {
            manager.close();
        }
    }
}
