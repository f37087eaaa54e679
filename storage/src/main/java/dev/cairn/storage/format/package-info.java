/**
 * The byte-level vocabulary shared by the WAL, memtable and SSTables: {@link
 * dev.cairn.storage.format.Record} (one version of one key), the internal key order, varints and
 * checksums. {@code storage/FORMAT.md} documents every byte these classes write.
 */
package dev.cairn.storage.format;
