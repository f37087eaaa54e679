package dev.cairn.transport.replication;

/**
 * A member's replication figures over JMX, as {@code dev.cairn:type=Cluster,member=<name>}: counts
 * since the start and p99 latencies in microseconds.
 */
public interface ClusterMetricsMXBean {
    long getForwarded();

    long getPrimaryWrites();

    long getPrimaryReads();

    long getReplicated();

    long getQuorumFailures();

    long getReadRepairs();

    long getTransferBytesIn();

    long getTransferBytesOut();
    /** Anti-entropy passes run as a primary. */
    long getAntiEntropyPasses();
    /** (segment, namespace) copies those passes found differing from another owner's and repaired. */
    long getAntiEntropyRepairs();

    long getWriteP99Micros();

    long getReadP99Micros();

    long getForwardP99Micros();
}
