/**
 * How keys and values become bytes for the store: fast paths for strings, boxed primitives and
 * byte arrays, and Java serialization for everything else behind an allow-list
 * {@link java.io.ObjectInputFilter} ({@link dev.cairn.jcache.serialization.AllowList}).
 */
package dev.cairn.jcache.serialization;
