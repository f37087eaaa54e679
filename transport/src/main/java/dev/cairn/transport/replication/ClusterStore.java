package dev.cairn.transport.replication;

import dev.cairn.api.CairnException;
import dev.cairn.api.Entry;
import dev.cairn.api.Expected;
import dev.cairn.api.KeyRange;
import dev.cairn.api.KeyValue;
import dev.cairn.api.QuorumNotReachedException;
import dev.cairn.api.ReadOptions;
import dev.cairn.api.RemainingTtl;
import dev.cairn.api.ReplicaRecord;
import dev.cairn.api.Store;
import dev.cairn.api.StoreLimits;
import dev.cairn.api.WriteOptions;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One namespace of the cluster as a {@link Store}, usable on any member: each single-key call
 * goes to the key's primary (this member or another), which orders it, replicates it to W owners
 * or reads it from R, and answers. When the primary is not serving yet (a takeover is running) or
 * the topology moved, the call is retried on the current primary until the replication timeout;
 * then, as when too few owners answer, it fails with {@link QuorumNotReachedException}.
 *
 * <p>Differences from a single store, as the contract allows a replicated store: a batch
 * ({@code putAll}, {@code deleteAll}, {@code getAll}) is atomic per key, not as a whole (its keys
 * live in different segments); {@code scan} merges the members' records and is not a snapshot;
 * {@code clear} empties every member's part, including the late copies of writes acknowledged
 * before it, but is not atomic against writes made during it; change listeners are not offered yet.
 */
public final class ClusterStore implements Store {
    private final ReplicaService service;
    private final String namespace;
    private final StoreLimits limits;
    private final Clock clock;
    private final ReplicationSettings replication;
    private volatile boolean closed;

    /** The namespace with the cluster's N, W and R. */
    public ClusterStore(ReplicaService service, String namespace, StoreLimits limits, Clock clock) {
        this(service, namespace, service.settings(), limits, clock);
    }

    /**
     * The namespace with its own N, W and R ({@code replication}): N at most the cluster's, W and
     * R at least the smaller of the cluster's W and R ({@code IllegalArgumentException} otherwise).
     */
    public ClusterStore(ReplicaService service, String namespace, ReplicationSettings replication, StoreLimits limits,
                        Clock clock) {
        this.service = Objects.requireNonNull(service, "service");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.replication = service.namespaceSettings(replication.owners(), replication.writes(), replication.reads());
    }

    /** This namespace's N, W and R. */
    public ReplicationSettings replication() {
        return replication;
    }

    @Override
    public StoreLimits limits() {
        return limits;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    /** Sends an operation on {@code key} to its primary, retrying while primaries change; returns the OK reply's body. */
    private Wire.In forward(byte[] key, Wire.Out operation) {
        byte[] frame = operation.done();
        long deadline = System.nanoTime() + service.settings().timeoutMillis() * 1_000_000L;
        while (true) {
            List<String> owners = service.owners(key);
            String primary = owners.isEmpty() ? null : owners.get(0); // none: no topology agreed yet
            long start = System.nanoTime();
            byte[] reply = primary == null ? null : service.call(primary, frame);
            if (reply != null && !primary.equals(service.topology().member().name())) {
                service.metrics().forwarded(System.nanoTime() - start);
            }
            if (reply != null) {
                try {
                    Wire.In in = new Wire.In(reply, 1, reply.length - 1);
                    switch (reply[0]) {
                        case ReplicaService.OK:
                            return in;
                        case ReplicaService.NO_QUORUM:
                            int answered = in.i();
                            int needed = in.i();
                            throw new QuorumNotReachedException(needed, answered, "namespace " + namespace);
                        case ReplicaService.ERROR:
                            throw new ClusterException("the primary " + primary + " refused: " + in.s());
                        case ReplicaService.FAILED:
                            int kind = in.b();
                            String message = in.s();
                            if (kind == ReplicaService.NOT_A_NUMBER) {
                                throw new dev.cairn.api.NotANumberException(message);
                            }
                            throw new dev.cairn.api.NumericOverflowException(in.l(), in.l());
                        default:
                            break; // NOT_PRIMARY or FENCED: the topology moved; ask again
                    }
                } catch (IOException e) {
                    throw new ClusterException("a malformed reply from " + primary + ": " + e.getMessage());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new QuorumNotReachedException(service.settings().writes(), 0,
                        "no primary of the key's segment answered within " + service.settings().timeoutMillis() + " ms");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterException("interrupted");
            }
        }
    }

    /** A failure of the cluster that is not a missing quorum. */
    public static final class ClusterException extends CairnException {
        private static final long serialVersionUID = 1L;

        ClusterException(String message) {
            super(message);
        }
    }

    /** An operation on {@code key} needing {@code consistency}'s count of owners (at least W or R). */
    private Wire.Out op(byte[] key, dev.cairn.api.Consistency consistency, int code) {
        if (closed) {
            throw new dev.cairn.api.StoreClosedException("cluster namespace " + namespace);
        }
        int owners = replication.owners();
        consistency.requireSatisfiedBy(owners, owners); // more than N can never answer
        int need = consistency.required(owners);
        return new Wire.Out().b(ReplicaService.FORWARD).s(namespace).bytes(key).i(owners)
                .i(Math.max(replication.writes(), need)).i(Math.max(replication.reads(), need)).b(code);
    }

    /** A write's outcome: applied, number, and the entry written if one was. */
    private record Outcome(boolean applied, long number, Entry written) {
    }

    private Outcome write(byte[] key, Wire.Out operation) {
        Wire.In in = forward(key, operation);
        try {
            boolean applied = in.bool();
            long number = in.l();
            Entry written = null;
            if (in.bool()) {
                dev.cairn.api.Version v = in.version();
                long expiresAt = in.l();
                byte[] value = in.bytes();
                written = value == null ? null : new Entry(key.clone(), value, v, expiresAt);
            }
            return new Outcome(applied, number, written);
        } catch (IOException e) {
            throw new ClusterException("a malformed reply: " + e.getMessage());
        }
    }

    private void checkRead(ReadOptions options) {
        Objects.requireNonNull(options, "options");
    }

    private long expiry(WriteOptions options) {
        return options.expiresAtMillis(clock.millis());
    }

    @Override
    public Optional<Entry> get(byte[] key, ReadOptions options) {
        checkRead(options);
        limits.checkKey(key);
        Wire.In in = forward(key, op(key, options.consistency(), ReplicaService.GET).bool(options.includeExpired()));
        try {
            if (!in.bool()) {
                return Optional.empty();
            }
            ReplicaRecord r = in.record();
            return Optional.of(new Entry(key.clone(), r.value(), r.version(), r.expiresAtMillis()));
        } catch (IOException e) {
            throw new ClusterException("a malformed reply: " + e.getMessage());
        }
    }

    @Override
    public boolean exists(byte[] key, ReadOptions options) {
        return get(key, options).isPresent();
    }

    @Override
    public Entry put(byte[] key, byte[] value, WriteOptions options) {
        limits.checkKey(key);
        limits.checkValue(value);
        return write(key, op(key, options.consistency(), ReplicaService.PUT).bytes(value).l(expiry(options))).written;
    }

    @Override
    public boolean delete(byte[] key, WriteOptions options) {
        limits.checkKey(key);
        return write(key, op(key, options.consistency(), ReplicaService.DELETE)).applied;
    }

    @Override
    public Optional<Entry> compareAndSet(byte[] key, Expected expected, byte[] value, WriteOptions options) {
        limits.checkKey(key);
        limits.checkValue(value);
        Objects.requireNonNull(expected, "expected");
        Outcome o = write(key, op(key, options.consistency(), ReplicaService.CAS).expected(expected).bytes(value).l(expiry(options)));
        return o.applied ? Optional.of(o.written) : Optional.empty();
    }

    @Override
    public boolean compareAndDelete(byte[] key, Expected expected, WriteOptions options) {
        limits.checkKey(key);
        Objects.requireNonNull(expected, "expected");
        return write(key, op(key, options.consistency(), ReplicaService.CAS_DELETE).expected(expected)).applied;
    }

    @Override
    public long increment(byte[] key, long delta, WriteOptions options) {
        limits.checkKey(key);
        return write(key, op(key, options.consistency(), ReplicaService.INCREMENT).l(delta).bool(options.hasExpiry()).l(expiry(options))).number;
    }

    @Override
    public boolean expireAt(byte[] key, long expiresAtMillis, WriteOptions options) {
        limits.checkKey(key);
        if (expiresAtMillis <= 0) {
            throw new IllegalArgumentException("expiry instant must be positive: " + expiresAtMillis);
        }
        return write(key, op(key, options.consistency(), ReplicaService.EXPIRE_AT).l(expiresAtMillis)).applied;
    }

    @Override
    public boolean persist(byte[] key, WriteOptions options) {
        limits.checkKey(key);
        return write(key, op(key, options.consistency(), ReplicaService.PERSIST)).applied;
    }

    @Override
    public RemainingTtl remainingTtl(byte[] key, ReadOptions options) {
        long now = clock.millis();
        return RemainingTtl.of(get(key, options).orElse(null), now);
    }

    @Override
    public List<Optional<Entry>> getAll(List<byte[]> keys, ReadOptions options) {
        keys.forEach(limits::checkKey);
        List<Optional<Entry>> out = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            out.add(get(key, options));
        }
        return out;
    }

    @Override
    public void putAll(List<KeyValue> entries, WriteOptions options) {
        for (KeyValue kv : entries) {
            limits.checkKey(kv.key());
            limits.checkValue(kv.value());
        }
        for (KeyValue kv : entries) {
            put(kv.key(), kv.value(), options);
        }
    }

    @Override
    public int deleteAll(Collection<byte[]> keys, WriteOptions options) {
        keys.forEach(limits::checkKey);
        TreeMap<byte[], Boolean> unique = new TreeMap<>(dev.cairn.api.ByteStrings.ORDER);
        keys.forEach(k -> unique.put(k, Boolean.TRUE));
        int n = 0;
        for (byte[] key : unique.keySet()) {
            n += delete(key, options) ? 1 : 0;
        }
        return n;
    }

    /**
     * Up to {@code limit} live entries of {@code range} in key order: every key the members hold in
     * the range, each read through its primary (so each entry is linearizable, the page as a whole
     * is not a snapshot).
     */
    @Override
    public List<Entry> scan(KeyRange range, int limit, ReadOptions options) {
        if (closed) {
            throw new dev.cairn.api.StoreClosedException("cluster namespace " + namespace);
        }
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(range, "range");
        if (limit < 1) {
            throw new IllegalArgumentException("scan limit must be at least 1: " + limit);
        }
        List<Entry> out = new ArrayList<>();
        KeyRange rest = range;
        while (out.size() < limit && !rest.isEmpty()) {
            List<byte[]> keys = service.keysIn(namespace, rest, limit - out.size());
            if (keys.isEmpty()) {
                break;
            }
            for (byte[] key : keys) {
                get(key, options).ifPresent(out::add);
                if (out.size() == limit) {
                    break;
                }
            }
            rest = rest.startingAfter(keys.get(keys.size() - 1));
        }
        return out;
    }

    /**
     * Empties the namespace on every member; a write acknowledged before the call does not come back
     * (see {@code ReplicaService.clearEverywhere}). Not atomic against writes made meanwhile; fails with
     * {@link QuorumNotReachedException} unless every member of the topology cleared its part.
     */
    @Override
    public void clear(WriteOptions options) {
        Objects.requireNonNull(options, "options");
        if (closed) {
            throw new dev.cairn.api.StoreClosedException("cluster namespace " + namespace);
        }
        ReplicaService.Cleared cleared = service.clearEverywhere(namespace);
        if (cleared.done() < cleared.members()) {
            throw new QuorumNotReachedException(cleared.members(), cleared.done(), "clearing namespace " + namespace);
        }
    }

    /**
     * This member's view of the cluster: name, epoch, members, and how many segments it serves as
     * primary now (of how many it is primary of in the current topology), how many of those it
     * still transfers, the members of a staged topology change and how many segments this member
     * still copies ahead of it, and its replication counters and latencies.
     */
    public record Status(String member, long epoch, List<String> members, int serving, int primaryOf, int segments,
                         int inTransfer, List<String> staged, int preparing, String raft, ReplicationMetrics.Snapshot metrics) {
    }

    /** The cluster member this store routes through (its JGroups channel, its name, its view). */
    public dev.cairn.transport.membership.ClusterMember member() {
        return service.topology().member();
    }

    /** Calls {@code listener} once if this member's storage fails; the member has left the cluster by then. */
    public void onStorageFailure(java.util.function.Consumer<Throwable> listener) {
        service.onStorageFailure(listener);
    }

    public Status status() {
        dev.cairn.transport.topology.Topology t = service.topology().current();
        int primaryOf = 0;
        if (t.members().contains(service.topology().member().name())) {
            dev.cairn.transport.placement.SegmentTable table = service.table(t);
            for (int s = 0; s < service.segments(); s++) {
                if (table.primary(s).equals(service.topology().member().name())) {
                    primaryOf++;
                }
            }
        }
        return new Status(service.topology().member().name(), t.epoch(), t.members(), service.serving().size(), primaryOf,
                service.segments(), service.segmentsInTransfer(), service.topology().state().staged(), service.segmentsPreparing(),
                service.topology().describeRaft(), service.metrics().snapshot());
    }

    /** Closes this handle (the members keep the data); later calls raise {@link dev.cairn.api.StoreClosedException}. */
    @Override
    public void close() {
        closed = true;
    }
}
