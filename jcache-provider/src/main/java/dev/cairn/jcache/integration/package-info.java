/**
 * Read-through and write-through: {@link dev.cairn.jcache.integration.Integration} calls the
 * configured {@code CacheLoader} and {@code CacheWriter} and applies the spec's exception rules.
 */
package dev.cairn.jcache.integration;
