package dev.cairn.transport.replication;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One member's replication counters and latencies: what it forwarded to other primaries, what it
 * ordered as a primary (with HdrHistogram latency histograms), the records it replicated, the
 * quorums it missed, the reads it repaired and the bytes its takeovers moved. Cheap to update from
 * any thread; {@link #snapshot} reads them all. Also an MXBean ({@link ClusterMetricsMXBean}).
 */
public final class ReplicationMetrics implements ClusterMetricsMXBean {
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final String member;
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder primaryWrites = new LongAdder();
    private final LongAdder primaryReads = new LongAdder();
    private final LongAdder replicated = new LongAdder();
    private final LongAdder quorumFailures = new LongAdder();
    private final LongAdder readRepairs = new LongAdder();
    private final LongAdder recordsIn = new LongAdder();
    private final LongAdder recordsOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder antiEntropyPasses = new LongAdder();
    private final LongAdder antiEntropyRepairs = new LongAdder();
    private final Recorder forwardLatency = new Recorder(MAX_MICROS, 2);
    private final Recorder writeLatency = new Recorder(MAX_MICROS, 2);
    private final Recorder readLatency = new Recorder(MAX_MICROS, 2);
    private final Histogram forwardTotal = new Histogram(MAX_MICROS, 2); // guarded by this
    private final Histogram writeTotal = new Histogram(MAX_MICROS, 2); // guarded by this
    private final Histogram readTotal = new Histogram(MAX_MICROS, 2); // guarded by this

    ReplicationMetrics(String member) {
        this.member = member;
    }

    public String member() {
        return member;
    }

    void forwarded(long nanos) {
        forwarded.increment();
        forwardLatency.recordValue(micros(nanos));
    }

    void atPrimary(boolean read, byte outcome, long nanos) {
        if (outcome == ReplicaService.NOT_PRIMARY) {
            return; // refused, not ordered
        }
        if (read) {
            primaryReads.increment();
            readLatency.recordValue(micros(nanos));
        } else {
            primaryWrites.increment();
            writeLatency.recordValue(micros(nanos));
        }
    }

    void replicated(int messages) {
        replicated.add(messages);
    }

    void quorumFailed() {
        quorumFailures.increment();
    }

    void readRepaired() {
        readRepairs.increment();
    }

    void transferredIn(int records, long bytes) {
        recordsIn.add(records);
        bytesIn.add(bytes);
    }

    void transferredOut(int records, long bytes) {
        recordsOut.add(records);
        bytesOut.add(bytes);
    }

    void antiEntropyPass(int repaired) {
        antiEntropyPasses.increment();
        antiEntropyRepairs.add(repaired);
    }

    private static long micros(long nanos) {
        return Math.min(MAX_MICROS, Math.max(0, nanos / 1000));
    }

    /** The counters, and the latency percentiles since the start, in microseconds. */
    public record Snapshot(long forwarded, long primaryWrites, long primaryReads, long replicated, long quorumFailures,
                           long readRepairs, long transferRecordsIn, long transferRecordsOut, long transferBytesIn,
                           long transferBytesOut, long forwardP50Micros, long forwardP99Micros, long writeP50Micros,
                           long writeP99Micros, long readP50Micros, long readP99Micros, long antiEntropyPasses,
                           long antiEntropyRepairs) {
    }

    public synchronized Snapshot snapshot() {
        forwardTotal.add(forwardLatency.getIntervalHistogram());
        writeTotal.add(writeLatency.getIntervalHistogram());
        readTotal.add(readLatency.getIntervalHistogram());
        return new Snapshot(forwarded.sum(), primaryWrites.sum(), primaryReads.sum(), replicated.sum(), quorumFailures.sum(),
                readRepairs.sum(), recordsIn.sum(), recordsOut.sum(), bytesIn.sum(), bytesOut.sum(),
                forwardTotal.getValueAtPercentile(50), forwardTotal.getValueAtPercentile(99),
                writeTotal.getValueAtPercentile(50), writeTotal.getValueAtPercentile(99),
                readTotal.getValueAtPercentile(50), readTotal.getValueAtPercentile(99), antiEntropyPasses.sum(),
                antiEntropyRepairs.sum());
    }

    @Override
    public long getForwarded() {
        return forwarded.sum();
    }

    @Override
    public long getPrimaryWrites() {
        return primaryWrites.sum();
    }

    @Override
    public long getPrimaryReads() {
        return primaryReads.sum();
    }

    @Override
    public long getReplicated() {
        return replicated.sum();
    }

    @Override
    public long getQuorumFailures() {
        return quorumFailures.sum();
    }

    @Override
    public long getReadRepairs() {
        return readRepairs.sum();
    }

    @Override
    public long getTransferBytesIn() {
        return bytesIn.sum();
    }

    @Override
    public long getTransferBytesOut() {
        return bytesOut.sum();
    }

    @Override
    public long getAntiEntropyPasses() {
        return antiEntropyPasses.sum();
    }

    @Override
    public long getAntiEntropyRepairs() {
        return antiEntropyRepairs.sum();
    }

    @Override
    public long getWriteP99Micros() {
        return snapshot().writeP99Micros();
    }

    @Override
    public long getReadP99Micros() {
        return snapshot().readP99Micros();
    }

    @Override
    public long getForwardP99Micros() {
        return snapshot().forwardP99Micros();
    }
}
