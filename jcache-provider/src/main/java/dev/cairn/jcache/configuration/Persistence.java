package dev.cairn.jcache.configuration;

/** Where a cache keeps its entries. */
public enum Persistence {
    /** On the heap, in a bounded {@code MemoryStore}; gone when the cache manager closes. */
    MEMORY,
    /** In an {@code LsmStore} under the manager's data directory; survives restarts. */
    DISK,
    /**
     * Replicated over the members of the configuration's {@code cluster.*} section, this JVM being
     * one of them (embedded, as with Infinispan or Hazelcast): every member sees the same entries,
     * each kept by N owners ({@code owners}, {@code writes}, {@code reads} per cache). Needs
     * {@code cairn-transport} on the class path.
     */
    CLUSTER
}
