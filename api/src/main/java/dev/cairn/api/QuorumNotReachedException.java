package dev.cairn.api;

/**
 * Fewer replicas answered than the operation's {@link Consistency} required.
 *
 * <p>For a read, nothing is returned. For a write, the write may have been applied on the replicas
 * that did answer ({@link #answered()} of them) and may become visible later through repair; the
 * caller must treat its outcome as unknown, the same way as a timeout. A single-node store raises
 * this only when an explicit replica count exceeds its one replica.
 */
public final class QuorumNotReachedException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final int required;
    private final int answered;

    public QuorumNotReachedException(int required, int answered, String detail) {
        super("quorum not reached: " + answered + " of " + required + " required replicas answered"
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.required = required;
        this.answered = answered;
    }

    /** How many replicas the operation needed. */
    public int required() {
        return required;
    }

    /** How many replicas answered in time. Always less than {@link #required()}. */
    public int answered() {
        return answered;
    }
}
