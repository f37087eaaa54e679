package dev.cairn.api;

/**
 * The root of every error a Cairn store raises on purpose.
 *
 * <p>Each subclass names one condition and carries the facts needed to act on it (the limit that
 * was exceeded, the replicas that answered, the file and offset that is damaged). A
 * {@code CairnException} thrown by a write means the write was not applied unless the subclass
 * says otherwise ({@link QuorumNotReachedException} documents the one exception).
 */
public abstract class CairnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected CairnException(String message) {
        super(message);
    }

    protected CairnException(String message, Throwable cause) {
        super(message, cause);
    }
}
