package dev.cairn.storage;

import dev.cairn.api.CorruptionException;
import dev.cairn.api.Entry;
import dev.cairn.api.Expected;
import dev.cairn.api.KeyRange;
import dev.cairn.api.KeyValue;
import dev.cairn.api.Namespaces;
import dev.cairn.api.ReadOptions;
import dev.cairn.api.RemainingTtl;
import dev.cairn.api.ReplicaRecord;
import dev.cairn.api.ReplicaStore;
import dev.cairn.api.Store;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.StoreLimits;
import dev.cairn.api.WriteOptions;
import dev.cairn.storage.compaction.CompactionPicker;
import dev.cairn.storage.compaction.CompactionPlan;
import dev.cairn.storage.compaction.TableOutput;
import dev.cairn.storage.format.MergingIterator;
import dev.cairn.storage.format.Record;
import dev.cairn.storage.format.RecordIterator;
import dev.cairn.storage.manifest.LevelIterator;
import dev.cairn.storage.manifest.Manifest;
import dev.cairn.storage.manifest.TableFile;
import dev.cairn.storage.manifest.TableSet;
import dev.cairn.storage.memtable.Memtable;
import dev.cairn.storage.sstable.BlockCache;
import dev.cairn.storage.sstable.SsTableReader;
import dev.cairn.storage.sstable.SsTableWriter;
import dev.cairn.storage.sstable.TableSummary;
import dev.cairn.storage.wal.WalWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LSM-tree store of one node: a {@link Store} on a directory.
 *
 * <h2>Write path</h2>
 * Writes are serialized by one lock. Under it a write checks its condition (for conditional
 * operations), takes the next sequence numbers, appends one WAL record and inserts into the active
 * memtable. Outside the lock the writer hands its WAL record to the OS (one writer writes every
 * record buffered so far in one system call while the next inserts) or, in {@code SYNC} mode,
 * waits for the group-committed fsync that covers it; then it publishes the new
 * {@code visibleSequence}. When the memtable is full it is
 * frozen (a new WAL segment begins) and flushed to a level-0 table by the flush thread while
 * writes continue into a new memtable; a writer waits only if the previous flush has not finished,
 * or level 0 has {@code l0StopTrigger} tables (it is first slowed by 1 ms at the slowdown trigger).
 *
 * <h2>Read path</h2>
 * Reads take no lock. They read {@code visibleSequence}, then retain the current {@link View}
 * (active memtable, frozen memtable, {@link TableSet}), and look at the memtables, level 0
 * newest first, then one table per deeper level, skipping tables by key range and Bloom filter.
 * Records above the snapshot sequence are ignored, so a scan never sees half a batch. A retained
 * version keeps its tables open even if a compaction replaces them meanwhile.
 *
 * <h2>Background</h2>
 * One flush thread, one compaction thread (leveled, see {@link CompactionPicker}) and one
 * scheduler (interval fsync, memtable expiry sweep). Table sets and the manifest change under
 * the {@link VersionSet}'s monitor; the view swap inside it takes the write lock briefly.
 */
public final class LsmStore implements Store, ReplicaStore, Namespaces {
    private static final Logger log = LoggerFactory.getLogger(LsmStore.class);

    /** What readers see: the memtables and the table version, swapped atomically. */
    record View(Memtable active, Memtable frozen, TableSet version) {
    }

    private final Path dir;
    private final StorageOptions options;
    private final Clock clock;
    private final StoreLimits limits;
    private final StorageStats stats = new StorageStats();
    private final BlockCache blockCache;
    private final CompactionPicker picker;
    private final List<String> recoveryReport = new CopyOnWriteArrayList<>();

    private final ReentrantLock writeLock = new ReentrantLock();
    private final Condition backgroundProgress = writeLock.newCondition();
    private VersionSet versions; // set once by recovery

    private final FileChannel lockChannel;
    private final FileLock fileLock;
    private final ExecutorService flushThread;
    private final ExecutorService compactionThread;
    private final ScheduledExecutorService scheduler;
    private final WalSyncer syncer = new WalSyncer();

    private volatile View view;
    private volatile WalWriter wal;
    private volatile long visibleSequence; // what readers see: in SYNC mode, only what is durable
    private static final java.lang.invoke.VarHandle VISIBLE;

    static {
        try {
            VISIBLE = java.lang.invoke.MethodHandles.lookup().findVarHandle(LsmStore.class, "visibleSequence", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private long lastSequence; // guarded by writeLock
    private volatile boolean closed;
    private volatile Throwable backgroundError;
    private boolean compactionScheduled; // guarded by versions
    /** The namespaces; replaced whole, under the versions monitor and then the write lock. */
    private volatile Catalog catalog;
    private final LsmNamespace main = new LsmNamespace(this, DEFAULT_NAMESPACE);

    private LsmStore(StorageOptions options) throws IOException {
        this.options = options;
        this.dir = options.directory;
        this.clock = options.clock;
        this.limits = options.limits;
        this.blockCache = new BlockCache(options.blockCacheBytes, options.mapTables);
        this.picker = new CompactionPicker(options.l0CompactionTrigger, options.levelBaseBytes, options.levelMultiplier);
        Files.createDirectories(dir);
        lockChannel = FileChannel.open(dir.resolve(FileNames.LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lockChannel.close();
            throw new IllegalStateException("store " + dir + " is already open in this process", e);
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw e;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IllegalStateException("store " + dir + " is already open in another process");
        }
        fileLock = lock;
        try {
            Manifest.State state = Manifest.exists(dir)
                    ? Manifest.read(dir)
                    : initialState();
            recover(state);
        } catch (IOException | RuntimeException e) {
            fileLock.release();
            lockChannel.close();
            throw e;
        }
        flushThread = Executors.newSingleThreadExecutor(daemon("cairn-flush"));
        compactionThread = Executors.newSingleThreadExecutor(daemon("cairn-compaction"));
        scheduler = Executors.newSingleThreadScheduledExecutor(daemon("cairn-scheduler"));
        if (options.syncMode == SyncMode.INTERVAL) {
            scheduler.scheduleWithFixedDelay(this::intervalSync, options.syncIntervalMillis,
                    options.syncIntervalMillis, TimeUnit.MILLISECONDS);
        }
        scheduler.scheduleWithFixedDelay(this::sweepExpired, options.ttlSweepIntervalMillis,
                options.ttlSweepIntervalMillis, TimeUnit.MILLISECONDS);
        scheduleCompaction();
    }

    /**
     * Opens (creating if needed) the store in {@code options.directory()}: reads the manifest,
     * opens its tables, replays the WAL into a new level-0 table, and deletes files no longer
     * referenced. Fails with {@link CorruptionException} naming the file and offset when a check
     * fails, and with {@link IllegalStateException} when another process has the store open.
     */
    public static LsmStore open(StorageOptions options) throws IOException {
        return new LsmStore(options);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    // ------------------------------------------------------------------ recovery

    private static Manifest.State initialState() {
        Catalog c = Catalog.initial(DEFAULT_NAMESPACE);
        return new Manifest.State(1, 0, 0, List.of(), c.nextId(), c.ids());
    }

    /** Opens what {@link Recovery} found, then writes the replayed WAL as a table and deletes the segments. */
    private void recover(Manifest.State state) throws IOException {
        catalog = Catalog.of(state.namespaces(), state.nextNamespaceId());
        Recovery.Result found = Recovery.run(dir, state, options.walRecovery, blockCache, stats, line -> {
            recoveryReport.add(line);
            log.warn("{}", line);
        });
        versions = new VersionSet(dir, options.table, blockCache, stats, found.nextFileNumber(), state.logNumber());
        lastSequence = found.maxSequence();
        visibleSequence = found.maxSequence();
        wal = WalWriter.create(dir, versions.newFileNumber(), stats, walPrefillBytes());
        view = new View(new Memtable(wal.number()), null, found.tables());
        if (!found.replayed().isEmpty() || !found.logs().isEmpty()) {
            installFlush(found.replayed(), wal.number());
            for (long n : found.logs()) {
                Files.deleteIfExists(dir.resolve(FileNames.wal(n)));
            }
            FileNames.fsyncDirectory(dir);
        }
    }

    /** Zeros ahead of the WAL's records pay off only where every write is fsynced. */
    private long walPrefillBytes() {
        return options.syncMode == SyncMode.SYNC ? options.walPrefillBytes : 0;
    }

    /** Lines describing what recovery dropped or skipped, per {@link WalRecovery} mode. */
    public List<String> recoveryReport() {
        return List.copyOf(recoveryReport);
    }

    // ------------------------------------------------------------------ namespaces

    /** The namespace this store's own {@link Store} methods use. */
    public static final String DEFAULT_NAMESPACE = "default";

    /** The store of namespace {@code name}, created if it does not exist. LSM namespaces take no settings. */
    @Override
    public Store namespace(String name, Map<String, String> settings) {
        Namespaces.checkName(name);
        if (!settings.isEmpty()) {
            throw new IllegalArgumentException("an LSM namespace takes no settings: " + settings.keySet());
        }
        checkOpen();
        keyspace(name);
        return name.equals(DEFAULT_NAMESPACE) ? main : new LsmNamespace(this, name);
    }

    @Override
    public List<String> names() {
        return catalog.names();
    }

    @Override
    public boolean drop(String name) {
        checkOpen();
        return changeCatalog(name, CatalogChange.DROP);
    }

    private final java.util.concurrent.ConcurrentHashMap<String, dev.cairn.api.StoreListeners> listeners =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The listeners of namespace {@code name}. */
    dev.cairn.api.StoreListeners listeners(String name) {
        return listeners.computeIfAbsent(name, n -> new dev.cairn.api.StoreListeners());
    }

    /** The catalog of namespaces now; a new object after every change of it. */
    Catalog catalog() {
        return catalog;
    }

    /** The keyspace of namespace {@code name}, created (and recorded in the manifest) if it does not exist. */
    Keyspace keyspace(String name) {
        Keyspace ks = catalog.get(name);
        if (ks == null) {
            changeCatalog(name, CatalogChange.CREATE);
            ks = catalog.get(name);
        }
        return ks;
    }

    /** Gives namespace {@code name} a new, empty keyspace (creating it if missing). */
    void clearNamespace(String name) {
        checkOpen();
        changeCatalog(name, CatalogChange.CLEAR);
    }

    private enum CatalogChange { CREATE, CLEAR, DROP }

    /**
     * Records a change of the catalog in the manifest, then publishes it under the write lock (so
     * every write sees either the old keyspace or the new one, never both). CREATE gives a missing
     * name a keyspace; CLEAR gives the name a new one; DROP removes it. Returns whether the name
     * existed. A replaced keyspace's records become garbage for compaction.
     */
    private boolean changeCatalog(String name, CatalogChange change) {
        synchronized (versions) {
            boolean existed = catalog.get(name) != null;
            if ((change == CatalogChange.CREATE && existed) || (change == CatalogChange.DROP && !existed)) {
                return existed;
            }
            Catalog next = change == CatalogChange.DROP ? catalog.without(name) : catalog.withNewKeyspace(name);
            try {
                versions.logAndApply(view.version, versions.logNumber(), next, visibleSequence);
            } catch (IOException e) {
                throw new StorageIOException("cannot record namespace " + name + " in the manifest of " + dir, e);
            }
            writeLock.lock();
            try {
                catalog = next;
            } finally {
                writeLock.unlock();
            }
            return existed;
        }
    }

    /** Whether an engine key belongs to a live namespace: what flushes and compactions keep. */
    private boolean isLive(byte[] engineKey) {
        return catalog.isLive(engineKey);
    }

    // ------------------------------------------------------------------ Store: the default namespace

    @Override
    public StoreLimits limits() {
        return limits;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Duration tombstoneGrace() {
        return Duration.ofMillis(options.tombstoneGraceMillis);
    }

    @Override
    public Optional<Entry> get(byte[] key, ReadOptions options) {
        return main.get(key, options);
    }

    @Override
    public boolean exists(byte[] key, ReadOptions options) {
        return main.exists(key, options);
    }

    @Override
    public Entry put(byte[] key, byte[] value, WriteOptions options) {
        return main.put(key, value, options);
    }

    @Override
    public boolean delete(byte[] key, WriteOptions options) {
        return main.delete(key, options);
    }

    @Override
    public Optional<Entry> compareAndSet(byte[] key, Expected expected, byte[] value, WriteOptions options) {
        return main.compareAndSet(key, expected, value, options);
    }

    @Override
    public boolean compareAndDelete(byte[] key, Expected expected, WriteOptions options) {
        return main.compareAndDelete(key, expected, options);
    }

    @Override
    public long increment(byte[] key, long delta, WriteOptions options) {
        return main.increment(key, delta, options);
    }

    @Override
    public boolean expireAt(byte[] key, long expiresAtMillis, WriteOptions options) {
        return main.expireAt(key, expiresAtMillis, options);
    }

    @Override
    public boolean persist(byte[] key, WriteOptions options) {
        return main.persist(key, options);
    }

    @Override
    public RemainingTtl remainingTtl(byte[] key, ReadOptions options) {
        return main.remainingTtl(key, options);
    }

    @Override
    public List<Optional<Entry>> getAll(List<byte[]> keys, ReadOptions options) {
        return main.getAll(keys, options);
    }

    @Override
    public void putAll(List<KeyValue> entries, WriteOptions options) {
        main.putAll(entries, options);
    }

    @Override
    public List<dev.cairn.api.MutationOutcome> mutateAll(List<dev.cairn.api.KeyedMutation> writes) {
        return main.mutateAll(writes);
    }

    @Override
    public int deleteAll(Collection<byte[]> keys, WriteOptions options) {
        return main.deleteAll(keys, options);
    }

    @Override
    public List<Entry> scan(KeyRange range, int limit, ReadOptions options) {
        return main.scan(range, limit, options);
    }

    @Override
    public long count(ReadOptions options) {
        return main.count(options);
    }

    @Override
    public void clear(WriteOptions options) {
        main.clear(options);
    }

    @Override
    public dev.cairn.api.AsyncStore async() {
        return main.async();
    }

    @Override
    public dev.cairn.api.StoreListener.Subscription listen(dev.cairn.api.StoreListener listener) {
        return main.listen(listener);
    }

    @Override
    public boolean applyIfNewer(ReplicaRecord record) {
        return main.applyIfNewer(record);
    }

    @Override
    public int applyAllIfNewer(List<ReplicaRecord> records) {
        return main.applyAllIfNewer(records);
    }

    @Override
    public Optional<ReplicaRecord> readRecord(byte[] key) {
        return main.readRecord(key);
    }

    @Override
    public List<ReplicaRecord> scanRecords(KeyRange range, int limit) {
        return main.scanRecords(range, limit);
    }

    // ------------------------------------------------------------------ write machinery

    /** Decides what to write, under the write lock; {@code out} receives records numbered from {@code firstSequence}. */
    interface Batch<T> {
        T apply(long firstSequence, List<Record> out);

        /** Called once what {@link #apply} wrote is in the WAL and the memtable, still under the write lock. */
        default void applied() {
        }
    }

    /**
     * Runs {@code batch} under the write lock, appends what it wrote to the WAL as one record and
     * to the memtable, and returns once the write is as durable as the sync mode promises.
     *
     * <p>Visibility: in {@code SYNC} mode readers see a write only once its fsync has returned
     * ({@link #publish} after {@code syncTo}), so nothing is read that a failed fsync could still
     * take back; in the other modes once its WAL record has reached the OS ({@code writeTo},
     * outside the lock), so nothing is read that the death of the process could take back.
     * Writers under the lock see every earlier write (they read at {@code lastSequence}), so
     * conditional writes stay atomic.
     *
     * <p>A failed WAL write or fsync fails this write and every write its fsync covered, and the
     * store refuses writes from then on: after a failed fsync the kernel may have dropped the
     * dirty pages, so a retried fsync that succeeds proves nothing.
     */
    <T> T mutate(Batch<T> batch) {
        Applied<T> a = apply(batch);
        if (a.writer != null) {
            if (options.syncMode == SyncMode.SYNC) {
                try {
                    a.writer.syncTo(a.end);
                } catch (RuntimeException e) {
                    throw syncFailed(e);
                }
                publish(a.last);
            } else {
                writtenThenPublished(a);
            }
        }
        return a.result;
    }

    /**
     * {@link #mutate} without waiting: the batch is decided, logged and applied on the caller's
     * thread; the future completes once the write is as durable as the sync mode promises — in
     * {@code SYNC} mode from the group commit of the {@link WalSyncer}, which no caller waits on.
     */
    <T> CompletableFuture<T> mutateAsync(Batch<T> batch) {
        Applied<T> a;
        try {
            a = apply(batch);
            if (a.writer != null && options.syncMode != SyncMode.SYNC) {
                writtenThenPublished(a);
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (a.writer == null || options.syncMode != SyncMode.SYNC) {
            return CompletableFuture.completedFuture(a.result);
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        syncer.request(a.writer, a.end, () -> {
            publish(a.last);
            done.complete(a.result);
        }, e -> done.completeExceptionally(syncFailed(e)));
        return done;
    }

    /**
     * Hands {@code a}'s WAL record to the OS, outside the write lock, then makes the write visible
     * (modes other than {@code SYNC}).
     */
    private void writtenThenPublished(Applied<?> a) {
        try {
            a.writer.writeTo(a.end);
        } catch (UncheckedIOException e) {
            backgroundError = e;
            throw new StorageIOException("cannot write the WAL; the store refuses writes from now on", e);
        }
        publish(a.last);
    }

    /** {@link dev.cairn.api.AsyncStore#holdDurability}: in {@code SYNC} mode, holds the {@link WalSyncer}'s next fsync. */
    Runnable holdDurability() {
        return options.syncMode == SyncMode.SYNC ? syncer.hold() : dev.cairn.api.AsyncStore.NO_HOLD;
    }

    private StorageIOException syncFailed(RuntimeException e) {
        backgroundError = e;
        return new StorageIOException("fsync of the WAL failed; the write is not acknowledged and the store "
                + "refuses writes until it is reopened", e);
    }

    /** A batch applied in memory and appended to the WAL, not yet known durable. */
    private record Applied<T>(T result, WalWriter writer, long end, long last) {
    }

    private <T> Applied<T> apply(Batch<T> batch) {
        List<Record> out = new ArrayList<>(1);
        lockForWrite();
        try {
            checkOpen();
            makeRoomForWrite();
            T result = batch.apply(lastSequence + 1, out);
            if (out.isEmpty()) {
                return new Applied<>(result, null, 0, 0);
            }
            WalWriter writer = wal;
            long end;
            try {
                end = writer.append(out);
            } catch (UncheckedIOException e) {
                backgroundError = e;
                throw new StorageIOException("cannot write the WAL; the store refuses writes from now on", e);
            }
            Memtable active = view.active;
            long bytes = 0;
            for (Record r : out) {
                active.add(r);
                bytes += r.key().length + r.valueLength();
            }
            long last = out.get(out.size() - 1).sequence();
            lastSequence = last;
            stats.userBytesWritten.add(bytes);
            batch.applied();
            return new Applied<>(result, writer, end, last);
        } finally {
            writeLock.unlock();
        }
    }

    /** How many times a writer retries a held write lock before it queues and parks. */
    private static final int WRITE_SPINS = 256;

    /**
     * Takes the write lock, retrying briefly before queueing on it. A writer holds the lock for a
     * few microseconds (decide, log, insert into the memtable); parking and being woken costs
     * more than that, and on few cores two writers that park in turn spend their time switching.
     */
    private void lockForWrite() {
        for (int i = 0; i < WRITE_SPINS; i++) {
            if (writeLock.tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        writeLock.lock();
    }

    /**
     * Makes every sequence up to {@code sequence} visible to readers; called once the WAL is
     * fsynced up to it (the WAL is synced in sequence order, so everything below is durable too).
     */
    private void publish(long sequence) {
        long current;
        while ((current = visibleSequence) < sequence) {
            if (VISIBLE.compareAndSet(this, current, sequence)) {
                return;
            }
        }
    }

    /** The newest record of key as of the last write, dead or alive; call with the write lock held. */
    Record newestLocked(byte[] key) {
        // The write lock keeps the memtables stable; the version may change, so retain it.
        View retained = acquire();
        try {
            return lookup(retained, key, lastSequence);
        } finally {
            retained.version.release();
        }
    }

    /** Freezes a full memtable, or waits for the flush and compaction backlog; write lock held. */
    private void makeRoomForWrite() {
        boolean slowed = false;
        while (true) {
            if (backgroundError != null) {
                throw new StorageIOException("the store refuses writes after a disk failure", backgroundError);
            }
            View v = view;
            int l0 = v.version.level(0).size();
            if (!slowed && l0 >= options.l0SlowdownTrigger) {
                slowed = true;
                stats.writeStalls.increment();
                awaitBackground(1);
                continue;
            }
            if (v.active.approximateBytes() < options.memtableBytes) {
                return;
            }
            if (v.frozen != null || l0 >= options.l0StopTrigger) {
                stats.writeStalls.increment();
                awaitBackground(100);
                continue;
            }
            freezeMemtable(v);
        }
    }

    private void awaitBackground(long millis) {
        try {
            backgroundProgress.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageIOException("interrupted while waiting for a flush", e);
        }
        checkOpen();
    }

    /** Starts a new WAL segment and memtable; hands the full one to the flush thread. Write lock held. */
    private void freezeMemtable(View v) {
        WalWriter old = wal;
        try {
            wal = WalWriter.next(old, dir, versions.newFileNumber(), stats, walPrefillBytes());
        } catch (IOException e) {
            backgroundError = e;
            throw new StorageIOException("cannot start a new WAL segment in " + dir, e);
        }
        Memtable frozen = v.active;
        view = new View(new Memtable(wal.number()), frozen, v.version);
        flushThread.execute(() -> runInBackground(() -> flush(frozen, old)));
    }

    /**
     * Writes the frozen memtable as a table, then deletes its WAL segment. In {@code SYNC} and
     * {@code INTERVAL} modes the segment gets its final fsync first (on this thread, not under the
     * write lock), as those modes promise. In {@code NONE} mode it gets none: its records become
     * durable in the table, which is fsynced before it is installed, and the segment is then
     * deleted, so an fsync would only have written 64 MiB to the disk to be thrown away (RocksDB
     * does not sync a closed WAL either). If the flush fails, the segment is synced and closed as
     * before, and the next open replays it.
     */
    private void flush(Memtable frozen, WalWriter old) throws IOException {
        if (options.syncMode != SyncMode.NONE) {
            old.close();
        }
        try {
            installFlush(frozen, view.active.walNumber());
        } catch (IOException | RuntimeException e) {
            try {
                old.close();
            } catch (IOException | RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        old.retire();
        if (Files.deleteIfExists(dir.resolve(FileNames.wal(frozen.walNumber())))) {
            FileNames.fsyncDirectory(dir);
        }
        scheduleCompaction();
    }

    /**
     * Writes {@code memtable} as a level-0 table (unless it is empty), records it in the manifest
     * with {@code logNumber} (WAL segments below it are no longer needed), and clears the frozen
     * slot of the view.
     */
    private void installFlush(Memtable memtable, long logNumber) throws IOException {
        List<TableSummary> written = List.of();
        if (!memtable.isEmpty()) {
            try (RecordIterator it = memtable.iterator()) {
                written = TableOutput.write(it, clock.millis(), options.tombstoneGraceMillis, this::isLive, key -> true, Long.MAX_VALUE,
                        versions::newTable);
            }
        }
        synchronized (versions) {
            View v = view;
            List<List<TableFile>> levels = VersionSet.mutableLevels(v.version);
            for (TableSummary t : written) {
                levels.get(0).add(0, versions.openTable(t));
                stats.flushBytesWritten.add(t.size());
            }
            stats.flushes.increment();
            installTableSet(levels, logNumber, true);
        }
    }

    /** Persists and publishes a new table set; the {@code versions} monitor held. */
    private void installTableSet(List<List<TableFile>> levels, long logNumber, boolean clearFrozen) throws IOException {
        TableSet next = new TableSet(levels);
        try {
            versions.logAndApply(next, logNumber, catalog, visibleSequence);
        } catch (IOException e) {
            next.release();
            throw e;
        }
        TableSet previous;
        writeLock.lock();
        try {
            View v = view;
            previous = v.version;
            view = new View(v.active, clearFrozen ? null : v.frozen, next);
            backgroundProgress.signalAll();
        } finally {
            writeLock.unlock();
        }
        previous.release();
    }

    // ------------------------------------------------------------------ compaction

    private void scheduleCompaction() {
        synchronized (versions) {
            if (compactionScheduled || closed) {
                return;
            }
            compactionScheduled = true;
        }
        compactionThread.execute(() -> runInBackground(() -> {
            try {
                while (!closed && compactOnce(false)) {
                    // keep going while the tree is out of shape
                }
            } finally {
                synchronized (versions) {
                    compactionScheduled = false;
                }
            }
        }));
    }

    /** Runs one compaction if one is due (or, with force, any that moves data down); returns whether it ran. */
    private boolean compactOnce(boolean force) throws IOException {
        TableSet base;
        CompactionPlan plan;
        synchronized (versions) {
            base = view.version;
            plan = picker.pick(base, force);
            if (plan == null) {
                return false;
            }
            base.tryRetain();
        }
        return runCompaction(base, plan);
    }

    /** Runs {@code plan}, computed on {@code base} (retained by the caller, released here). */
    private boolean runCompaction(TableSet base, CompactionPlan plan) throws IOException {
        try {
            if (plan.isTrivialMove()) {
                synchronized (versions) {
                    List<List<TableFile>> levels = VersionSet.mutableLevels(view.version);
                    TableFile moved = plan.upper().get(0);
                    levels.get(plan.level()).remove(moved);
                    levels.get(plan.outputLevel()).add(moved);
                    installTableSet(levels, versions.logNumber(), false);
                }
                return true;
            }
            List<RecordIterator> inputs = new ArrayList<>();
            long bytesRead = 0;
            for (TableFile t : plan.upper()) {
                inputs.add(t.reader().sequentialIterator());
                bytesRead += t.size();
            }
            for (TableFile t : plan.lower()) {
                inputs.add(t.reader().sequentialIterator());
                bytesRead += t.size();
            }
            List<TableSummary> written;
            try (MergingIterator merged = new MergingIterator(inputs)) {
                written = TableOutput.write(merged, clock.millis(), options.tombstoneGraceMillis, this::isLive,
                        key -> mayExistBelow(base, plan.outputLevel(), key),
                        options.targetFileBytes, versions::newTable);
            }
            synchronized (versions) {
                List<List<TableFile>> levels = VersionSet.mutableLevels(view.version);
                levels.get(plan.level()).removeAll(plan.upper());
                levels.get(plan.outputLevel()).removeAll(plan.lower());
                for (TableSummary t : written) {
                    levels.get(plan.outputLevel()).add(versions.openTable(t));
                    stats.compactionBytesWritten.add(t.size());
                }
                plan.upper().forEach(TableFile::markObsolete);
                plan.lower().forEach(TableFile::markObsolete);
                installTableSet(levels, versions.logNumber(), false);
            }
            stats.compactions.increment();
            stats.compactionBytesRead.add(bytesRead);
            return true;
        } finally {
            base.release();
        }
    }

    private static boolean mayExistBelow(TableSet v, int outputLevel, byte[] key) {
        for (int level = outputLevel + 1; level < TableSet.LEVELS; level++) {
            if (v.tableFor(level, key) != null) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ reads

    /** A retained view and the sequence a read sees in it; {@link #release} when done. */
    record Snapshot(View view, long sequence) {
        void release() {
            view.version.release();
        }
    }

    /**
     * The view and sequence of a read, consistent with each other: every write up to the
     * sequence is in the view's memtables or tables, and the view's tables stay readable until
     * released. The sequence is read with the view retained and the view checked again after,
     * so a memtable freeze, flush or compaction in between cannot hide a version the sequence
     * needs (the read retries instead).
     */
    Snapshot snapshot() {
        while (true) {
            View v = acquire();
            long sequence = visibleSequence;
            if (view == v) {
                return new Snapshot(v, sequence);
            }
            v.version.release();
        }
    }

    private View acquire() {
        while (true) {
            View v = view;
            if (v.version.tryRetain()) {
                return v;
            }
            checkOpen(); // a closed store released its last version
        }
    }

    /** The newest record of engine key {@code key} in snapshot {@code s}, or null. */
    Record lookup(Snapshot s, byte[] key) {
        return lookup(s.view, key, s.sequence);
    }

    /** A merged iterator over the snapshot's memtables and the tables overlapping {@code range}. */
    RecordIterator iterator(Snapshot s, KeyRange range) {
        return iterator(s.view, range);
    }

    private static Record lookup(View v, byte[] key, long snapshot) {
        Record r = v.active.get(key, snapshot);
        if (r != null) {
            return r;
        }
        if (v.frozen != null && (r = v.frozen.get(key, snapshot)) != null) {
            return r;
        }
        for (TableFile t : v.version.level(0)) {
            if (t.mayContain(key) && (r = t.reader().get(key, snapshot)) != null) {
                return r;
            }
        }
        for (int level = 1; level < TableSet.LEVELS; level++) {
            TableFile t = v.version.tableFor(level, key);
            if (t != null && (r = t.reader().get(key, snapshot)) != null) {
                return r;
            }
        }
        return null;
    }

    private static RecordIterator iterator(View v, KeyRange range) {
        List<RecordIterator> sources = new ArrayList<>();
        sources.add(v.active.iterator());
        if (v.frozen != null) {
            sources.add(v.frozen.iterator());
        }
        byte[] end = range.end();
        for (TableFile t : v.version.level(0)) { // level 0's tables overlap: a cursor each
            if (t.overlaps(range.start(), end)) {
                sources.add(t.reader().iterator());
            }
        }
        for (int level = 1; level < TableSet.LEVELS; level++) { // below, one cursor per level, one table at a time
            List<TableFile> overlapping = v.version.overlapping(level, range.start(), end);
            if (!overlapping.isEmpty()) {
                sources.add(new LevelIterator(overlapping));
            }
        }
        return new MergingIterator(sources);
    }

    // ------------------------------------------------------------------ maintenance

    /** Freezes the active memtable (if it holds anything) and waits until it is a table. */
    public void flush() {
        writeLock.lock();
        try {
            checkOpen();
            while (view.frozen != null) {
                awaitBackground(100);
            }
            if (!view.active.isEmpty()) {
                freezeMemtable(view);
            }
            while (view.frozen != null) {
                awaitBackground(100);
                if (backgroundError != null) {
                    throw new StorageIOException("flush failed", backgroundError);
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Flushes, then compacts until every table has been merged down as far as it can go. */
    public void compact() {
        flush();
        Future<?> done = compactionThread.submit(() -> {
            while (compactOnce(true)) {
                // push everything down
            }
            TableSet base;
            CompactionPlan bottom;
            synchronized (versions) {
                base = view.version;
                bottom = picker.pickBottomRewrite(base);
                if (bottom == null) {
                    return null;
                }
                base.tryRetain();
            }
            runCompaction(base, bottom);
            return null;
        });
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageIOException("interrupted while compacting", e);
        } catch (ExecutionException e) {
            throw new StorageIOException("compaction failed", e.getCause());
        }
    }

    /**
     * Writes a consistent copy of the store into {@code target} (which must not exist): flushes,
     * then hard-links every live table (copying where links are impossible) and writes a manifest.
     * The copy holds every write acknowledged before the call and opens as a store of its own.
     */
    public void checkpoint(Path target) throws IOException {
        if (Files.exists(target)) {
            throw new IllegalArgumentException("checkpoint target already exists: " + target);
        }
        flush();
        TableSet v;
        long sequence;
        synchronized (versions) {
            v = view.version;
            v.tryRetain();
            sequence = visibleSequence;
        }
        try {
            Files.createDirectories(target);
            for (int level = 0; level < TableSet.LEVELS; level++) {
                for (TableFile t : v.level(level)) {
                    String name = FileNames.table(t.number());
                    try {
                        Files.createLink(target.resolve(name), dir.resolve(name));
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.copy(dir.resolve(name), target.resolve(name));
                    }
                }
            }
            long next = versions.peekFileNumber();
            VersionSet.write(target, v, next, sequence, next, catalog);
        } finally {
            v.release();
        }
    }

    /** Counters and the current shape of the tree. */
    public StorageStats.Snapshot stats() {
        View v = acquire();
        try {
            List<Integer> files = new ArrayList<>();
            List<Long> bytes = new ArrayList<>();
            for (int level = 0; level < TableSet.LEVELS; level++) {
                files.add(v.version.level(level).size());
                bytes.add(v.version.levelBytes(level));
            }
            return stats.snapshot(files, bytes);
        } finally {
            v.version.release();
        }
    }

    public Path directory() {
        return dir;
    }

    private void intervalSync() {
        try {
            wal.sync();
        } catch (RuntimeException e) {
            backgroundError = e;
            log.error("interval fsync of the WAL failed; refusing writes", e);
        }
    }

    private void sweepExpired() {
        try {
            stats.expiredSwept.add(view.active.sweepExpired(clock.millis()));
        } catch (RuntimeException e) {
            log.warn("memtable expiry sweep failed", e);
        }
    }

    private interface IoTask {
        void run() throws IOException;
    }

    private void runInBackground(IoTask task) {
        try {
            task.run();
        } catch (Throwable e) {
            if (!closed) {
                backgroundError = e;
                log.error("background work failed in {}; the store refuses writes from now on", dir, e);
            }
            writeLock.lock();
            try {
                backgroundProgress.signalAll();
            } finally {
                writeLock.unlock();
            }
        }
    }

    void checkOpen() {
        if (closed) {
            throw new StoreClosedException(dir.toString());
        }
    }

    void checkRead(ReadOptions options) {
        checkOpen();
        options.consistency().requireSatisfiedBy(1, 1);
    }

    void checkWrite(WriteOptions options) {
        checkOpen();
        options.consistency().requireSatisfiedBy(1, 1);
    }

    /**
     * Waits for the running flush and compaction, fsyncs the WAL and releases every file. Writes
     * still in the memtable are in the fsynced WAL and are replayed by the next open.
     */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            backgroundProgress.signalAll();
        } finally {
            writeLock.unlock();
        }
        scheduler.shutdownNow();
        flushThread.shutdown();
        compactionThread.shutdown();
        try {
            flushThread.awaitTermination(1, TimeUnit.MINUTES);
            compactionThread.awaitTermination(1, TimeUnit.MINUTES);
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            wal.close();
        } catch (IOException | UncheckedIOException e) {
            if (backgroundError == null) {
                throw new StorageIOException("cannot sync the WAL on close", e);
            }
            // the store had already failed, and every write the failure covered was failed then
            log.warn("closing {} after a disk failure: the WAL was not synced", dir, e);
        } finally {
            view.version.release();
            try {
                fileLock.release();
                lockChannel.close();
            } catch (IOException e) {
                log.warn("cannot release the lock of {}", dir, e);
            }
        }
    }
}
