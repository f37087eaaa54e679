package dev.cairn.api;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The named keyspaces of one node (later: of one cluster): JCache caches, JDBC tables, Redis
 * databases, each a {@link Store} of its own — its own keys, scanned, counted and cleared on its
 * own — without prefixing keys by hand. {@link Stores#open} gives one for a URI.
 *
 * <p>A namespace exists once it has been opened; it lasts (on disk, for a durable store) until it
 * is dropped. Names are 1 to {@value #MAX_NAME_BYTES} bytes of UTF-8.
 */
public interface Namespaces extends AutoCloseable {
    int MAX_NAME_BYTES = 255;

    /** The store of namespace {@code name}, created if it does not exist, with the default settings. */
    default Store namespace(String name) {
        return namespace(name, Map.of());
    }

    /**
     * The store of namespace {@code name}, created if it does not exist. {@code settings} are the
     * namespace's options where the implementation has per-namespace ones (a memory store's bounds
     * and eviction, a cluster's owners and quorums; their keys are documented by each
     * implementation); an implementation refuses keys it does not know with
     * {@link IllegalArgumentException}. Settings apply when the namespace's store is first opened
     * in this process.
     */
    Store namespace(String name, Map<String, String> settings);

    /** The names of the namespaces that exist, in order. */
    List<String> names();

    /**
     * Removes namespace {@code name} and everything in it; returns false when it did not exist.
     * Stores of it obtained before are not to be used afterwards; open it again by name.
     */
    boolean drop(String name);

    /** Closes every namespace's store; idempotent. */
    @Override
    void close();

    /** Checks a namespace name; returns it. */
    static String checkName(String name) {
        if (name == null || name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("namespace names are 1 to " + MAX_NAME_BYTES + " bytes of UTF-8: "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }
}
