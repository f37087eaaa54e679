/**
 * Entry processors: {@link dev.cairn.jcache.processor.ProcessorEntry} is the
 * {@code MutableEntry} a processor sees; it records what the processor did, and the cache applies
 * that once the processor returns, under the key's lock. Processors run in the caller's JVM and
 * need not be {@code Serializable}.
 */
package dev.cairn.jcache.processor;
