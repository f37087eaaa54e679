package dev.cairn.jcache.configuration;

/** Where a cache keeps its entries. */
public enum Persistence {
    /** On the heap, in a bounded {@code MemoryStore}; gone when the cache manager closes. */
    MEMORY,
    /** In an {@code LsmStore} under the manager's data directory; survives restarts. */
    DISK
}
