package dev.cairn.jcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk cache's directory belongs to one process at a time: a second JVM opening the same
 * configuration gets a clear error instead of sharing (and corrupting) the files, and gets the
 * cache, data intact, once the first has gone.
 */
class DiskCacheLockTest {
    @TempDir
    Path dir;

    /** The other process: opens the cache, writes an entry, says so, and waits to be killed. */
    public static void main(String[] args) throws Exception {
        CacheManager m = Caching.getCachingProvider(CairnCachingProvider.class.getName())
                .getCacheManager(URI.create(args[0]), DiskCacheLockTest.class.getClassLoader());
        Cache<String, String> users = m.createCache("users", new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class));
        users.put("ada", "Lovelace");
        System.out.println("OPEN");
        System.out.flush();
        Thread.sleep(120_000);
    }

    @Test
    void aSecondProcessIsRefusedUntilTheFirstHasGone() throws Exception {
        Path config = dir.resolve("cairn.properties");
        Files.writeString(config, "data-dir = " + dir.resolve("data") + "\ndefault.persistence = disk\ndefault.sync = SYNC\n");
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), DiskCacheLockTest.class.getName(), config.toUri().toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.equals("OPEN")) {
                // the child's log
            }
            assertEquals("OPEN", line, "the other process opened the cache");
            CairnCachingProvider provider = new CairnCachingProvider();
            try {
                CacheManager m = provider.getCacheManager(config.toUri(), getClass().getClassLoader());
                CacheException e = assertThrows(CacheException.class, () -> m.createCache("users",
                        new MutableConfiguration<String, String>().setTypes(String.class, String.class)));
                assertTrue(e.getMessage().contains("already open in another process"), e.getMessage());
                other.destroyForcibly();
                assertTrue(other.waitFor(30, TimeUnit.SECONDS));
                Cache<String, String> users = m.createCache("users", new MutableConfiguration<String, String>()
                        .setTypes(String.class, String.class));
                assertEquals("Lovelace", users.get("ada"), "the other process's acknowledged write, after it was killed");
            } finally {
                provider.close();
            }
        } finally {
            other.destroyForcibly();
        }
    }
}
