package dev.cairn.api;

import java.util.Objects;

/** One write of a {@link Store#mutateAll} batch: the key and what to do to it. */
public record KeyedMutation(byte[] key, Mutation mutation) {
    public KeyedMutation {
        Objects.requireNonNull(mutation, "mutation");
    }
}
