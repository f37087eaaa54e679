package dev.cairn.bench;

import java.io.IOException;

/** The operations the storage benchmark drives, implemented once per engine. */
interface KvEngine extends AutoCloseable {
    void put(byte[] key, byte[] value, boolean sync);

    /** Returns the value length, or -1 if absent. */
    int get(byte[] key);

    /** Reads up to {@code count} entries starting at {@code start} in key order; returns how many. */
    int scan(byte[] start, int count);

    /** Reads every entry in key order, each engine through its natural API; returns how many. */
    long readAll();

    /** Bytes written to disk per user byte (WAL + flush + compaction). */
    double writeAmplification();

    /** Waits for background flushes and compactions to settle enough to measure disk use. */
    void settle() throws IOException;

    @Override
    void close() throws IOException;
}
