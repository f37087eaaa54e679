/**
 * Which files make up the store: {@link dev.cairn.storage.manifest.TableSet} is an immutable set of
 * live SSTables per level; {@link dev.cairn.storage.manifest.Manifest} persists it atomically
 * (write a temporary file, fsync, rename, fsync the directory).
 */
package dev.cairn.storage.manifest;
