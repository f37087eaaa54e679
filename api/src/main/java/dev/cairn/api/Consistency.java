package dev.cairn.api;

/**
 * How many replicas must answer a call: for a write, how many must have made it durable before it
 * is acknowledged (W); for a read, how many are asked (R), the newest version winning.
 *
 * <p>{@link #ONE}, {@link #QUORUM} (the default: a majority) and {@link #ALL} scale with the
 * replication factor; {@link #replicas(int)} names an exact count. With W + R greater than the
 * replication factor a read always sees the latest acknowledged write.
 */
public final class Consistency {
    private enum Kind { ONE, QUORUM, ALL, EXACT }

    public static final Consistency ONE = new Consistency(Kind.ONE, 1);
    public static final Consistency QUORUM = new Consistency(Kind.QUORUM, 0);
    public static final Consistency ALL = new Consistency(Kind.ALL, 0);

    private final Kind kind;
    private final int count;

    private Consistency(Kind kind, int count) {
        this.kind = kind;
        this.count = count;
    }

    /** Exactly {@code count} replicas (W or R). More than the replication factor can never be met. */
    public static Consistency replicas(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("replica count must be at least 1: " + count);
        }
        return new Consistency(Kind.EXACT, count);
    }

    /**
     * The number of replica answers this level needs when {@code replicationFactor} replicas hold
     * the key: 1, a majority, all of them, or the exact count (which may exceed the factor, in
     * which case the call fails with {@link QuorumNotReachedException}).
     */
    public int required(int replicationFactor) {
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be at least 1: " + replicationFactor);
        }
        return switch (kind) {
            case ONE -> 1;
            case QUORUM -> replicationFactor / 2 + 1;
            case ALL -> replicationFactor;
            case EXACT -> count;
        };
    }

    /**
     * Raises {@link QuorumNotReachedException} unless {@code answered} replicas out of
     * {@code replicationFactor} satisfy this level. A single-node store calls it with (1, 1).
     */
    public void requireSatisfiedBy(int replicationFactor, int answered) {
        int required = required(replicationFactor);
        if (answered < required) {
            throw new QuorumNotReachedException(required, answered,
                    this + " with replication factor " + replicationFactor);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Consistency other && kind == other.kind && count == other.count;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + count;
    }

    @Override
    public String toString() {
        return kind == Kind.EXACT ? "replicas(" + count + ")" : kind.name();
    }
}
