package dev.cairn.api;

/** An operation was called on a store after {@link Store#close()} began. Nothing was read or written. */
public final class StoreClosedException extends CairnException {
    private static final long serialVersionUID = 1L;

    public StoreClosedException(String storeName) {
        super("store " + storeName + " is closed");
    }
}
