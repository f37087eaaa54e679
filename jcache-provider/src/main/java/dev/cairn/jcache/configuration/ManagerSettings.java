package dev.cairn.jcache.configuration;

import dev.cairn.jcache.serialization.AllowList;
import dev.cairn.storage.SyncMode;
import dev.cairn.storage.memory.EvictionPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import javax.cache.CacheException;

/**
 * The settings of one cache manager, read from the configuration file its URI names
 * ({@code file:}, {@code jar:}, {@code classpath:} or any URL the JDK can open), a Java
 * properties file:
 *
 * <pre>
 * # where disk caches keep their files (required if any cache is on disk):
 * # data-dir/<manager URI>/<cache name>, both URL-encoded
 * data-dir = /var/lib/cairn
 * # defaults for every cache of the manager
 * default.persistence = memory          # memory | disk
 * default.max-entries = 100000          # memory caches: entry bound (evicting beyond it)
 * default.max-bytes = 268435456         # memory caches: byte bound
 * default.eviction = LRU                # LRU | LFU | RANDOM | NONE
 * default.sync = INTERVAL               # disk caches: SYNC | INTERVAL | NONE
 * # per cache, overriding the defaults
 * cache.users.persistence = disk
 * cache.users.sync = SYNC
 * # classes Java deserialization may load, besides the JDK's value types and the configured
 * # key/value types: a class, a package (com.example.*) or a package tree (com.example.**)
 * serialization.allow = com.example.**, org.hibernate.**
 * </pre>
 *
 * The default URI (and {@code null}) name no file: an embedded, memory-only manager that writes
 * nothing to disk — unless the system property {@code cairn.jcache.config} names a file, which then
 * configures the default manager.
 */
public final class ManagerSettings {
    /** System property naming the configuration file of the default cache manager. */
    public static final String CONFIG_PROPERTY = "cairn.jcache.config";

    private final Properties properties;
    private final String source;

    private ManagerSettings(Properties properties, String source) {
        this.properties = properties;
        this.source = source;
    }

    public static ManagerSettings empty() {
        return new ManagerSettings(new Properties(), "built-in defaults");
    }

    /** Settings from {@code properties} (keys as in the file), for programmatic use. */
    public static ManagerSettings of(Properties properties) {
        return new ManagerSettings(properties, "properties");
    }

    /** Reads the file the URI names, resolving {@code classpath:} with {@code loader}. */
    public static ManagerSettings load(URI uri, ClassLoader loader) {
        Properties p = new Properties();
        try (InputStream in = open(uri, loader)) {
            p.load(in);
        } catch (IOException e) {
            throw new CacheException("cannot read the Cairn configuration " + uri + ": " + e.getMessage(), e);
        }
        return new ManagerSettings(p, uri.toString());
    }

    private static InputStream open(URI uri, ClassLoader loader) throws IOException {
        if ("classpath".equals(uri.getScheme())) {
            String path = uri.getSchemeSpecificPart();
            while (path.startsWith("/")) {
                path = path.substring(1);
            }
            URL url = loader.getResource(path);
            if (url == null) {
                throw new IOException("no resource " + path + " on the class path");
            }
            return url.openStream();
        }
        if (uri.getScheme() == null) {
            return java.nio.file.Files.newInputStream(Path.of(uri.toString()));
        }
        return uri.toURL().openStream();
    }

    private String get(String cacheName, String key) {
        String v = cacheName == null ? null : properties.getProperty("cache." + cacheName + "." + key);
        if (v == null) {
            v = properties.getProperty("default." + key);
        }
        return v == null ? null : v.trim();
    }

    public Path dataDirectory() {
        String dir = properties.getProperty("data-dir");
        return dir == null ? null : Path.of(dir.trim());
    }

    public Persistence persistence(String cache) {
        String v = get(cache, "persistence");
        return v == null ? Persistence.MEMORY : parse(Persistence.class, v, "persistence");
    }

    public Long maxEntries(String cache) {
        String v = get(cache, "max-entries");
        return v == null ? null : parseLong(v, "max-entries");
    }

    public Long maxBytes(String cache) {
        String v = get(cache, "max-bytes");
        return v == null ? null : parseLong(v, "max-bytes");
    }

    public EvictionPolicy eviction(String cache) {
        String v = get(cache, "eviction");
        return v == null ? null : parse(EvictionPolicy.class, v, "eviction");
    }

    public SyncMode syncMode(String cache) {
        String v = get(cache, "sync");
        return v == null ? null : parse(SyncMode.class, v, "sync");
    }

    /** The extra allow-list patterns of {@code serialization.allow}. */
    public List<String> allowPatterns() {
        String v = properties.getProperty("serialization.allow");
        if (v == null || v.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String s : v.split("[,;\\s]+")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    public AllowList allowList() {
        return new AllowList(AllowList.JDK_VALUES).with(allowPatterns());
    }

    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    private <E extends Enum<E>> E parse(Class<E> type, String v, String key) {
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CacheException("bad value '" + v + "' for " + key + " in " + source
                    + "; expected one of " + Arrays.toString(type.getEnumConstants()));
        }
    }

    private long parseLong(String v, String key) {
        try {
            long n = Long.parseLong(v);
            if (n < 1) {
                throw new NumberFormatException("not positive");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CacheException("bad value '" + v + "' for " + key + " in " + source + "; expected a positive integer");
        }
    }

}
