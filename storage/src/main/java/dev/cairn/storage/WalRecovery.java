package dev.cairn.storage;

/**
 * What recovery does with a WAL record that fails its checks, as RocksDB's
 * {@code WALRecoveryMode} offers. Whatever it drops or skips is reported, record by record, in
 * {@link LsmStore#recoveryReport()} and the log: file, offset, bytes, and the sequence numbers of
 * the batch when its header is intact.
 *
 * <p>A torn tail is the last record of the newest segment cut short, failing its checksum while
 * ending exactly at the end of the file, or followed by zeros only: what a crash in the middle of
 * an append leaves. In {@code SYNC} mode such a record was never acknowledged. Bit rot in a
 * complete last record looks the same as a torn write from the bytes alone; the report says both
 * are possible.
 */
public enum WalRecovery {
    /** Drops a torn tail; any other damaged record refuses the open. The default. */
    TOLERATE_TORN_TAIL,
    /** Refuses the open on any damaged record, a torn tail included: nothing is dropped silently or not. */
    ABSOLUTE_CONSISTENCY,
    /**
     * Replays up to the first damaged record, wherever it is, and drops it and everything after
     * it, later segments included: the store opens in the consistent state of an earlier moment.
     */
    POINT_IN_TIME,
    /** Skips each damaged record (or the rest of its segment when its length is untrustworthy) and keeps the rest. Loses data. */
    SKIP_CORRUPTED
}
