package dev.cairn.api;

/** The contract suite against the reference model itself. */
class ReferenceStoreTest extends StoreContract {
    @Override
    protected Store openStore(ManualClock clock, StoreLimits limits) {
        return new ReferenceStore(clock, limits);
    }
}
