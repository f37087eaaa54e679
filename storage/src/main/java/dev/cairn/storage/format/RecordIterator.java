package dev.cairn.storage.format;

/**
 * A forward cursor over records in {@link Record#ORDER}: the memtable, one SSTable, or a merge of
 * many. {@link #seek} positions at the first record at or after a (key, sequence) pair.
 */
public interface RecordIterator extends AutoCloseable {
    /** Positions at the first record not before ({@code key}, {@code sequence}) in record order. */
    void seek(byte[] key, long sequence);

    /** Positions at the first record. */
    void seekToFirst();

    boolean valid();

    /** The current record; only while {@link #valid()}. */
    Record current();

    void next();

    @Override
    default void close() {
    }
}
