package dev.cairn.api;

/**
 * A key was longer than the store's {@link StoreLimits#maxKeyBytes()}. Raised before anything is
 * written, so the store is unchanged.
 */
public final class KeyTooLargeException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final int size;
    private final int limit;

    public KeyTooLargeException(int size, int limit) {
        super("key of " + size + " bytes exceeds the limit of " + limit + " bytes");
        this.size = size;
        this.limit = limit;
    }

    /** The length of the refused key in bytes. */
    public int size() {
        return size;
    }

    /** The configured maximum key length in bytes. */
    public int limit() {
        return limit;
    }
}
