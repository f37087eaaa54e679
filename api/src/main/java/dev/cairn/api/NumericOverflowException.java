package dev.cairn.api;

/**
 * {@link Store#increment} would have taken a counter past {@link Long#MAX_VALUE} or below
 * {@link Long#MIN_VALUE}. The value is left as it was.
 */
public final class NumericOverflowException extends CairnException {
    private static final long serialVersionUID = 1L;

    private final long current;
    private final long delta;

    public NumericOverflowException(long current, long delta) {
        super("increment or decrement would overflow: " + current + " + " + delta);
        this.current = current;
        this.delta = delta;
    }

    public long current() {
        return current;
    }

    public long delta() {
        return delta;
    }
}
