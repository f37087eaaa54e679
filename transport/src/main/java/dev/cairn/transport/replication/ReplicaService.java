package dev.cairn.transport.replication;

import dev.cairn.api.Entry;
import dev.cairn.api.KeyRange;
import dev.cairn.api.Mutation;
import dev.cairn.api.Namespaces;
import dev.cairn.api.ReplicaRecord;
import dev.cairn.api.ReplicaStore;
import dev.cairn.api.Store;
import dev.cairn.api.Version;
import dev.cairn.transport.placement.Placement;
import dev.cairn.transport.placement.SegmentTable;
import dev.cairn.transport.topology.ClusterState;
import dev.cairn.transport.topology.Topology;
import dev.cairn.transport.topology.TopologyService;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.blocks.RequestOptions;
import org.jgroups.blocks.ResponseMode;
import org.jgroups.util.Rsp;
import org.jgroups.util.RspList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member's part in replication ({@code transport/PROTOCOL.md}): as a segment's primary it
 * orders writes, stamps them with versions of the current epoch and waits for W owners; it answers
 * reads from R owners and repairs stale ones; as an owner it applies what primaries send unless
 * fenced above their epoch; and when a topology makes it a primary it takes the segment over —
 * fence the previous owners, pull from them, mark the segment served through Raft — before it
 * serves.
 *
 * <p>Data lives in the member's local engine ({@link Namespaces}), which must implement
 * {@link ReplicaStore}; every write to it goes through {@code applyIfNewer}, so order and
 * repetition of messages do not matter.
 */
public final class ReplicaService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaService.class);

    static final byte FORWARD = 1;
    static final byte REPLICATE = 2;
    static final byte READ = 3;
    static final byte FENCE = 4;
    static final byte PULL = 5;
    static final byte KEYS = 6;
    static final byte CLEAR = 7;

    static final byte OK = 0;
    static final byte NOT_PRIMARY = 1;
    static final byte FENCED = 2;
    static final byte NO_QUORUM = 3;
    static final byte ERROR = 4;
    /** A typed failure of the operation itself (not a number, overflow): the caller throws the same. */
    static final byte FAILED = 5;
    static final byte NOT_A_NUMBER = 1;
    static final byte OVERFLOW = 2;

    /** Operations a FORWARD carries. */
    static final byte PUT = 1;
    static final byte DELETE = 2;
    static final byte CAS = 3;
    static final byte CAS_DELETE = 4;
    static final byte INCREMENT = 5;
    static final byte EXPIRE_AT = 6;
    static final byte PERSIST = 7;
    static final byte GET = 8;

    private static final int PULL_PAGE = 512;

    private final TopologyService topology;
    private final Namespaces local;
    private final ReplicationSettings settings;
    private final Clock clock;
    private final long[] fenced; // guarded by this
    private final Set<Integer> serving = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile long servingEpoch;
    private final AtomicLong counter = new AtomicLong();
    private final ReentrantLock[] stripes = new ReentrantLock[256];
    private final ScheduledExecutorService takeovers;

    public ReplicaService(TopologyService topology, Namespaces local, ReplicationSettings settings, Clock clock) {
        this.topology = topology;
        this.local = local;
        this.settings = settings;
        this.clock = clock;
        this.fenced = new long[topology.state().segments()];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
        takeovers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cairn-takeover-" + topology.member().name());
            t.setDaemon(true);
            return t;
        });
        topology.member().handleRequests(this::handle);
        topology.onChange(t -> takeovers.execute(this::takeOver));
        takeovers.execute(this::takeOver);
    }

    String name() {
        return topology.member().name();
    }

    /** The cluster's number of segments. */
    public int segments() {
        return fenced.length;
    }

    SegmentTable table(Topology t) {
        return t.table(segments(), settings.owners());
    }

    ReplicationSettings settings() {
        return settings;
    }

    public TopologyService topology() {
        return topology;
    }

    private Store localStore(String namespace) {
        return local.namespace(namespace);
    }

    private static ReplicaStore replica(Store s) {
        return (ReplicaStore) s;
    }

    // ------------------------------------------------------------------ takeover

    /**
     * For every segment this member is now primary of and does not serve yet: fence the previous
     * owners, pull from them, then mark the segments served through Raft and serve them.
     */
    private void takeOver() {
        try {
            ClusterState state = topology.state();
            Topology t = state.topology();
            if (t.epoch() == 0 || !t.members().contains(name())) {
                return;
            }
            if (t.epoch() != servingEpoch) {
                serving.clear();
                servingEpoch = t.epoch();
            }
            SegmentTable table = table(t);
            List<Integer> ready = new ArrayList<>();
            for (int s = 0; s < segments(); s++) {
                if (!table.primary(s).equals(name()) || serving.contains(s)) {
                    continue;
                }
                if (state.lastServed(s) == t.epoch() || handOver(state, s, t.epoch())) {
                    ready.add(s);
                }
            }
            if (ready.isEmpty()) {
                return;
            }
            int[] marked = ready.stream().mapToInt(Integer::intValue).toArray();
            topology.markServed(t.epoch(), marked, settings.timeoutMillis());
            if (topology.current().epoch() == t.epoch()) {
                serving.addAll(ready);
                log.debug("{}: serving {} segments in epoch {}", name(), ready.size(), t.epoch());
            }
        } catch (Exception e) {
            log.debug("{}: takeover incomplete, retrying: {}", name(), e.toString());
            retryLater();
            return;
        }
        if (topology.state().topology().epoch() == servingEpoch && !allServed()) {
            retryLater();
        }
    }

    private boolean allServed() {
        Topology t = topology.current();
        if (!t.members().contains(name())) {
            return true;
        }
        SegmentTable table = table(t);
        for (int s = 0; s < segments(); s++) {
            if (table.primary(s).equals(name()) && !serving.contains(s)) {
                return false;
            }
        }
        return true;
    }

    private void retryLater() {
        try {
            takeovers.schedule(this::takeOver, 200, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // closed while a takeover was under way
        }
    }

    /** Fences and pulls segment {@code s} from its previous owners; true once done. */
    private boolean handOver(ClusterState state, int s, long epoch) throws Exception {
        List<String> previous = state.previousOwners(s, settings.owners());
        fence(s, epoch); // this member, too, refuses older epochs for s from now on
        if (previous.isEmpty()) {
            return true;
        }
        int quorum = ClusterState.fenceQuorum(previous.size(), Math.min(settings.writes(), previous.size()),
                Math.min(settings.reads(), previous.size()));
        List<String> fencedOwners = new ArrayList<>();
        for (String owner : previous) {
            if (owner.equals(name())) {
                fencedOwners.add(owner);
                continue;
            }
            byte[] reply = call(owner, new Wire.Out().b(FENCE).i(s).l(epoch).done());
            if (reply != null && reply[0] == OK) {
                fencedOwners.add(owner);
            }
        }
        if (fencedOwners.size() < quorum) {
            return false;
        }
        for (String owner : fencedOwners) {
            if (!owner.equals(name()) && !pull(owner, s)) {
                return false;
            }
        }
        return true;
    }

    /** Pulls every record of segment {@code s}, every namespace, from {@code owner}. */
    private boolean pull(String owner, int s) throws IOException {
        List<String> names = new ArrayList<>();
        byte[] reply = call(owner, new Wire.Out().b(PULL).i(s).s("").bytes(null).done());
        if (reply == null || reply[0] != OK) {
            return false;
        }
        Wire.In in = new Wire.In(reply, 1, reply.length - 1);
        int n = in.i();
        for (int i = 0; i < n; i++) {
            names.add(in.s());
        }
        for (String ns : names) {
            byte[] after = null;
            while (true) {
                byte[] page = call(owner, new Wire.Out().b(PULL).i(s).s(ns).bytes(after == null ? new byte[0] : after).done());
                if (page == null || page[0] != OK) {
                    return false;
                }
                Wire.In p = new Wire.In(page, 1, page.length - 1);
                int count = p.i();
                List<ReplicaRecord> records = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    records.add(p.record());
                }
                boolean more = p.bool();
                replica(localStore(ns)).applyAllIfNewer(records);
                if (!more || records.isEmpty()) {
                    break;
                }
                after = records.get(records.size() - 1).key();
            }
        }
        return true;
    }

    private synchronized void fence(int s, long epoch) {
        fenced[s] = Math.max(fenced[s], epoch);
    }

    private synchronized boolean accepts(int s, long epoch) {
        return epoch >= fenced[s];
    }

    private synchronized long fencedAt(int s) {
        return fenced[s];
    }

    // ------------------------------------------------------------------ requests

    /** Answers another member's request; never throws (errors become ERROR replies). */
    Object handle(Message msg) {
        try {
            byte[] frame = msg.getArray();
            Wire.In in = new Wire.In(frame, msg.getOffset(), msg.getLength());
            return switch (in.b()) {
                case FORWARD -> onForward(in);
                case REPLICATE -> onReplicate(in);
                case READ -> onRead(in);
                case FENCE -> onFence(in);
                case PULL -> onPull(in);
                case KEYS -> onKeys(in);
                case CLEAR -> onClear(in);
                default -> error("unknown request");
            };
        } catch (IOException | RuntimeException e) {
            log.warn("{}: refused a request from {}: {}", name(), msg.getSrc(), e.toString());
            return error(e.toString());
        }
    }

    private static byte[] error(String message) {
        return new Wire.Out().b(ERROR).s(message.length() > 1000 ? message.substring(0, 1000) : message).done();
    }

    private byte[] onFence(Wire.In in) throws IOException {
        int s = segment(in.i());
        long epoch = in.l();
        in.end();
        fence(s, epoch);
        return new Wire.Out().b(OK).done();
    }

    private byte[] onReplicate(Wire.In in) throws IOException {
        int s = segment(in.i());
        long epoch = in.l();
        String ns = in.s();
        int n = in.i();
        if (n < 0 || n > 100_000) {
            throw new IOException("a batch of " + n + " records");
        }
        List<ReplicaRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            records.add(in.record());
        }
        in.end();
        // the check and the apply under the segment's fence: a fence cannot slip in between
        synchronized (this) {
            if (epoch < fenced[s]) {
                return new Wire.Out().b(FENCED).l(fenced[s]).done();
            }
            replica(localStore(ns)).applyAllIfNewer(records);
        }
        return new Wire.Out().b(OK).done();
    }

    private byte[] onRead(Wire.In in) throws IOException {
        int s = segment(in.i());
        long epoch = in.l();
        String ns = in.s();
        byte[] key = in.nonNullBytes();
        in.end();
        if (!accepts(s, epoch)) {
            return new Wire.Out().b(FENCED).l(fencedAt(s)).done();
        }
        Optional<ReplicaRecord> r = replica(localStore(ns)).readRecord(key);
        Wire.Out out = new Wire.Out().b(OK).bool(r.isPresent());
        r.ifPresent(out::record);
        return out.done();
    }

    private byte[] onPull(Wire.In in) throws IOException {
        int s = segment(in.i());
        String ns = in.s();
        byte[] after = in.bytes();
        in.end();
        if (after == null) {
            List<String> names = local.names();
            Wire.Out out = new Wire.Out().b(OK).i(names.size());
            names.forEach(out::s);
            return out.done();
        }
        ReplicaStore store = replica(localStore(ns));
        KeyRange range = after.length == 0 ? KeyRange.all() : KeyRange.all().startingAfter(after);
        List<ReplicaRecord> page = new ArrayList<>();
        boolean more;
        // segments are spread over the key space: walk the namespace, keep this segment's records
        while (true) {
            List<ReplicaRecord> batch = store.scanRecords(range, 1024);
            for (ReplicaRecord r : batch) {
                if (Placement.segmentOf(r.key(), segments()) == s) {
                    page.add(r);
                }
            }
            if (batch.size() < 1024) {
                more = false;
                break;
            }
            range = range.startingAfter(batch.get(batch.size() - 1).key());
            if (page.size() >= PULL_PAGE) {
                more = true; // the caller goes on after the last record it got
                break;
            }
        }
        Wire.Out out = new Wire.Out().b(OK).i(page.size());
        page.forEach(out::record);
        return out.bool(more).done();
    }

    /** Up to {@code limit} keys of values (not tombstones) this member holds in a range, in order. */
    private byte[] onKeys(Wire.In in) throws IOException {
        String ns = in.s();
        byte[] start = in.bytes();
        byte[] end = in.bytes();
        int limit = in.i();
        in.end();
        if (limit < 1 || limit > 100_000) {
            throw new IOException("a key limit of " + limit);
        }
        List<ReplicaRecord> records = replica(localStore(ns)).scanRecords(KeyRange.between(start, end), limit);
        Wire.Out out = new Wire.Out().b(OK);
        List<byte[]> keys = new ArrayList<>();
        for (ReplicaRecord r : records) {
            if (!r.isTombstone()) {
                keys.add(r.key());
            }
        }
        out.i(keys.size());
        keys.forEach(out::bytes);
        return out.done();
    }

    /** Empties this member's part of a namespace. */
    private byte[] onClear(Wire.In in) throws IOException {
        String ns = in.s();
        in.end();
        localStore(ns).clear();
        return new Wire.Out().b(OK).done();
    }

    /** Clears {@code ns} on every member of the topology; returns how many did. */
    int clearEverywhere(String ns) {
        byte[] frame = new Wire.Out().b(CLEAR).s(ns).done();
        int done = 0;
        for (byte[] reply : callAll(topology.current().members(), frame)) {
            if (reply != null && reply[0] == OK) {
                done++;
            }
        }
        return done;
    }

    int memberCount() {
        return topology.current().members().size();
    }

    /** The first {@code limit} keys any member of the topology holds in {@code range}, merged, in order. */
    List<byte[]> keysIn(String ns, KeyRange range, int limit) {
        byte[] frame = new Wire.Out().b(KEYS).s(ns).bytes(range.start()).bytes(range.end()).i(limit).done();
        java.util.TreeSet<byte[]> keys = new java.util.TreeSet<>(dev.cairn.api.ByteStrings.ORDER);
        List<String> members = topology.current().members();
        List<byte[]> replies = callAll(members, frame);
        for (byte[] reply : replies) {
            if (reply == null || reply[0] != OK) {
                continue;
            }
            try {
                Wire.In in = new Wire.In(reply, 1, reply.length - 1);
                int n = in.i();
                for (int i = 0; i < n; i++) {
                    keys.add(in.nonNullBytes());
                }
            } catch (IOException e) {
                log.warn("{}: a malformed key list: {}", name(), e.toString());
            }
        }
        List<byte[]> out = new ArrayList<>();
        for (byte[] k : keys) {
            if (out.size() == limit) {
                break;
            }
            out.add(k);
        }
        return out;
    }

    private int segment(int s) throws IOException {
        if (s < 0 || s >= segments()) {
            throw new IOException("no segment " + s);
        }
        return s;
    }

    // ------------------------------------------------------------------ the primary's side

    private byte[] onForward(Wire.In in) throws IOException {
        String ns = in.s();
        byte[] key = in.nonNullBytes();
        int need = in.i();
        if (need < 0 || need > settings.owners()) {
            throw new IOException("a request for " + need + " of " + settings.owners() + " owners");
        }
        int op = in.b();
        Mutation mutation = null;
        boolean includeExpired = false;
        switch (op) {
            case PUT -> mutation = new Mutation.Put(in.nonNullBytes(), expiring(in.l()));
            case DELETE -> mutation = new Mutation.Delete();
            case CAS -> mutation = new Mutation.CompareAndSet(in.expected(), in.nonNullBytes(), expiring(in.l()));
            case CAS_DELETE -> mutation = new Mutation.CompareAndDelete(in.expected());
            case INCREMENT -> {
                long delta = in.l();
                boolean hasExpiry = in.bool();
                long at = in.l();
                mutation = new Mutation.Increment(delta, hasExpiry ? expiring(at) : dev.cairn.api.WriteOptions.DEFAULT);
            }
            case EXPIRE_AT -> mutation = new Mutation.ExpireAt(in.l());
            case PERSIST -> mutation = new Mutation.Persist();
            case GET -> includeExpired = in.bool();
            default -> throw new IOException("unknown operation " + op);
        }
        in.end();
        return mutation == null ? read(ns, key, includeExpired, Math.max(settings.reads(), need))
                : write(ns, key, mutation, Math.max(settings.writes(), need));
    }

    private static dev.cairn.api.WriteOptions expiring(long expiresAtMillis) {
        return expiresAtMillis == Entry.NO_EXPIRY ? dev.cairn.api.WriteOptions.DEFAULT
                : dev.cairn.api.WriteOptions.DEFAULT.withExpiresAt(expiresAtMillis);
    }

    /** Where this member stands for {@code s}: null when it may act as its primary now, else the reply that says why not. */
    private byte[] notServing(int s, Topology t) {
        if (!table(t).primary(s).equals(name()) || !serving.contains(s) || servingEpoch != t.epoch()) {
            return new Wire.Out().b(NOT_PRIMARY).l(t.epoch()).done();
        }
        return null;
    }

    /** A write at the primary: decide, stamp, apply here, replicate; answered once {@code writes} owners have it. */
    byte[] write(String ns, byte[] key, Mutation mutation, int writes) {
        Topology t = topology.current();
        int s = Placement.segmentOf(key, segments());
        byte[] refused = notServing(s, t);
        if (refused != null) {
            return refused;
        }
        ReentrantLock lock = stripes[(java.util.Arrays.hashCode(key) & 0x7fffffff) % stripes.length];
        lock.lock();
        try {
            long now = clock.millis();
            ReplicaRecord current;
            Quorum q = null;
            if (mutation instanceof Mutation.Put) {
                current = null; // a put does not depend on what is stored; its replication checks the fences
            } else {
                // The decision rests on the newest record of R owners (which also proves this member
                // is still the primary), not on this member's copy alone: a conditional write that
                // fails is a read, and must not read a deposed primary's stale state.
                Object found = quorumRead(s, t, ns, key, Math.max(settings.reads(), 1));
                if (found instanceof byte[] reply) {
                    return reply;
                }
                q = (Quorum) found;
                current = q.newest();
            }
            Entry before = current != null && !current.isTombstone() ? current.toEntry() : null;
            Mutation.Decision d;
            try {
                d = mutation.decide(key, before, now);
            } catch (dev.cairn.api.NotANumberException e) {
                return new Wire.Out().b(FAILED).b(NOT_A_NUMBER).s(e.getMessage()).done();
            } catch (dev.cairn.api.NumericOverflowException e) {
                return new Wire.Out().b(FAILED).b(OVERFLOW).s(e.getMessage()).l(e.current()).l(e.delta()).done();
            }
            Version version = null;
            if (d.write() == Mutation.Write.NONE && q != null) {
                byte[] failed = repair(s, t, ns, q); // answered from the newest: it must be on W owners first
                if (failed != null) {
                    return failed;
                }
            }
            if (d.write() != Mutation.Write.NONE) {
                version = Version.of(t.epoch(), Math.max(counter.incrementAndGet(), 1));
                ReplicaRecord record = d.write() == Mutation.Write.VALUE
                        ? ReplicaRecord.value(key, d.value(), version, d.expiresAtMillis())
                        : ReplicaRecord.tombstone(key, version, now);
                int acks = replicate(s, t, ns, List.of(record));
                if (acks == DEPOSED) {
                    return new Wire.Out().b(NOT_PRIMARY).l(t.epoch()).done(); // nothing applied: ask the new primary
                }
                if (acks < writes) {
                    // applied here (and maybe elsewhere) but not acknowledged: the write may or may not
                    // survive, so the caller must not simply run it again
                    return new Wire.Out().b(NO_QUORUM).i(Math.max(acks, 1)).i(writes).done();
                }
            }
            Wire.Out out = new Wire.Out().b(OK).bool(d.applied()).l(d.number()).bool(version != null);
            if (version != null) {
                out.version(version).l(d.expiresAtMillis()).bytes(d.value());
            }
            return out.done();
        } finally {
            lock.unlock();
        }
    }

    /** What {@link #replicate} answers when this member is fenced above the epoch: nothing was applied. */
    private static final int DEPOSED = -1;
    /** What {@link #replicate} answers when another owner is fenced above the epoch, after this one applied. */
    private static final int DEPOSED_AFTER_APPLY = -2;

    /**
     * Applies here and on the other owners; returns how many owners have it, or {@link #DEPOSED}
     * when this member is fenced above the epoch (nothing applied: the caller may ask the new
     * primary), or {@link #DEPOSED_AFTER_APPLY} when another owner is (a newer primary has taken
     * the segment over after this one applied it: the write's fate is unknown).
     */
    private int replicate(int s, Topology t, String ns, List<ReplicaRecord> records) {
        int acks = 0;
        synchronized (this) {
            if (t.epoch() < fenced[s]) {
                return DEPOSED;
            }
            replica(localStore(ns)).applyAllIfNewer(records);
            acks++;
        }
        Wire.Out out = new Wire.Out().b(REPLICATE).i(s).l(t.epoch()).s(ns).i(records.size());
        records.forEach(out::record);
        byte[] frame = out.done();
        List<String> others = new ArrayList<>(table(t).owners(s));
        others.remove(name());
        boolean deposed = false;
        for (byte[] reply : callAll(others, frame)) {
            if (reply != null && reply[0] == OK) {
                acks++;
            } else if (reply != null && reply[0] == FENCED) {
                deposed = true;
            }
        }
        return deposed ? DEPOSED_AFTER_APPLY : acks;
    }

    /** What a quorum read found: the newest record among R owners, and how many of them hold it. */
    private record Quorum(ReplicaRecord newest, int holders) {
    }

    /**
     * Reads {@code key} from this member and R − 1 other owners, checking that none of them (this
     * one included) is fenced above the epoch. Returns a {@link Quorum}, or the reply to give
     * instead (NOT_PRIMARY when deposed, NO_QUORUM when too few answered).
     */
    private Object quorumRead(int s, Topology t, String ns, byte[] key, int reads) {
        if (!accepts(s, t.epoch())) {
            return new Wire.Out().b(NOT_PRIMARY).l(t.epoch()).done(); // a newer primary fenced this one
        }
        ReplicaRecord local = replica(localStore(ns)).readRecord(key).orElse(null);
        List<ReplicaRecord> answers = new ArrayList<>();
        answers.add(local);
        ReplicaRecord newest = local;
        List<String> others = new ArrayList<>(table(t).owners(s));
        others.remove(name());
        others = others.subList(0, Math.min(others.size(), reads - 1));
        byte[] ask = new Wire.Out().b(READ).i(s).l(t.epoch()).s(ns).bytes(key).done();
        int answered = 1;
        List<byte[]> replies = callAll(others, ask);
        for (byte[] reply : replies) {
            if (reply == null || reply[0] == ERROR || reply[0] == NO_QUORUM) {
                continue;
            }
            if (reply[0] == FENCED) {
                return new Wire.Out().b(NOT_PRIMARY).l(t.epoch()).done(); // deposed: a newer epoch took over
            }
            try {
                Wire.In in = new Wire.In(reply, 1, reply.length - 1);
                ReplicaRecord r = in.bool() ? in.record() : null;
                answered++;
                answers.add(r);
                if (r != null && (newest == null || r.version().isNewerThan(newest.version()))) {
                    newest = r;
                }
            } catch (IOException e) {
                log.warn("{}: a malformed read reply: {}", name(), e.toString());
            }
        }
        if (answered < reads) {
            return new Wire.Out().b(NO_QUORUM).i(answered).i(reads).done();
        }
        if (newest != null && newest.version().epoch() > t.epoch()) {
            return new Wire.Out().b(NOT_PRIMARY).l(t.epoch()).done(); // a newer epoch's primary has written
        }
        int holders = 0;
        for (ReplicaRecord r : answers) {
            if (newest != null && r != null && r.version().equals(newest.version())) {
                holders++;
            }
        }
        return new Quorum(newest, holders);
    }

    /**
     * Read repair: before anything is answered from {@code q.newest}, it must be on W owners, so
     * that every later read quorum meets one of them (W + R > N) and no read goes back in time.
     * Returns the reply to give instead, or null when the newest is safe to answer from.
     */
    private byte[] repair(int s, Topology t, String ns, Quorum q) {
        if (q.newest() == null || q.holders() >= settings.writes()) {
            return null;
        }
        int acks = replicate(s, t, ns, List.of(q.newest()));
        if (acks == DEPOSED || acks == DEPOSED_AFTER_APPLY) {
            return new Wire.Out().b(NOT_PRIMARY).l(t.epoch()).done(); // repairing again elsewhere is harmless
        }
        if (acks < settings.writes()) {
            return new Wire.Out().b(NO_QUORUM).i(acks).i(settings.writes()).done();
        }
        return null;
    }

    /** A read at the primary: the newest of R owners, repaired onto W before it is answered. */
    byte[] read(String ns, byte[] key, boolean includeExpired, int reads) {
        Topology t = topology.current();
        int s = Placement.segmentOf(key, segments());
        byte[] refused = notServing(s, t);
        if (refused != null) {
            return refused;
        }
        Object found = quorumRead(s, t, ns, key, reads);
        if (found instanceof byte[] reply) {
            return reply;
        }
        Quorum q = (Quorum) found;
        byte[] failed = repair(s, t, ns, q);
        if (failed != null) {
            return failed;
        }
        ReplicaRecord newest = q.newest();
        Wire.Out out = new Wire.Out().b(OK);
        boolean visible = newest != null && !newest.isTombstone() && (includeExpired || !newest.isDeadAt(clock.millis()));
        out.bool(visible);
        if (visible) {
            out.record(newest);
        }
        return out.done();
    }

    // ------------------------------------------------------------------ messaging

    /**
     * One request to {@code member}. Null when it was not sent (the member is not in the view), so
     * the caller may send it elsewhere; a NO_QUORUM reply when it was sent but not answered in
     * time, since the request may still have taken effect.
     */
    byte[] call(String member, byte[] frame) {
        Address a = topology.member().addressOf(member);
        if (a == null) {
            return null;
        }
        if (member.equals(name())) {
            return (byte[]) handle(new BytesMessage(a, frame));
        }
        try {
            // out of band: a handler waiting on other members must not hold up this sender's other messages
            return topology.member().dispatcher().sendMessage(new BytesMessage(a, frame).setFlag(Message.Flag.OOB),
                    RequestOptions.SYNC().timeout(settings.timeoutMillis()));
        } catch (Exception e) {
            return new Wire.Out().b(NO_QUORUM).i(0).i(settings.writes()).done();
        }
    }

    /** The same request to several members at once; their replies in order (null: none). */
    private List<byte[]> callAll(List<String> members, byte[] frame) {
        List<byte[]> out = new ArrayList<>();
        List<Address> dests = new ArrayList<>();
        for (String m : members) {
            dests.add(topology.member().addressOf(m));
        }
        List<Address> present = new ArrayList<>();
        for (Address a : dests) {
            if (a != null) {
                present.add(a);
            }
        }
        RspList<byte[]> rsps = null;
        if (!present.isEmpty()) {
            try {
                rsps = topology.member().dispatcher().castMessage(present, new BytesMessage(null, frame).setFlag(Message.Flag.OOB),
                        new RequestOptions(ResponseMode.GET_ALL, settings.timeoutMillis()));
            } catch (Exception e) {
                rsps = null;
            }
        }
        for (Address a : dests) {
            Rsp<byte[]> r = a == null || rsps == null ? null : rsps.get(a);
            out.add(r != null && r.wasReceived() && !r.hasException() ? r.getValue() : null);
        }
        return out;
    }

    /** The members of the current topology that own the key's segment, primary first. */
    List<String> owners(byte[] key) {
        return table(topology.current()).owners(Placement.segmentOf(key, segments()));
    }

    /** The segments this member serves as primary in the current epoch. */
    public Set<Integer> serving() {
        return servingEpoch == topology.current().epoch() ? new HashSet<>(serving) : Set.of();
    }

    @Override
    public void close() {
        takeovers.shutdownNow();
    }
}
