package dev.cairn.storage;

import dev.cairn.api.StorageFailedException;

/**
 * The disk failed under the store: a write to the WAL, an fsync, or a background flush or
 * compaction hit an I/O error. After a failure the store refuses further writes with this
 * exception (reads of data already stored keep working): continuing could acknowledge writes
 * that are not durable. Reopen the store once the cause is fixed; the WAL replays what was
 * acknowledged.
 */
public final class StorageIOException extends StorageFailedException {
    private static final long serialVersionUID = 1L;

    public StorageIOException(String message, Throwable cause) {
        super(message, cause);
    }
}
