package dev.cairn.storage.sstable;

/**
 * What a finished SSTable holds, as the manifest records it: its number and size, its entry count,
 * and its smallest and largest (user key, sequence).
 */
public record TableSummary(long number, long size, long entries,
                           byte[] smallestKey, long smallestSequence,
                           byte[] largestKey, long largestSequence) {
}
