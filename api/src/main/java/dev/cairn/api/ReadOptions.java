package dev.cairn.api;

import java.util.Objects;

/** Options of a read: the {@link Consistency} (R). Immutable; {@link #DEFAULT} reads at {@code QUORUM}. */
public final class ReadOptions {
    public static final ReadOptions DEFAULT = new ReadOptions(Consistency.QUORUM);

    private final Consistency consistency;

    private ReadOptions(Consistency consistency) {
        this.consistency = consistency;
    }

    public static ReadOptions consistency(Consistency consistency) {
        return new ReadOptions(Objects.requireNonNull(consistency, "consistency"));
    }

    public Consistency consistency() {
        return consistency;
    }

    @Override
    public String toString() {
        return "ReadOptions{" + consistency + "}";
    }
}
