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
 * # a cluster this JVM joins as a member; caches with persistence = cluster live there
 * # (cairn-transport must be on the class path)
 * # (a properties file: a comment is a line of its own, never after a value)
 * cluster.name = orders
 * # this member's endpoint, and every member's (a member not listed joins as a new one)
 * cluster.member = 10.0.0.1:7800
 * cluster.members = 10.0.0.1:7800,10.0.0.2:7800,10.0.0.3:7800
 * # N (the most any cache may ask for), W and R (default: majorities of N)
 * cluster.owners = 2
 * cluster.writes = 2
 * cluster.reads = 2
 * # where this member keeps its share: mem: (the default) or file:/var/lib/cairn/member-data
 * cluster.data = mem:
 * # the topology's Raft log (absent: in memory)
 * cluster.raft-log-dir = /var/lib/cairn/raft
 * cache.orders.persistence = cluster
 * # per cache: N, W, R
 * cache.orders.owners = 2
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

    /** Whether the configuration has a {@code cluster.*} section (a {@code cluster.name}). */
    public boolean hasCluster() {
        return properties.getProperty("cluster.name") != null;
    }

    /** The cluster's name, or a {@link CacheException} saying the section is missing. */
    public String clusterName() {
        String name = properties.getProperty("cluster.name");
        if (name == null || name.isBlank()) {
            throw new CacheException("a cache with persistence = cluster needs a cluster section (cluster.name, cluster.member, "
                    + "cluster.members) in " + source);
        }
        return name.trim();
    }

    /** Default N of a JCache cluster: two copies, as Infinispan's and Hazelcast's defaults keep. */
    public static final int DEFAULT_CLUSTER_OWNERS = 2;

    /** The settings of {@code Stores.open("cluster:" + clusterName(), ...)} from the cluster section. */
    public java.util.Map<String, String> clusterStoreSettings() {
        clusterName();
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        String[][] keys = {{"member", "member"}, {"members", "members"}, {"data", "data"}, {"raft-log-dir", "raftLogDir"},
            {"owners", "owners"}, {"writes", "writes"}, {"reads", "reads"}, {"timeout-millis", "timeoutMillis"},
            {"transfer-bytes-per-second", "transferBytesPerSecond"}};
        for (String[] k : keys) {
            String v = properties.getProperty("cluster." + k[0]);
            if (v != null && !v.isBlank()) {
                out.put(k[1], v.trim());
            }
        }
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith("cluster.") && java.util.Arrays.stream(keys).noneMatch(k -> name.equals("cluster." + k[0]))
                    && !name.equals("cluster.name")) {
                throw new CacheException("unknown cluster setting '" + name + "' in " + source);
            }
        }
        for (String required : List.of("member", "members")) {
            if (!out.containsKey(required)) {
                throw new CacheException("the cluster section of " + source + " needs cluster." + required);
            }
        }
        out.putIfAbsent("owners", Integer.toString(DEFAULT_CLUSTER_OWNERS));
        if ("mem:".equals(out.get("data"))) {
            out.remove("data");
        }
        return out;
    }

    /** A cache's own N/W/R ({@code owners}, {@code writes}, {@code reads}), as namespace settings of a cluster store. */
    public java.util.Map<String, String> replication(String cache) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (String key : List.of("owners", "writes", "reads")) {
            String v = get(cache, key);
            if (v != null) {
                out.put(key, Long.toString(parseLong(v, key)));
            }
        }
        return out;
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
