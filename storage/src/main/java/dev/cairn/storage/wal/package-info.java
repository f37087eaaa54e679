/**
 * The write-ahead log: every mutation is appended here before it is applied to the memtable.
 * {@link dev.cairn.storage.wal.WalWriter} appends and group-commits,
 * {@link dev.cairn.storage.wal.WalReader} replays a segment on recovery and decides what is a
 * torn tail and what is corruption. Record layout: {@code storage/FORMAT.md}, "WAL".
 */
package dev.cairn.storage.wal;
