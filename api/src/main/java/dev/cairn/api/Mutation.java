package dev.cairn.api;

import java.util.Objects;

/**
 * One single-key write of the {@link Store} contract, as data, and the one place that decides what
 * it does to a key: {@link #decide} takes the key's stored entry and the time, applies the expiry
 * rule to it, and says what to write (a value, a tombstone or nothing) and what to answer. It is pure — no store, no lock,
 * no clock — so every engine (the reference model, the memory store, the LSM tree) and the
 * cluster's primary apply the same rules, each under its own notion of atomicity and each
 * stamping its own {@link Version} on what is written.
 */
public sealed interface Mutation {

    /**
     * What {@code key}'s write does at {@code nowMillis} when the store holds {@code stored} for it:
     * its newest value, expired or not ({@code null}: absent or deleted). An expired value counts
     * as absent to every condition; only a delete looks at it, to reclaim it.
     */
    Decision decide(byte[] key, Entry stored, long nowMillis);

    /**
     * What this write's single-key call checks before it reads or writes anything, in its order:
     * the key against {@code limits}, then the options it was given with {@code checkWrite} (the
     * store's own rule: open, a consistency it can satisfy), then the value it supplies. A store's
     * batch checks each write so, and so refuses it with the error its call would give.
     */
    default void check(byte[] key, StoreLimits limits, java.util.function.Consumer<WriteOptions> checkWrite) {
        limits.checkKey(key);
        if (this instanceof Put p) {
            checkWrite.accept(p.options());
            limits.checkValue(p.value());
        } else if (this instanceof CompareAndSet c) {
            checkWrite.accept(c.options());
            limits.checkValue(c.value());
        } else if (this instanceof Increment i) {
            checkWrite.accept(i.options());
        }
    }

    /** {@code stored} if it is live at {@code nowMillis}, else null. */
    static Entry live(Entry stored, long nowMillis) {
        return stored == null || stored.isExpiredAt(nowMillis) ? null : stored;
    }

    /** What to write. {@code NONE}: nothing (a failed condition, a delete of an absent key). */
    enum Write { NONE, VALUE, TOMBSTONE }

    /**
     * The outcome of {@link #decide}: the write ({@code value} and {@code expiresAtMillis} for a
     * {@code VALUE}), whether the operation "happened" (the boolean answer of delete, the
     * conditional writes, expire and persist), and the counter of an increment.
     */
    record Decision(Write write, byte[] value, long expiresAtMillis, boolean applied, long number) {
        static final Decision NOTHING = new Decision(Write.NONE, null, 0, false, 0);
        static final Decision TOMBSTONE = new Decision(Write.TOMBSTONE, null, 0, true, 0);
        /** An expire or persist that changed the key, as a store without batches reports it (the value is not known). */
        static final Decision APPLIED = new Decision(Write.VALUE, null, 0, true, 0);

        /** An increment's outcome as a store without batches reports it: the counter only. */
        static Decision number(long n) {
            return new Decision(Write.VALUE, null, 0, true, n);
        }

        static Decision value(byte[] value, long expiresAtMillis) {
            return new Decision(Write.VALUE, value, expiresAtMillis, true, 0);
        }

        /** The entry this decision writes under {@code version}, with the given key. */
        public Entry entry(byte[] key, Version version) {
            return new Entry(key, value, version, expiresAtMillis);
        }
    }

    /** {@link Store#put}. */
    record Put(byte[] value, WriteOptions options) implements Mutation {
        public Put {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(options, "options");
        }

        @Override
        public Decision decide(byte[] key, Entry stored, long nowMillis) {
            return Decision.value(value, options.expiresAtMillis(nowMillis));
        }
    }

    /**
     * {@link Store#delete}: a tombstone over a live entry (answering true) and over an expired one
     * (answering false: it was already absent, but its space and its events are reclaimed now).
     */
    record Delete() implements Mutation {
        private static final Decision REAP = new Decision(Write.TOMBSTONE, null, 0, false, 0);

        @Override
        public Decision decide(byte[] key, Entry stored, long nowMillis) {
            if (stored == null) {
                return Decision.NOTHING;
            }
            return stored.isExpiredAt(nowMillis) ? REAP : Decision.TOMBSTONE;
        }
    }

    /** {@link Store#compareAndSet}. */
    record CompareAndSet(Expected expected, byte[] value, WriteOptions options) implements Mutation {
        public CompareAndSet {
            Objects.requireNonNull(expected, "expected");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(options, "options");
        }

        @Override
        public Decision decide(byte[] key, Entry stored, long nowMillis) {
            return expected.matchesStored(stored, nowMillis)
                    ? Decision.value(value, options.expiresAtMillis(nowMillis))
                    : Decision.NOTHING;
        }
    }

    /** {@link Store#compareAndDelete}. */
    record CompareAndDelete(Expected expected) implements Mutation {
        public CompareAndDelete {
            Objects.requireNonNull(expected, "expected");
        }

        @Override
        public Decision decide(byte[] key, Entry stored, long nowMillis) {
            boolean matches = expected != Expected.absent() && stored != null && expected.matchesStored(stored, nowMillis);
            return matches ? Decision.TOMBSTONE : Decision.NOTHING;
        }
    }

    /** {@link Store#increment}: keeps an existing expiry unless the options set one. */
    record Increment(long delta, WriteOptions options) implements Mutation {
        public Increment {
            Objects.requireNonNull(options, "options");
        }

        @Override
        public Decision decide(byte[] key, Entry stored, long nowMillis) {
            Entry current = live(stored, nowMillis);
            long next = DecimalCounter.add(current == null ? 0 : DecimalCounter.parse(key, current.value()), delta);
            long expiresAt = options.hasExpiry() || current == null
                    ? options.expiresAtMillis(nowMillis)
                    : current.expiresAtMillis();
            return new Decision(Write.VALUE, DecimalCounter.encode(next), expiresAt, true, next);
        }
    }

    /** {@link Store#expireAt}: an instant already reached deletes the key. */
    record ExpireAt(long expiresAtMillis) implements Mutation {
        public ExpireAt {
            if (expiresAtMillis <= 0) {
                throw new IllegalArgumentException("expiry instant must be positive: " + expiresAtMillis);
            }
        }

        @Override
        public Decision decide(byte[] key, Entry stored, long nowMillis) {
            Entry current = live(stored, nowMillis);
            if (current == null) {
                return Decision.NOTHING;
            }
            return Entry.isExpired(expiresAtMillis, nowMillis)
                    ? Decision.TOMBSTONE
                    : Decision.value(current.value(), expiresAtMillis);
        }
    }

    /** {@link Store#persist}. */
    record Persist() implements Mutation {
        @Override
        public Decision decide(byte[] key, Entry stored, long nowMillis) {
            Entry current = live(stored, nowMillis);
            return current == null || current.expiresAtMillis() == Entry.NO_EXPIRY
                    ? Decision.NOTHING
                    : Decision.value(current.value(), Entry.NO_EXPIRY);
        }
    }
}
