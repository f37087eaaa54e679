package dev.cairn.api;

/**
 * A value was longer than the store's {@link StoreLimits#maxValueBytes()}, either as given or as
 * the result of an operation that grows a value. Raised before anything is written, so the store
 * is unchanged.
 */
public final class ValueTooLargeException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final long size;
    private final int limit;

    public ValueTooLargeException(long size, int limit) {
        super("value of " + size + " bytes exceeds the limit of " + limit + " bytes");
        this.size = size;
        this.limit = limit;
    }

    /** The length of the refused value in bytes. */
    public long size() {
        return size;
    }

    /** The configured maximum value length in bytes. */
    public int limit() {
        return limit;
    }
}
