/**
 * The memory-only store: the same {@link dev.cairn.api.Store} contract with no files, bounded by
 * entry count and/or bytes, with an {@link dev.cairn.storage.memory.EvictionPolicy}.
 */
package dev.cairn.storage.memory;
