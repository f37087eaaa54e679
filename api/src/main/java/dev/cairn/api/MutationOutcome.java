package dev.cairn.api;

/**
 * What one write of a {@link Store#mutateAll} batch did: its {@link Mutation.Decision} (the answer
 * its single-key call would have given), or the exception that call would have thrown, in which
 * case it wrote nothing.
 */
public record MutationOutcome(Mutation.Decision decision, RuntimeException failure) {

    static MutationOutcome of(Mutation.Decision decision) {
        return new MutationOutcome(decision, null);
    }

    static MutationOutcome failed(RuntimeException failure) {
        return new MutationOutcome(null, failure);
    }

    public boolean failed() {
        return failure != null;
    }

    /**
     * Runs {@code write} through the single-key call of {@code store} that {@link Mutation} stands
     * for, and reports it as an outcome: the batch path of a store with no batch of its own.
     */
    static MutationOutcome runOne(Store store, KeyedMutation write) {
        byte[] key = write.key();
        Mutation m = write.mutation();
        try {
            if (m instanceof Mutation.Put p) {
                Entry e = store.put(key, p.value(), p.options());
                return of(Mutation.Decision.value(e.value(), e.expiresAtMillis()));
            } else if (m instanceof Mutation.Delete) {
                return of(store.delete(key) ? Mutation.Decision.TOMBSTONE : Mutation.Decision.NOTHING);
            } else if (m instanceof Mutation.CompareAndSet c) {
                return of(store.compareAndSet(key, c.expected(), c.value(), c.options())
                        .map(e -> Mutation.Decision.value(e.value(), e.expiresAtMillis()))
                        .orElse(Mutation.Decision.NOTHING));
            } else if (m instanceof Mutation.CompareAndDelete c) {
                return of(store.compareAndDelete(key, c.expected()) ? Mutation.Decision.TOMBSTONE : Mutation.Decision.NOTHING);
            } else if (m instanceof Mutation.Increment i) {
                return of(Mutation.Decision.number(store.increment(key, i.delta(), i.options())));
            } else if (m instanceof Mutation.ExpireAt x) {
                return of(store.expireAt(key, x.expiresAtMillis(), WriteOptions.DEFAULT)
                        ? Mutation.Decision.APPLIED : Mutation.Decision.NOTHING);
            } else {
                return of(store.persist(key) ? Mutation.Decision.APPLIED : Mutation.Decision.NOTHING);
            }
        } catch (RuntimeException e) {
            return failed(e);
        }
    }
}
