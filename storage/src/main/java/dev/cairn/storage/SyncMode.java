package dev.cairn.storage;

/**
 * When the write-ahead log is forced to stable storage.
 *
 * <ul>
 *   <li>{@link #SYNC} (default): a write returns only after the log holding it has been fsynced;
 *       writers that arrive while an fsync runs share the next one (group commit). An acknowledged
 *       write survives {@code kill -9} and power loss.</li>
 *   <li>{@link #INTERVAL}: every write reaches the operating system before it returns (so it
 *       survives {@code kill -9} of the process) and a background thread fsyncs the log every
 *       {@code syncIntervalMillis}; a power loss can lose that window.</li>
 *   <li>{@link #NONE}: like {@code INTERVAL} without the background fsync; the log is fsynced only
 *       when the store closes. A full segment is not fsynced: its records become durable in the
 *       table its memtable is flushed to (tables are fsynced), and it is then deleted.</li>
 * </ul>
 */
public enum SyncMode {
    SYNC,
    INTERVAL,
    NONE
}
