package dev.cairn.storage.memory;

/**
 * What a full {@link MemoryStore} does to make room. LRU, LFU and RANDOM evict by sampling, as
 * Redis and Ehcache do: a fixed number of entries is drawn at random and the best victim among
 * them is evicted (expired entries always first). That keeps every write O(1) and reads free of
 * locks, at the price of approximating exact LRU/LFU.
 */
public enum EvictionPolicy {
    /** Evict the least recently read or written entry of the sample. */
    LRU,
    /** Evict the least frequently used entry of the sample (counts decay by half on every eviction pass). */
    LFU,
    /** Evict a random entry. */
    RANDOM,
    /** Evict nothing: refuse writes that would exceed a bound with {@link dev.cairn.api.StoreFullException}. */
    NONE
}
