/**
 * Where a cache's entries live. {@link dev.cairn.jcache.backend.StoreBackend} serializes keys and
 * values into a Cairn {@link dev.cairn.api.Store} (memory or disk) and is what store-by-value
 * caches use; {@link dev.cairn.jcache.backend.HeapBackend} keeps the objects themselves, for
 * store-by-reference caches. The cache's logic is written once against
 * {@link dev.cairn.jcache.backend.CacheBackend}.
 */
package dev.cairn.jcache.backend;
