/**
 * Cairn's JSR-107 (JCache 1.1) provider. Start at {@link dev.cairn.jcache.CairnCachingProvider}
 * (found through {@code META-INF/services}), then {@link dev.cairn.jcache.CairnCacheManager} and
 * {@link dev.cairn.jcache.CairnCache}, which holds every cache operation. Sub-packages follow the
 * spec's concepts: {@code configuration}, {@code serialization} (store-by-value copies),
 * {@code event}, {@code integration} (loaders and writers), {@code management} (MXBeans),
 * {@code processor} (entry processors) and {@code backend} (where entries live).
 */
package dev.cairn.jcache;
