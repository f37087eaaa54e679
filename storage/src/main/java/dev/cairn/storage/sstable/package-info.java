/**
 * Immutable sorted tables: {@link dev.cairn.storage.sstable.SsTableWriter} builds one from records
 * in order, {@link dev.cairn.storage.sstable.SsTableReader} serves point lookups and range
 * iteration through the {@link dev.cairn.storage.sstable.BlockCache}. Layout: data blocks
 * ({@link dev.cairn.storage.sstable.BlockBuilder}), a Bloom filter block
 * ({@link dev.cairn.storage.sstable.BloomFilter}), an index block and a fixed-size footer;
 * {@code storage/FORMAT.md}, "SSTable", has every byte.
 */
package dev.cairn.storage.sstable;
