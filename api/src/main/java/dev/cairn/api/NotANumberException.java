package dev.cairn.api;

/**
 * {@link Store#increment} found a value that is not a canonical signed 64-bit decimal integer
 * (see {@link DecimalCounter}). The value is left as it was.
 */
public final class NotANumberException extends CairnException {
    private static final long serialVersionUID = 1L;

    public NotANumberException(String message) {
        super(message);
    }
}
