package dev.cairn.transport.replication;

import dev.cairn.api.Entry;
import dev.cairn.api.KeyRange;
import dev.cairn.api.Mutation;
import dev.cairn.api.Namespaces;
import dev.cairn.api.ReplicaRecord;
import dev.cairn.api.ReplicaStore;
import dev.cairn.api.StorageFailedException;
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
import org.jgroups.blocks.RspFilter;
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
    static final byte NAMES = 8;
    static final byte DIGEST = 9;
    static final byte CLEAR_MARK = 10;

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
    private static final int SCAN_PAGE = 1024;

    private final TopologyService topology;
    private final Namespaces local;
    private final ReplicationSettings settings;
    private final Clock clock;
    private final long[] fenced; // guarded by fenceLock
    private long floor; // guarded by fenceLock: the newest epoch this member knows
    private final java.nio.file.Path fenceFile;
    private final Set<Integer> serving = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile long servingEpoch;
    /**
     * The counter of the versions this member stamps as a primary. It must grow across restarts
     * too: a member restarted within the same epoch (before the others noticed it was gone) is
     * primary of the same segments in the same epoch, and versions (E, c) below its previous
     * incarnation's would be acknowledged and yet lose to the older records. So it starts from the
     * clock (microseconds), and a takeover raises it above every version of the epoch it finds.
     */
    private final AtomicLong counter;
    private final ReentrantLock[] stripes = new ReentrantLock[256];
    private final ScheduledExecutorService takeovers;
    /** Copies segments this member will gain from a staged topology: apart from takeovers, which must never wait behind it. */
    private final ScheduledExecutorService preparer;
    /** Runs the anti-entropy passes, apart from takeovers and preparations, which must never wait behind one. */
    private final ScheduledExecutorService repairer;
    private volatile int preparing;
    private final ReplicationMetrics metrics;
    private volatile int pending;
    private volatile long transferBytesPerSecond = 64L << 20;
    private final Object throttleLock = new Object();
    private long nextTransferNanos; // guarded by throttleLock

    public ReplicaService(TopologyService topology, Namespaces local, ReplicationSettings settings, Clock clock) {
        this(topology, local, settings, clock, null);
    }

    /**
     * As above, keeping the fences in {@code fenceFile} (fsynced before a fence is acknowledged,
     * read back at the start), so that a member restarted on its data still refuses the epochs it
     * refused before: without it, a deposed primary could gather its W acknowledgements again
     * from a restarted owner that has not yet heard of the newer epoch. Null: fences in memory only
     * (a member whose data does not survive a restart either).
     */
    public ReplicaService(TopologyService topology, Namespaces local, ReplicationSettings settings, Clock clock,
                          java.nio.file.Path fenceFile) {
        this.topology = topology;
        this.local = local;
        this.settings = settings;
        this.clock = clock;
        this.fenceFile = fenceFile;
        this.counter = new AtomicLong(Math.max(1, clock.millis()) * 1_000);
        this.fenced = fenceFile == null ? new long[topology.state().segments()] : Fences.read(fenceFile, topology.state().segments());
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
        takeovers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cairn-takeover-" + topology.member().name());
            t.setDaemon(true);
            return t;
        });
        preparer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cairn-prepare-" + topology.member().name());
            t.setDaemon(true);
            return t;
        });
        repairer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cairn-anti-entropy-" + topology.member().name());
            t.setDaemon(true);
            return t;
        });
        metrics = new ReplicationMetrics(topology.member().name());
        raiseFloor(topology.current().epoch());
        topology.member().handleRequests(this::handle);
        topology.onChange(t -> {
            raiseFloor(t.epoch());
            try {
                takeovers.execute(this::takeOver);
            } catch (RejectedExecutionException closing) {
                // closed
            }
        });
        topology.onStaging(st -> {
            try {
                preparer.execute(this::prepare);
            } catch (RejectedExecutionException closing) {
                // closed
            }
        });
        takeovers.execute(this::takeOver);
        preparer.execute(this::prepare);
        antiEntropyEvery(ANTI_ENTROPY_MILLIS);
    }

    /** Caps the bytes per second a takeover transfers (pulls and pushes together); 0: no cap. */
    public void transferBytesPerSecond(long rate) {
        if (rate < 0) {
            throw new IllegalArgumentException("a transfer rate must be >= 0: " + rate);
        }
        transferBytesPerSecond = rate;
    }

    /** This member's counters and latencies. */
    public ReplicationMetrics metrics() {
        return metrics;
    }

    /** The segments this member copies ahead of a staged topology change in which it gains them. */
    public int segmentsPreparing() {
        return preparing;
    }

    /** The segments this member is primary of in the current topology and still hands over. */
    public int segmentsInTransfer() {
        return pending;
    }

    String name() {
        return topology.member().name();
    }

    /** The cluster's number of segments. */
    public int segments() {
        return fenced.length;
    }

    /** A topology's members with their placement, computed once per topology rather than per request. */
    private record Placed(List<String> members, SegmentTable table) {
    }

    private volatile Placed placed = new Placed(List.of(), null);
    private volatile Placed stagedPlaced = new Placed(List.of(), null);

    SegmentTable table(Topology t) {
        return placement(t.members(), true);
    }

    private SegmentTable placement(List<String> members, boolean current) {
        Placed p = current ? placed : stagedPlaced;
        if (p.table() == null || !p.members().equals(members)) {
            p = new Placed(members, Placement.compute(members, segments(), settings.owners()));
            if (current) {
                placed = p;
            } else {
                stagedPlaced = p;
            }
        }
        return p.table();
    }

    /**
     * The members that will own segment {@code s} (for a namespace of {@code rs.owners()} owners)
     * once the staged topology replaces {@code t}, and do not own it in {@code t}: the primary
     * sends them its writes too, so that what they copy does not go stale while they copy it.
     */
    private List<String> stagedOwners(Topology t, int s, ReplicationSettings rs) {
        ClusterState st = topology.state();
        if (st.staged().isEmpty() || st.topology().epoch() != t.epoch()) {
            return List.of();
        }
        List<String> next = placement(st.staged(), false).owners(s);
        List<String> now = owners(t, s, rs);
        List<String> out = new ArrayList<>(0);
        for (String m : next.subList(0, Math.min(next.size(), rs.owners()))) {
            if (!now.contains(m)) {
                out.add(m);
            }
        }
        return out;
    }

    public ReplicationSettings settings() {
        return settings;
    }

    public TopologyService topology() {
        return topology;
    }

    private Store localStore(String namespace) {
        return local.namespace(namespace);
    }

    /**
     * Applies {@code records} to this member's copy of {@code ns}, each only if newer than what it
     * holds, under {@link #fenceLock} shared (callers that check an epoch fence already hold it):
     * a clear's fences and the clear itself, taken exclusively, fall before or after it, whole.
     */
    private void applyLocally(String ns, List<ReplicaRecord> records) {
        fenceLock.readLock().lock();
        try {
            Version[] fence = clearedThrough.get(ns);
            replica(localStore(ns)).applyAllIfNewer(fence == null ? records : stampedAfter(fence, records));
        } catch (RuntimeException e) {
            throw checkStorage(e);
        } finally {
            fenceLock.readLock().unlock();
        }
    }

    /**
     * Per namespace, per segment: the newest version its primary had stamped when a clear of the
     * namespace began. A record stamped up to it was written before the clear, so it is not applied
     * when it arrives after the clear (a write acknowledged by W owners reaches the others later).
     * Guarded by {@link #fenceLock}.
     */
    private final java.util.Map<String, Version[]> clearedThrough = new java.util.HashMap<>();

    private List<ReplicaRecord> stampedAfter(Version[] fence, List<ReplicaRecord> records) {
        List<ReplicaRecord> kept = new ArrayList<>(records.size());
        for (ReplicaRecord r : records) {
            Version through = fence[Placement.segmentOf(r.key(), segments())];
            if (through == null || r.version().isNewerThan(through)) {
                kept.add(r);
            }
        }
        return kept;
    }

    private final java.util.concurrent.atomic.AtomicBoolean storageFailed = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<java.util.function.Consumer<Throwable>> storageFailureListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Calls {@code listener} once if this member's storage fails; by then the member has stopped
     * (see {@link #checkStorage}). A server exits, so that a supervisor restarts it on its data.
     */
    public void onStorageFailure(java.util.function.Consumer<Throwable> listener) {
        storageFailureListeners.add(listener);
    }

    /**
     * A member whose storage failed (a failed fsync: {@link StorageFailedException}) can
     * acknowledge nothing from then on, and as a primary it would hold its segments unavailable
     * for as long as it stays. So it stops being a member — as a crash would, on another thread,
     * since this may be a JGroups thread — and the others take its segments over: every write it
     * acknowledged is on W owners. Returns {@code e} for the caller to throw.
     */
    private RuntimeException checkStorage(RuntimeException e) {
        StorageFailedException failure = StorageFailedException.in(e);
        if (failure != null && storageFailed.compareAndSet(false, true)) {
            log.error("{}: the local storage failed; this member leaves the cluster (restart it once the disk is fixed)",
                    name(), failure);
            Thread stop = new Thread(() -> {
                close();
                topology.close();
                storageFailureListeners.forEach(l -> l.accept(failure));
            }, "cairn-storage-failed-" + name());
            stop.setDaemon(true);
            stop.start();
        }
        return e;
    }

    private static ReplicaStore replica(Store s) {
        return (ReplicaStore) s;
    }

    // ------------------------------------------------------------------ staging

    private volatile List<String> lastPrepareWarned = List.of();

    /**
     * When a topology change is staged and this member is to gain segments in it: copies them from
     * their current primaries (digests first, then pages of records, throttled) while those keep
     * serving and send it their new writes, then tells Raft it has prepared. Nothing here is
     * needed for safety — the takeover after the change fences and pulls in full — but it finds
     * the copies in place and only compares digests, so segments change hands without waiting for
     * their data to travel.
     */
    private void prepare() {
        ClusterState st = topology.state();
        Topology t = st.topology();
        List<String> staged = st.staged();
        if (staged.isEmpty() || !staged.contains(name()) || st.prepared(name()) || t.members().isEmpty()) {
            preparing = 0;
            return;
        }
        java.util.function.BooleanSupplier stale = () -> {
            ClusterState now = topology.state();
            return now.topology().epoch() != t.epoch() || !now.staged().equals(staged);
        };
        try {
            SegmentTable current = table(t);
            SegmentTable next = placement(staged, false);
            java.util.Map<String, List<Integer>> bySource = new java.util.TreeMap<>();
            for (int s = 0; s < segments(); s++) {
                if (next.owners(s).contains(name()) && !current.owners(s).contains(name())) {
                    bySource.computeIfAbsent(current.primary(s), k -> new ArrayList<>()).add(s);
                }
            }
            int gaining = bySource.values().stream().mapToInt(List::size).sum();
            preparing = gaining;
            for (java.util.Map.Entry<String, List<Integer>> e : bySource.entrySet()) {
                List<Integer> segs = e.getValue();
                if (stale.getAsBoolean() || transfer(e.getKey(), segs, t.epoch(), false, ns -> digests(ns, segs), stale) < 0) {
                    throw new IOException("copying " + segs.size() + " segments from " + e.getKey() + " did not complete");
                }
                preparing = Math.max(0, preparing - segs.size());
            }
            if (!stale.getAsBoolean()) {
                topology.markPrepared(t.epoch(), staged, settings.timeoutMillis());
                log.info("{}: copied the {} segments it gains in the staged topology {}", name(), gaining, staged);
            }
            preparing = 0;
        } catch (Exception e) {
            if (!staged.equals(lastPrepareWarned)) {
                lastPrepareWarned = staged;
                log.warn("{}: copying ahead of the staged topology {} failed, retrying: {}", name(), staged, e.toString());
            } else {
                log.debug("{}: preparing for the staged topology, retrying: {}", name(), e.toString());
            }
            try {
                preparer.schedule(this::prepare, 200, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // closed
            }
        }
    }

    // ------------------------------------------------------------------ takeover

    /** How many segments one takeover step hands over, marks served and starts serving together. */
    private static final int HANDOVER_CHUNK = 32;

    /**
     * For every segment this member is now primary of and does not serve yet, in chunks: fence the
     * previous owners, pull what they hold that this member lacks, push the segment to the other
     * owners of the new topology, then mark the chunk served through Raft and serve it. Segments of
     * a chunk serve as soon as that chunk is through; the rest keep transferring.
     */
    private void takeOver() {
        try {
            ClusterState state = topology.state();
            Topology t = state.topology();
            if (t.epoch() == 0 || !t.members().contains(name())) {
                pending = 0;
                return;
            }
            raiseFloor(t.epoch());
            if (t.epoch() != servingEpoch) {
                serving.clear();
                servingEpoch = t.epoch();
            }
            SegmentTable table = table(t);
            List<Integer> mine = new ArrayList<>();
            for (int s = 0; s < segments(); s++) {
                if (table.primary(s).equals(name()) && !serving.contains(s)) {
                    mine.add(s);
                }
            }
            pending = mine.size();
            for (int from = 0; from < mine.size(); from += HANDOVER_CHUNK) {
                List<Integer> chunk = mine.subList(from, Math.min(mine.size(), from + HANDOVER_CHUNK));
                List<Integer> ready = handOver(state, t, chunk);
                if (ready.isEmpty() || topology.current().epoch() != t.epoch()) {
                    continue;
                }
                topology.markServed(t.epoch(), ready.stream().mapToInt(Integer::intValue).toArray(), settings.timeoutMillis());
                if (topology.current().epoch() == t.epoch()) {
                    serving.addAll(ready);
                    pending = Math.max(0, pending - ready.size());
                    log.debug("{}: serving {} more segments in epoch {}", name(), ready.size(), t.epoch());
                }
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

    /**
     * Hands {@code segs} over to this member in epoch {@code t}; returns those that are ready to
     * serve. A segment is ready once enough of its previous owners are fenced that every write or
     * read quorum of theirs meets one, this member holds everything those fenced owners hold, and
     * at least min(W, R) owners of the new topology (this one included) hold it too — so the next
     * takeover, fencing its own quorum of these owners, finds every acknowledged write again.
     */
    private List<Integer> handOver(ClusterState state, Topology t, List<Integer> segs) throws Exception {
        long epoch = t.epoch();
        fence(segs, epoch); // this member, too, refuses older epochs for these segments from now on
        java.util.Map<Integer, List<String>> previous = new java.util.HashMap<>();
        java.util.Map<String, List<Integer>> bySource = new java.util.LinkedHashMap<>();
        for (int s : segs) {
            List<String> prev = state.previousOwners(s, settings.owners());
            previous.put(s, prev);
            for (String o : prev) {
                bySource.computeIfAbsent(o, k -> new ArrayList<>()).add(s);
            }
        }
        Set<String> fencedOwners = new HashSet<>();
        fencedOwners.add(name());
        for (java.util.Map.Entry<String, List<Integer>> e : bySource.entrySet()) {
            if (e.getKey().equals(name())) {
                continue;
            }
            byte[] reply = call(e.getKey(), segmentsFrame(new Wire.Out().b(FENCE).l(epoch), e.getValue()).done());
            if (reply != null && reply[0] == OK) {
                fencedOwners.add(e.getKey());
            }
        }
        Set<Integer> ready = new java.util.TreeSet<>();
        for (int s : segs) {
            List<String> prev = previous.get(s);
            int quorum = prev.isEmpty() ? 0 : ClusterState.fenceQuorum(prev.size(), Math.min(settings.writes(), prev.size()),
                    Math.min(settings.reads(), prev.size()));
            int fencedCount = 0;
            for (String o : prev) {
                fencedCount += fencedOwners.contains(o) ? 1 : 0;
            }
            if (fencedCount >= quorum) {
                ready.add(s);
            }
        }
        // take what the fenced previous owners hold
        for (java.util.Map.Entry<String, List<Integer>> e : bySource.entrySet()) {
            String source = e.getKey();
            if (source.equals(name()) || !fencedOwners.contains(source)) {
                continue;
            }
            List<Integer> from = new ArrayList<>(e.getValue());
            from.retainAll(ready);
            if (!from.isEmpty() && transfer(source, from, epoch, false, ns -> digests(ns, from), () -> false) < 0) {
                ready.removeAll(from);
            }
        }
        // give it to the other owners of the new topology
        SegmentTable table = table(t);
        java.util.Map<String, List<Integer>> byTarget = new java.util.LinkedHashMap<>();
        for (int s : ready) {
            for (String o : table.owners(s)) {
                if (!o.equals(name())) {
                    byTarget.computeIfAbsent(o, k -> new ArrayList<>()).add(s);
                }
            }
        }
        // this member's copy is final now: one scan gives the digests every push compares and the
        // highest counter of the epoch, above which this member stamps from now on
        java.util.Map<String, java.util.Map<Integer, Long>> mine = new java.util.HashMap<>();
        long highest = 0;
        for (String ns : local.names()) {
            java.util.Map<Integer, Long> d = new java.util.HashMap<>();
            highest = Math.max(highest, summarize(ns, ready, d, epoch));
            mine.put(ns, d);
        }
        counter.accumulateAndGet(highest, Math::max);
        java.util.Map<Integer, Integer> holders = new java.util.HashMap<>();
        for (java.util.Map.Entry<String, List<Integer>> e : byTarget.entrySet()) {
            if (transfer(e.getKey(), e.getValue(), epoch, true, ns -> mine.getOrDefault(ns, java.util.Map.of()), () -> false) >= 0) {
                for (int s : e.getValue()) {
                    holders.merge(s, 1, Integer::sum);
                }
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int s : ready) {
            int others = table.owners(s).size() - 1;
            if (holders.getOrDefault(s, 0) >= Math.min(others, Math.min(settings.writes(), settings.reads()) - 1)) {
                out.add(s);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ anti-entropy

    /** How often a primary compares its segments with their other owners unless told otherwise: every 10 minutes. */
    public static final long ANTI_ENTROPY_MILLIS = 600_000;

    private java.util.concurrent.ScheduledFuture<?> antiEntropy; // guarded by this

    /**
     * Runs {@link #repairReplicas} every {@code intervalMillis} (the first after up to 10 % more,
     * so that the members' passes spread out); 0 stops it. The interval must be well inside the
     * engines' tombstone grace: a replica that missed a delete must get the tombstone before the
     * others forget it, or a quorum read meeting that replica brings the value back.
     */
    public synchronized void antiEntropyEvery(long intervalMillis) {
        if (intervalMillis < 0) {
            throw new IllegalArgumentException("an anti-entropy interval must be >= 0: " + intervalMillis);
        }
        if (antiEntropy != null) {
            antiEntropy.cancel(false);
            antiEntropy = null;
        }
        if (intervalMillis > 0) {
            long first = intervalMillis + java.util.concurrent.ThreadLocalRandom.current().nextLong(intervalMillis / 10 + 1);
            try {
                antiEntropy = repairer.scheduleWithFixedDelay(() -> {
                    try {
                        repairReplicas();
                    } catch (RuntimeException e) {
                        log.warn("{}: anti-entropy pass failed: {}", name(), e.toString());
                    }
                }, first, intervalMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // closed
            }
        }
    }

    /**
     * One anti-entropy pass: for each segment this member serves as primary, and each other owner
     * of it, compares their digests (every namespace) and, where they differ, pulls the owner's
     * records of the segment and applies those newer than its own, then pushes its records of the
     * segment to the owner, which applies those newer than its own — so both end with, for every
     * key, the newest record either had, tombstones included. This brings an owner that missed
     * writes or deletes (one of the N − W that did not answer in time) up to date when no read
     * happens to repair it, as a takeover does for the segments it moves. Records travel with the
     * versions primaries stamped, and the push goes out under the current epoch, which the owners'
     * fences and floors check like any replication; a pass stops when the epoch changes. Returns
     * how many (segment, namespace) pairs differed and were repaired; counted in
     * {@link ReplicationMetrics} and {@code INFO cluster}.
     */
    public int repairReplicas() {
        Topology t = topology.current();
        long epoch = t.epoch();
        Set<Integer> mine = serving();
        if (mine.isEmpty()) {
            return 0;
        }
        SegmentTable table = table(t);
        java.util.Map<String, List<Integer>> byOwner = new java.util.TreeMap<>();
        for (int s : new java.util.TreeSet<>(mine)) {
            for (String o : table.owners(s)) {
                if (!o.equals(name())) {
                    byOwner.computeIfAbsent(o, k -> new ArrayList<>()).add(s);
                }
            }
        }
        java.util.function.BooleanSupplier moved = () -> topology.current().epoch() != epoch;
        int repaired = 0;
        for (java.util.Map.Entry<String, List<Integer>> e : byOwner.entrySet()) {
            List<Integer> segs = e.getValue();
            try {
                int pulled = transfer(e.getKey(), segs, epoch, false, ns -> digests(ns, segs), moved);
                if (pulled <= 0 || moved.getAsBoolean()) {
                    continue; // no digest differed: nothing to push either (the comparison is the same)
                }
                repaired += Math.max(pulled, transfer(e.getKey(), segs, epoch, true, ns -> digests(ns, segs), moved));
            } catch (IOException | RuntimeException ex) {
                log.debug("{}: anti-entropy with {} incomplete: {}", name(), e.getKey(), ex.toString());
            }
        }
        metrics.antiEntropyPass(repaired);
        if (repaired > 0) {
            log.info("{}: anti-entropy repaired {} segment copies with their other owners", name(), repaired);
        }
        return repaired;
    }

    private static Wire.Out segmentsFrame(Wire.Out out, List<Integer> segs) {
        out.i(segs.size());
        for (int s : segs) {
            out.i(s);
        }
        return out;
    }

    /**
     * Makes {@code other} and this member agree on {@code segs}, every namespace: compares the
     * segments' digests and copies the differing ones, from {@code other} to this member
     * ({@code push} false) or from this member to {@code other} (true), by pages of records with
     * their versions and tombstones, throttled. {@code mine} gives this member's digests of a
     * namespace. Returns how many (segment, namespace) pairs differed and were copied, or -1 when
     * a peer did not answer or {@code abandon} said so (between pages).
     */
    private int transfer(String other, List<Integer> segs, long epoch, boolean push,
                             java.util.function.Function<String, java.util.Map<Integer, Long>> mine,
                             java.util.function.BooleanSupplier abandon) throws IOException {
        Set<String> names = new java.util.TreeSet<>(local.names());
        if (!push) {
            byte[] reply = call(other, new Wire.Out().b(NAMES).done());
            if (reply == null || reply[0] != OK) {
                return -1;
            }
            Wire.In in = new Wire.In(reply, 1, reply.length - 1);
            int n = in.i();
            for (int i = 0; i < n; i++) {
                names.add(in.s());
            }
        }
        int copied = 0;
        for (String ns : names) {
            Namespaces.checkName(ns);
            byte[] reply = call(other, segmentsFrame(new Wire.Out().b(DIGEST).s(ns), segs).done());
            if (reply == null || reply[0] != OK) {
                return -1;
            }
            Wire.In in = new Wire.In(reply, 1, reply.length - 1);
            java.util.Map<Integer, Long> ours = mine.apply(ns);
            List<Integer> differing = new ArrayList<>();
            for (int s : segs) {
                if (in.l() != ours.getOrDefault(s, 0L)) {
                    differing.add(s);
                }
            }
            if (differing.isEmpty()) {
                continue;
            }
            if (push ? !pushTo(other, ns, differing, epoch) : !pullFrom(other, ns, differing, abandon)) {
                return -1;
            }
            copied += differing.size();
        }
        return copied;
    }

    private boolean pullFrom(String source, String ns, List<Integer> segs, java.util.function.BooleanSupplier abandon)
            throws IOException {
        byte[] after = new byte[0];
        while (true) {
            if (abandon.getAsBoolean()) {
                return false;
            }
            byte[] page = call(source, segmentsFrame(new Wire.Out().b(PULL).s(ns).bytes(after), segs).done());
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
            byte[] resume = p.nonNullBytes();
            if (!records.isEmpty()) {
                applyLocally(ns, records);
            }
            metrics.transferredIn(records.size(), page.length);
            throttle(page.length);
            if (!more) {
                return true;
            }
            after = resume;
        }
    }

    private boolean pushTo(String target, String ns, List<Integer> segs, long epoch) {
        return scanSegments(ns, new HashSet<>(segs), page -> {
            Wire.Out out = new Wire.Out().b(REPLICATE).l(epoch).s(ns).i(page.size());
            page.forEach(out::record);
            byte[] frame = out.done();
            byte[] reply = call(target, frame);
            if (reply == null || reply[0] != OK) {
                return false;
            }
            metrics.transferredOut(page.size(), frame.length);
            throttle(frame.length);
            return true;
        });
    }

    /**
     * Walks namespace {@code ns} in key order and hands each scanned page's records of
     * {@code segs} (segments are spread over the key space) to {@code page}, while it answers true;
     * false when it stopped the walk.
     */
    private boolean scanSegments(String ns, Set<Integer> segs, java.util.function.Predicate<List<ReplicaRecord>> page) {
        ReplicaStore store = replica(localStore(ns));
        KeyRange range = KeyRange.all();
        while (true) {
            List<ReplicaRecord> batch = store.scanRecords(range, SCAN_PAGE);
            List<ReplicaRecord> wanted = new ArrayList<>();
            for (ReplicaRecord r : batch) {
                if (segs.contains(Placement.segmentOf(r.key(), segments()))) {
                    wanted.add(r);
                }
            }
            if (!wanted.isEmpty() && !page.test(wanted)) {
                return false;
            }
            if (batch.size() < SCAN_PAGE) {
                return true;
            }
            range = range.startingAfter(batch.get(batch.size() - 1).key());
        }
    }

    /** Each segment's digest of namespace {@code ns} on this member: a sum of its records' (key, version, kind) hashes. */
    private java.util.Map<Integer, Long> digests(String ns, java.util.Collection<Integer> segs) {
        java.util.Map<Integer, Long> out = new java.util.HashMap<>();
        summarize(ns, segs, out, -1);
        return out;
    }

    /**
     * Puts each of {@code segs}' digest of {@code ns} into {@code digests}; returns the highest
     * version counter among those records stamped in {@code epoch} (0 if none).
     */
    private long summarize(String ns, java.util.Collection<Integer> segs, java.util.Map<Integer, Long> digests, long epoch) {
        for (int s : segs) {
            digests.put(s, 0L);
        }
        long[] highest = {0};
        scanSegments(ns, new HashSet<>(segs), page -> {
            for (ReplicaRecord r : page) {
                digests.merge(Placement.segmentOf(r.key(), segments()), recordHash(r), Long::sum);
                if (r.version().epoch() == epoch) {
                    highest[0] = Math.max(highest[0], r.version().counter());
                }
            }
            return true;
        });
        return highest[0];
    }

    private static long recordHash(ReplicaRecord r) {
        long h = java.util.Arrays.hashCode(r.key()) * 0x9E3779B97F4A7C15L;
        h ^= r.version().epoch() * 0xC2B2AE3D27D4EB4FL + r.version().counter();
        h ^= r.isTombstone() ? 0x165667B19E3779F9L : java.util.Arrays.hashCode(r.value());
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return h;
    }

    /** Holds the transfer to {@link #transferBytesPerSecond} so that serving goes on meanwhile. */
    private void throttle(long bytes) {
        long rate = transferBytesPerSecond;
        if (rate <= 0) {
            return;
        }
        long now = System.nanoTime();
        long due;
        synchronized (throttleLock) {
            nextTransferNanos = Math.max(now, nextTransferNanos) + bytes * 1_000_000_000L / rate;
            due = nextTransferNanos;
        }
        long wait = due - now;
        if (wait > 1_000_000L) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Raises the fences of {@code segs} to {@code epoch}; durable (when a fence file is kept) before it returns. */
    /**
     * Guards the fences (each segment's epoch fence, and a clear's version fences in
     * {@link #clearedThrough}) and the floor. Applying a record takes it shared, around the check of the
     * fence and the apply, so applies run side by side (and share the engine's group commit)
     * while a fence, taken exclusively, waits for the applies under way and is seen by every
     * later one: once a fence is acknowledged, no write of an older epoch is applied here.
     * (A monitor held across each durable apply serialized every write on a member behind one
     * fsync at a time, and an unfair monitor let a write wait out the replication timeout.)
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock fenceLock = new java.util.concurrent.locks.ReentrantReadWriteLock();

    private void fence(List<Integer> segs, long epoch) {
        fenceLock.writeLock().lock();
        try {
            boolean changed = false;
            for (int s : segs) {
                if (fenced[s] < epoch) {
                    fenced[s] = epoch;
                    changed = true;
                }
            }
            if (changed && fenceFile != null) {
                Fences.write(fenceFile, fenced);
            }
        } finally {
            fenceLock.writeLock().unlock();
        }
    }

    /** Nothing of an epoch older than the newest one this member knows is accepted, in any segment. */
    private void raiseFloor(long epoch) {
        fenceLock.writeLock().lock();
        try {
            floor = Math.max(floor, epoch);
        } finally {
            fenceLock.writeLock().unlock();
        }
    }

    private boolean accepts(int s, long epoch) {
        return epoch >= fencedAt(s);
    }

    private long fencedAt(int s) {
        fenceLock.readLock().lock();
        try {
            return Math.max(fenced[s], floor);
        } finally {
            fenceLock.readLock().unlock();
        }
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
                case CLEAR_MARK -> onClearMark(in);
                case CLEAR -> onClear(in);
                case NAMES -> onNames(in);
                case DIGEST -> onDigest(in);
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

    private List<Integer> segmentList(Wire.In in) throws IOException {
        int n = in.i();
        if (n < 0 || n > segments()) {
            throw new IOException("a list of " + n + " segments");
        }
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(segment(in.i()));
        }
        return out;
    }

    private byte[] onFence(Wire.In in) throws IOException {
        long epoch = in.l();
        List<Integer> segs = segmentList(in);
        in.end();
        fence(segs, epoch);
        return new Wire.Out().b(OK).done();
    }

    private byte[] onReplicate(Wire.In in) throws IOException {
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
        // the check and the apply under the fences: a fence cannot slip in between
        fenceLock.readLock().lock();
        try {
            for (ReplicaRecord r : records) {
                long at = fencedAt(Placement.segmentOf(r.key(), segments()));
                if (epoch < at) {
                    return new Wire.Out().b(FENCED).l(at).done();
                }
            }
            applyLocally(ns, records);
        } finally {
            fenceLock.readLock().unlock();
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

    private byte[] onNames(Wire.In in) throws IOException {
        in.end();
        List<String> names = local.names();
        Wire.Out out = new Wire.Out().b(OK).i(names.size());
        names.forEach(out::s);
        return out.done();
    }

    private byte[] onDigest(Wire.In in) throws IOException {
        String ns = in.s();
        List<Integer> segs = segmentList(in);
        in.end();
        java.util.Map<Integer, Long> d = digests(ns, segs);
        Wire.Out out = new Wire.Out().b(OK);
        for (int s : segs) {
            out.l(d.get(s));
        }
        return out.done();
    }

    /**
     * A page of the records (tombstones included) of some segments of a namespace, after a key:
     * at most {@value #PULL_PAGE} records, from at most {@value #SCAN_PAGE} × 8 scanned, with
     * whether there are more and the key to go on after.
     */
    private byte[] onPull(Wire.In in) throws IOException {
        String ns = in.s();
        byte[] after = in.nonNullBytes();
        Set<Integer> wanted = new HashSet<>(segmentList(in));
        in.end();
        ReplicaStore store = replica(localStore(ns));
        KeyRange range = after.length == 0 ? KeyRange.all() : KeyRange.all().startingAfter(after);
        List<ReplicaRecord> page = new ArrayList<>();
        boolean more = false;
        byte[] resume = after;
        // segments are spread over the key space: walk the namespace, keep these segments' records
        for (int scans = 0; scans < 8; scans++) {
            List<ReplicaRecord> batch = store.scanRecords(range, SCAN_PAGE);
            for (ReplicaRecord r : batch) {
                if (wanted.contains(Placement.segmentOf(r.key(), segments()))) {
                    page.add(r);
                }
            }
            if (batch.size() < SCAN_PAGE) {
                more = false;
                break;
            }
            resume = batch.get(batch.size() - 1).key();
            range = range.startingAfter(resume);
            more = true;
            if (page.size() >= PULL_PAGE) {
                break;
            }
        }
        Wire.Out out = new Wire.Out().b(OK).i(page.size());
        page.forEach(out::record);
        return out.bool(more).bytes(resume).done();
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
        // tombstones do not count against the limit: a member answering fewer than limit keys has
        // none left in the range, which is what keysIn relies on to merge the answers
        ReplicaStore store = replica(localStore(ns));
        List<byte[]> keys = new ArrayList<>();
        KeyRange rest = KeyRange.between(start, end);
        while (keys.size() < limit && !rest.isEmpty()) {
            List<ReplicaRecord> records = store.scanRecords(rest, limit);
            for (ReplicaRecord r : records) {
                if (!r.isTombstone() && keys.size() < limit) {
                    keys.add(r.key());
                }
            }
            if (records.size() < limit) {
                break;
            }
            rest = rest.startingAfter(records.get(records.size() - 1).key());
        }
        Wire.Out out = new Wire.Out().b(OK);
        out.i(keys.size());
        keys.forEach(out::bytes);
        return out.done();
    }

    /**
     * The first step of a clear: the newest version this member has stamped as a primary, and the
     * segments it serves. Every record it stamped before answering is at or below that version.
     */
    private byte[] onClearMark(Wire.In in) throws IOException {
        in.end();
        long epoch = servingEpoch;
        long stamped = counter.get();
        Set<Integer> mine = epoch == topology.current().epoch() ? new HashSet<>(serving) : Set.of();
        Wire.Out out = new Wire.Out().b(OK).l(epoch).l(stamped).i(mine.size());
        mine.forEach(out::i);
        return out.done();
    }

    /** Fences this member's part of a namespace against the records stamped before the clear, then empties it. */
    private byte[] onClear(Wire.In in) throws IOException {
        String ns = in.s();
        int n = in.i();
        if (n < 0 || n > segments()) {
            throw new IOException("a clear fencing " + n + " segments");
        }
        Version[] fence = new Version[segments()];
        for (int i = 0; i < n; i++) {
            int segment = in.i();
            if (segment < 0 || segment >= fence.length) {
                throw new IOException("segment " + segment);
            }
            fence[segment] = Version.of(in.l(), in.l());
        }
        in.end();
        fenceLock.writeLock().lock();
        try {
            Version[] before = clearedThrough.get(ns);
            if (before != null) {
                for (int s = 0; s < fence.length; s++) {
                    fence[s] = newer(fence[s], before[s]);
                }
            }
            clearedThrough.put(ns, fence);
            localStore(ns).clear();
        } catch (RuntimeException e) {
            throw checkStorage(e);
        } finally {
            fenceLock.writeLock().unlock();
        }
        return new Wire.Out().b(OK).done();
    }

    /** The newer of two fences (null: none). */
    private static Version newer(Version a, Version b) {
        return a == null || b != null && b.isNewerThan(a) ? b : a;
    }

    /** How many members a clear had to reach, and how many cleared. */
    record Cleared(int members, int done) {
    }

    /**
     * Clears {@code ns} on every member of the topology and every staged member (a copy a staged
     * member made would outlive the clear and come back after the change), in two steps: first each
     * member says which version it has stamped up to for the segments it serves; then each member
     * fences those segments at those versions and empties its part. So a write acknowledged before
     * the clear began, whose copy reaches a third owner only after that owner cleared, is not
     * applied there: it does not come back. Writes made during the clear may or may not survive it.
     */
    Cleared clearEverywhere(String ns) {
        java.util.TreeSet<String> members = new java.util.TreeSet<>(topology.current().members());
        members.addAll(topology.state().staged());
        List<String> all = List.copyOf(members);
        Version[] fence = new Version[segments()];
        for (byte[] reply : callAll(all, new Wire.Out().b(CLEAR_MARK).done())) {
            if (reply == null || reply[0] != OK) {
                continue; // it will not clear either, and the clear fails
            }
            try {
                Wire.In in = new Wire.In(reply, 1, reply.length - 1);
                Version stamped = Version.of(in.l(), in.l());
                for (int i = in.i(); i > 0; i--) {
                    int segment = in.i();
                    fence[segment] = newer(fence[segment], stamped);
                }
            } catch (IOException | RuntimeException e) {
                log.warn("{}: a malformed clear mark: {}", name(), e.toString());
            }
        }
        int fenced = 0;
        for (Version v : fence) {
            fenced += v == null ? 0 : 1;
        }
        Wire.Out out = new Wire.Out().b(CLEAR).s(ns).i(fenced);
        for (int segment = 0; segment < fence.length; segment++) {
            if (fence[segment] != null) {
                out.i(segment).l(fence[segment].epoch()).l(fence[segment].counter());
            }
        }
        int done = 0;
        for (byte[] reply : callAll(all, out.done())) {
            if (reply != null && reply[0] == OK) {
                done++;
            }
        }
        return new Cleared(members.size(), done);
    }

    /** The first {@code limit} keys any member of the topology holds in {@code range}, merged, in order. */
    List<byte[]> keysIn(String ns, KeyRange range, int limit) {
        byte[] frame = new Wire.Out().b(KEYS).s(ns).bytes(range.start()).bytes(range.end()).i(limit).done();
        java.util.TreeSet<byte[]> keys = new java.util.TreeSet<>(dev.cairn.api.ByteStrings.ORDER);
        List<String> members = topology.current().members();
        List<byte[]> replies = callAll(members, frame);
        // A member that answered a full page may hold more keys after its last one, which another
        // member's longer list would skip: only keys up to the smallest such last key are known
        // to be every member's.
        byte[] bound = null;
        for (byte[] reply : replies) {
            if (reply == null || reply[0] != OK) {
                continue;
            }
            try {
                Wire.In in = new Wire.In(reply, 1, reply.length - 1);
                int n = in.i();
                byte[] last = null;
                for (int i = 0; i < n; i++) {
                    last = in.nonNullBytes();
                    keys.add(last);
                }
                if (n >= limit && (bound == null || dev.cairn.api.ByteStrings.compare(last, bound) < 0)) {
                    bound = last;
                }
            } catch (IOException e) {
                log.warn("{}: a malformed key list: {}", name(), e.toString());
            }
        }
        List<byte[]> out = new ArrayList<>();
        for (byte[] k : keys) {
            if (out.size() == limit || (bound != null && dev.cairn.api.ByteStrings.compare(k, bound) > 0)) {
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
        ReplicationSettings rs;
        try {
            rs = namespaceSettings(in.i(), in.i(), in.i());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
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
        long start = System.nanoTime();
        byte[] reply = mutation == null ? read(ns, key, includeExpired, rs) : write(ns, key, mutation, rs);
        metrics.atPrimary(mutation == null, reply[0], System.nanoTime() - start);
        return reply;
    }

    /**
     * The settings of a request for a namespace — N owners (the first N of the segment's), W, R —
     * checked against the cluster's: N at most the cluster's, and W and R at least the smaller of
     * the cluster's, which is what a takeover's fence quorum is sized for ({@code PROTOCOL.md}).
     */
    ReplicationSettings namespaceSettings(int owners, int writes, int reads) {
        ReplicationSettings rs = new ReplicationSettings(owners, writes, reads, settings.timeoutMillis());
        int floorQuorum = Math.min(settings.writes(), settings.reads());
        if (owners > settings.owners()) {
            throw new IllegalArgumentException("a namespace cannot have more owners (" + owners + ") than the cluster's N = "
                    + settings.owners());
        }
        if (Math.min(writes, reads) < floorQuorum) {
            throw new IllegalArgumentException("a namespace's W and R must be at least " + floorQuorum
                    + " (the smaller of the cluster's W = " + settings.writes() + " and R = " + settings.reads()
                    + "), or a takeover could miss its writes: N=" + owners + " W=" + writes + " R=" + reads);
        }
        return rs;
    }

    /** The owners of segment {@code s} for a namespace of {@code rs.owners()} owners: the first of the cluster's, primary first. */
    private List<String> owners(Topology t, int s, ReplicationSettings rs) {
        List<String> all = table(t).owners(s);
        return all.subList(0, Math.min(all.size(), rs.owners()));
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
    byte[] write(String ns, byte[] key, Mutation mutation, ReplicationSettings rs) {
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
                Object found = quorumRead(s, t, ns, key, rs);
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
                byte[] failed = repair(s, t, ns, q, rs); // answered from the newest: it must be on W owners first
                if (failed != null) {
                    return failed;
                }
            }
            if (d.write() != Mutation.Write.NONE) {
                version = Version.of(t.epoch(), Math.max(counter.incrementAndGet(), 1));
                ReplicaRecord record = d.write() == Mutation.Write.VALUE
                        ? ReplicaRecord.value(key, d.value(), version, d.expiresAtMillis())
                        : ReplicaRecord.tombstone(key, version, now);
                int acks = replicate(s, t, ns, List.of(record), rs);
                if (acks == DEPOSED) {
                    return new Wire.Out().b(NOT_PRIMARY).l(t.epoch()).done(); // nothing applied: ask the new primary
                }
                if (acks < rs.writes()) {
                    // applied here (and maybe elsewhere) but not acknowledged: the write may or may not
                    // survive, so the caller must not simply run it again
                    metrics.quorumFailed();
                    return new Wire.Out().b(NO_QUORUM).i(Math.max(acks, 1)).i(rs.writes()).done();
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
    private int replicate(int s, Topology t, String ns, List<ReplicaRecord> records, ReplicationSettings rs) {
        int acks = 0;
        fenceLock.readLock().lock();
        try {
            if (t.epoch() < fencedAt(s)) {
                return DEPOSED;
            }
            applyLocally(ns, records);
            acks++;
        } finally {
            fenceLock.readLock().unlock();
        }
        Wire.Out out = new Wire.Out().b(REPLICATE).l(t.epoch()).s(ns).i(records.size());
        records.forEach(out::record);
        byte[] frame = out.done();
        List<String> others = new ArrayList<>(owners(t, s, rs));
        others.remove(name());
        int owning = others.size();
        others.addAll(stagedOwners(t, s, rs)); // they receive it, but only owners acknowledge a write
        boolean deposed = false;
        metrics.replicated(others.size());
        Set<Address> owningAddresses = addresses(others.subList(0, owning));
        List<byte[]> replies = callAll(others, frame, enough(owningAddresses::contains, reply -> reply[0] == OK, rs.writes() - 1),
                settings.timeoutMillis());
        for (byte[] reply : replies.subList(0, owning)) {
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
    private Object quorumRead(int s, Topology t, String ns, byte[] key, ReplicationSettings rs) {
        int reads = rs.reads();
        if (!accepts(s, t.epoch())) {
            return new Wire.Out().b(NOT_PRIMARY).l(t.epoch()).done(); // a newer primary fenced this one
        }
        ReplicaRecord local = replica(localStore(ns)).readRecord(key).orElse(null);
        List<ReplicaRecord> answers = new ArrayList<>();
        answers.add(local);
        ReplicaRecord newest = local;
        List<String> others = new ArrayList<>(owners(t, s, rs));
        others.remove(name());
        int wanted = Math.min(others.size(), reads - 1);
        byte[] ask = new Wire.Out().b(READ).i(s).l(t.epoch()).s(ns).bytes(key).done();
        int answered = 1;
        // ask R − 1 owners; if they have not all answered within a moment and there are other
        // owners, ask again — the others and those that have not answered — so that a paused owner
        // (not yet suspected) fails no read while R owners can answer, and a merely slow one can
        // still be one of them. With no other owner to ask, wait for these the whole timeout.
        boolean spare = wanted < others.size();
        List<String> first = others.subList(0, wanted);
        List<byte[]> firstReplies = callAll(first, ask, null, spare ? SPECULATE_MILLIS : settings.timeoutMillis());
        List<byte[]> replies = new ArrayList<>();
        List<String> again = new ArrayList<>(others.subList(wanted, others.size()));
        for (int i = 0; i < first.size(); i++) {
            if (isReadAnswer(firstReplies.get(i))) { // an answer, or a refusal that says this primary is deposed
                replies.add(firstReplies.get(i));
            } else {
                again.add(first.get(i));
            }
        }
        int got = (int) replies.stream().filter(ReplicaService::isReadAnswer).count();
        if (got < wanted && spare) {
            replies.addAll(callAll(again, ask, enough(a -> true, ReplicaService::isReadAnswer, wanted - got),
                    settings.timeoutMillis() - SPECULATE_MILLIS));
        }
        for (byte[] reply : replies) {
            if (!isReadAnswer(reply)) {
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
            metrics.quorumFailed();
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
    private byte[] repair(int s, Topology t, String ns, Quorum q, ReplicationSettings rs) {
        if (q.newest() == null || q.holders() >= rs.writes()) {
            return null;
        }
        metrics.readRepaired();
        int acks = replicate(s, t, ns, List.of(q.newest()), rs);
        if (acks == DEPOSED || acks == DEPOSED_AFTER_APPLY) {
            return new Wire.Out().b(NOT_PRIMARY).l(t.epoch()).done(); // repairing again elsewhere is harmless
        }
        if (acks < rs.writes()) {
            metrics.quorumFailed();
            return new Wire.Out().b(NO_QUORUM).i(acks).i(rs.writes()).done();
        }
        return null;
    }

    /** A read at the primary: the newest of R owners, repaired onto W before it is answered. */
    byte[] read(String ns, byte[] key, boolean includeExpired, ReplicationSettings rs) {
        Topology t = topology.current();
        int s = Placement.segmentOf(key, segments());
        byte[] refused = notServing(s, t);
        if (refused != null) {
            return refused;
        }
        Object found = quorumRead(s, t, ns, key, rs);
        if (found instanceof byte[] reply) {
            return reply;
        }
        Quorum q = (Quorum) found;
        byte[] failed = repair(s, t, ns, q, rs);
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

    /** How long a quorum read waits for the first R − 1 owners it asked before it asks the others as well. */
    static final long SPECULATE_MILLIS = 100;

    private static boolean isReadAnswer(byte[] reply) {
        return reply != null && reply[0] != ERROR && reply[0] != NO_QUORUM;
    }

    /**
     * Stops waiting for replies once {@code needed} of them count (those from {@code counted}
     * senders that {@code counts} accepts), or once one says the asker is fenced. A replicate stops
     * at W − 1 acknowledgements: the write is durable on W owners then, whatever the others do, and
     * an owner that is slow or paused — not yet suspected by the failure detector — must not hold
     * every write of its segments for the whole timeout (and fail them, when the caller's own
     * timeout ran out first); W acknowledgements under one epoch cannot be gathered once a takeover
     * has fenced its quorum of owners. A read's second round stops at the answers it still needs.
     */
    private static RspFilter enough(java.util.function.Predicate<Address> counted, java.util.function.Predicate<byte[]> counts,
                                    int needed) {
        return new RspFilter() {
            private int replies; // guarded by the request's lock, which JGroups holds around both calls
            private boolean fenced;

            @Override
            public boolean isAcceptable(Object response, Address sender) {
                if (response instanceof byte[] reply && reply.length > 0 && counted.test(sender)) {
                    replies += counts.test(reply) ? 1 : 0;
                    fenced |= reply[0] == FENCED;
                }
                return true;
            }

            @Override
            public boolean needMoreResponses() {
                return replies < needed && !fenced;
            }
        };
    }

    /** The addresses of {@code members} in the current view. */
    private Set<Address> addresses(List<String> members) {
        Set<Address> out = new HashSet<>();
        for (String m : members) {
            Address a = topology.member().addressOf(m);
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    /** The same request to several members at once; their replies in order (null: none). */
    private List<byte[]> callAll(List<String> members, byte[] frame) {
        return callAll(members, frame, null, settings.timeoutMillis());
    }

    /**
     * As above, waiting at most {@code timeoutMillis}, and only as long as {@code enough} needs
     * more replies (null: for all of them).
     */
    private List<byte[]> callAll(List<String> members, byte[] frame, RspFilter enough, long timeoutMillis) {
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
                        // anycast: a unicast to each of them; a multicast would reach (and be handled by) every member
                        new RequestOptions(ResponseMode.GET_ALL, Math.max(1, timeoutMillis)).anycasting(true).rspFilter(enough));
            } catch (Exception e) {
                log.debug("{}: a request to {} failed: {}", name(), present, e.toString());
                rsps = null;
            }
        }
        for (Address a : dests) {
            Rsp<byte[]> r = a == null || rsps == null ? null : rsps.get(a);
            if (r != null && (!r.wasReceived() || r.hasException()) && enough == null) {
                log.debug("{}: no answer from {}: received={} suspected={} unreachable={} exception={}", name(), a,
                        r.wasReceived(), r.wasSuspected(), r.wasUnreachable(), r.getException());
            }
            out.add(r != null && r.wasReceived() && !r.hasException() ? r.getValue() : null);
        }
        return out;
    }

    /** The members of the current topology that own the key's segment, primary first; none before a topology is agreed. */
    List<String> owners(byte[] key) {
        Topology t = topology.current();
        return t.members().isEmpty() ? List.of() : table(t).owners(Placement.segmentOf(key, segments()));
    }

    /** The segments this member serves as primary in the current epoch. */
    public Set<Integer> serving() {
        return servingEpoch == topology.current().epoch() ? new HashSet<>(serving) : Set.of();
    }

    @Override
    public void close() {
        takeovers.shutdownNow();
        preparer.shutdownNow();
        repairer.shutdownNow();
    }
}
