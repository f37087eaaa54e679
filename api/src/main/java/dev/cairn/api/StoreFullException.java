package dev.cairn.api;

/**
 * A bounded store with no eviction policy is full and refused a write that would add data. The
 * store is unchanged; deleting entries or raising the bound makes room.
 */
public final class StoreFullException extends CairnException {
    private static final long serialVersionUID = 1L;

    public StoreFullException(String message) {
        super(message);
    }
}
