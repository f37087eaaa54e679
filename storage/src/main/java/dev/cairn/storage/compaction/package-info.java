/**
 * Leveled compaction: {@link dev.cairn.storage.compaction.CompactionPicker} decides what to merge
 * (pure: a version in, a plan out), {@link dev.cairn.storage.compaction.TableOutput} writes the
 * merged, de-duplicated records into new tables. Flushes use the same output path.
 */
package dev.cairn.storage.compaction;
