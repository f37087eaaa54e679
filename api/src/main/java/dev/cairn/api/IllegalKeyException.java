package dev.cairn.api;

/**
 * A key was {@code null} or empty. Cairn has no empty key: an empty byte string is refused before
 * anything is read or written.
 */
public final class IllegalKeyException extends CairnException {
    private static final long serialVersionUID = 1L;

    public IllegalKeyException(String message) {
        super(message);
    }
}
