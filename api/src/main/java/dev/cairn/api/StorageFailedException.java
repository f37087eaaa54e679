package dev.cairn.api;

/**
 * The storage under a store failed (a WAL write, an fsync, a flush or a compaction hit an I/O
 * error): the write that met it is not acknowledged, and the store refuses writes until it is
 * reopened, since after a failed fsync the kernel may have dropped the data it was to make
 * durable. Not the caller's fault and not retriable on this store; a cluster member whose store
 * fails stops being a member, so that the others take its segments over.
 */
public class StorageFailedException extends CairnException {
    private static final long serialVersionUID = 1L;

    public StorageFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The storage failure somewhere in {@code e}'s chain of causes, or null. */
    public static StorageFailedException in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StorageFailedException s) {
                return s;
            }
        }
        return null;
    }
}
