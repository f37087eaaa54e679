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
 * # data-dir/<name>/<cache name>, where name is the setting below or else the
 * # configuration file's name (not its path, so a file inside a versioned jar keeps its directory)
 * data-dir = /var/lib/cairn
 * name = orders-app
 * # defaults for every cache of the manager (a comment is a line of its own, never after a value)
 * # memory | disk | cluster
 * default.persistence = memory
 * # memory caches: entry bound (evicting beyond it), byte bound, LRU | LFU | RANDOM | NONE
 * default.max-entries = 100000
 * default.max-bytes = 268435456
 * default.eviction = LRU
 * # disk caches: SYNC | INTERVAL | NONE
 * default.sync = INTERVAL
 * # disk caches when a manager creates them: keep their entries, or clear them (default: keep,
 * # except Hibernate regions, cleared unless this says keep: the database may have changed)
 * default.restart = keep
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
 * # key/value types (and what Hibernate caches, and enums): a class, a package (com.example.*)
 * # or a package tree (com.example.**)
 * serialization.allow = com.example.**
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
        return new ManagerSettings(p, uri.toString()).validated();
    }

    /** The per-cache settings ({@code default.X} and {@code cache.<name>.X}). */
    private static final List<String> CACHE_KEYS = List.of("persistence", "max-entries", "max-bytes", "eviction", "sync",
            "restart", "owners", "writes", "reads");

    /**
     * Checks every key is one this file may have and every per-cache value parses, so a typo or a
     * comment after a value fails when the manager is created, naming the key, rather than
     * silently meaning something else or failing at the first cache.
     */
    public ManagerSettings validated() {
        for (String key : properties.stringPropertyNames()) {
            boolean known = key.equals("data-dir") || key.equals("name") || key.equals("serialization.allow")
                    || key.startsWith("cluster.");
            if (key.startsWith("default.")) {
                known = CACHE_KEYS.contains(key.substring("default.".length()));
            } else if (key.startsWith("cache.")) {
                int dot = key.lastIndexOf('.');
                known = dot > "cache.".length() && CACHE_KEYS.contains(key.substring(dot + 1));
            }
            if (!known) {
                throw new CacheException("unknown setting '" + key + "' in " + source + " (known: data-dir, name, "
                        + "serialization.allow, cluster.*, and default.<x> or cache.<name>.<x> with <x> one of " + CACHE_KEYS + ")");
            }
        }
        java.util.Set<String> caches = new java.util.TreeSet<>();
        caches.add("");
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("cache.")) {
                caches.add(key.substring("cache.".length(), key.lastIndexOf('.')));
            }
        }
        for (String cache : caches) {
            String c = cache.isEmpty() ? null : cache;
            persistence(c);
            maxEntries(c);
            maxBytes(c);
            eviction(c);
            syncMode(c);
            restart(c);
        }
        if (properties.getProperty("cluster.name") != null) {
            clusterStoreSettings();
        }
        return this;
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
            {"transfer-bytes-per-second", "transferBytesPerSecond"}, {"anti-entropy-millis", "antiEntropyMillis"}};
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
        return new AllowList(AllowList.JDK_VALUES).with(AllowList.HIBERNATE).with(allowPatterns());
    }

    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    /** A value with a '#' in it was most likely meant to end in a comment, which properties files do not have. */
    private static String commentHint(String v) {
        return v.contains("#") ? " (a '#' after a value is part of the value in a properties file: put comments on "
                + "lines of their own)" : "";
    }

    /**
     * The name of this configuration's directory under {@code data-dir}: the {@code name}
     * setting, or null (the manager then uses the configuration file's name).
     */
    public String name() {
        String v = properties.getProperty("name");
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** What happens to a disk cache's entries when a manager creates the cache: kept or cleared. */
    public enum Restart {
        KEEP, CLEAR
    }

    /** {@code cache.<name>.restart} or {@code default.restart}; null when the configuration does not say. */
    public Restart restart(String cache) {
        String v = get(cache, "restart");
        return v == null ? null : parse(Restart.class, v, "restart");
    }

    private <E extends Enum<E>> E parse(Class<E> type, String v, String key) {
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CacheException("bad value '" + v + "' for " + key + " in " + source
                    + "; expected one of " + Arrays.toString(type.getEnumConstants()) + commentHint(v));
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
            throw new CacheException("bad value '" + v + "' for " + key + " in " + source + "; expected a positive integer"
                    + commentHint(v));
        }
    }

}
