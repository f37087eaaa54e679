package dev.cairn.server.command;

import dev.cairn.api.Store;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every command can reach: the store, the settings that commands report or enforce, the
 * counters INFO shows, the SCAN cursor table and the lock that makes MSETNX atomic.
 */
public final class ServerContext {
    public final Store store;
    public final String requirePass;
    public final String bind;
    public final int maxClients;
    public final int maxBulkBytes;
    /** Unsent reply bytes past which a connection is closed (Redis's client-output-buffer-limit). */
    public final long maxOutputBytes;
    /** Connections closed for passing {@link #maxOutputBytes}. */
    public final LongAdder outputLimitDisconnections = new LongAdder();
    public final String syncMode;
    public final String version;
    public final long startMillis = System.currentTimeMillis();
    public final AtomicInteger connectedClients = new AtomicInteger();
    public final LongAdder totalConnections = new LongAdder();
    /** Commands of connections already closed; live ones count in their {@link Session}. */
    public final LongAdder closedCommands = new LongAdder();
    public final java.util.Set<Session> sessions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    public final AtomicLong clientIds = new AtomicLong();
    private volatile int port;

    /**
     * Key lock stripes. MSETNX must check every key and write them all as one step, so every write
     * command holds the stripes of the keys it writes (in stripe order, so two commands never wait
     * for each other in a cycle). Writes to unrelated keys almost never share a stripe.
     */
    private final java.util.concurrent.locks.ReentrantLock[] stripes = new java.util.concurrent.locks.ReentrantLock[1024];

    {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new java.util.concurrent.locks.ReentrantLock();
        }
    }

    /** The stripes guarding {@code keys}, distinct and in lock order. */
    java.util.concurrent.locks.ReentrantLock[] stripesFor(java.util.List<byte[]> keys) {
        int[] ids = new int[keys.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = dev.cairn.api.ByteKey.spread(keys.get(i)) & (stripes.length - 1);
        }
        java.util.Arrays.sort(ids);
        int distinct = 0;
        for (int i = 0; i < ids.length; i++) {
            if (i == 0 || ids[i] != ids[i - 1]) {
                ids[distinct++] = ids[i];
            }
        }
        java.util.concurrent.locks.ReentrantLock[] out = new java.util.concurrent.locks.ReentrantLock[distinct];
        for (int i = 0; i < distinct; i++) {
            out[i] = stripes[ids[i]];
        }
        return out;
    }

    java.util.concurrent.locks.ReentrantLock stripeFor(byte[] key) {
        return stripes[dev.cairn.api.ByteKey.spread(key) & (stripes.length - 1)];
    }

    /**
     * SCAN cursors: each maps a number to the key where a scan stopped. The table is bounded by
     * the bytes it holds ({@value #CURSOR_BYTES}, keys plus an allowance per entry) and by age
     * ({@value #CURSOR_TTL_MILLIS} ms): the least recently used cursors go first, so a client
     * calling SCAN in a loop cannot make the node hold more; a cursor that went is refused with
     * {@code ERR invalid cursor} rather than silently restarting the scan.
     */
    static final long CURSOR_BYTES = 16L * 1024 * 1024;
    static final long CURSOR_TTL_MILLIS = 10 * 60 * 1000;
    private static final int CURSOR_OVERHEAD = 96;

    private record SavedCursor(byte[] lastKey, long savedAt) {
    }

    private final AtomicLong cursorIds = new AtomicLong();
    private long cursorBytes; // guarded by cursors
    private final Map<Long, SavedCursor> cursors = new LinkedHashMap<>(1024, 0.75f, true);

    /**
     * Threads for writing commands that have no non-blocking form, when writes may block: they
     * wait on fsyncs (together, so that they share them) instead of an event loop waiting.
     */
    private final java.util.concurrent.ExecutorService writeThreads = new java.util.concurrent.ThreadPoolExecutor(
            64, 64, 60, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "cairn-server-write");
                t.setDaemon(true);
                return t;
            });

    {
        ((java.util.concurrent.ThreadPoolExecutor) writeThreads).allowCoreThreadTimeOut(true);
    }

    /**
     * Threads for commands that walk the keyspace (KEYS, SCAN, DBSIZE, ...), so that none holds an
     * event loop other connections share. A few: such commands from many clients wait their turn.
     */
    private final java.util.concurrent.ExecutorService longRunningThreads = java.util.concurrent.Executors.newFixedThreadPool(
            4, r -> {
                Thread t = new Thread(r, "cairn-server-scan");
                t.setDaemon(true);
                return t;
            });

    java.util.concurrent.Executor longRunningThreads() {
        return longRunningThreads;
    }

    /** The sync mode a cluster member reports: its reads and writes wait on other members. */
    public static final String CLUSTER = "CLUSTER";

    /** Whether a write may wait (on an fsync, on replicas), so event loops must not run it to the end. */
    public boolean writesMayBlock() {
        return "SYNC".equals(syncMode) || CLUSTER.equals(syncMode);
    }

    /** Whether a read may wait (on other members). */
    public boolean readsMayBlock() {
        return CLUSTER.equals(syncMode);
    }

    java.util.concurrent.Executor writeThreads() {
        return writeThreads;
    }

    /** Stops the write threads once their commands end. */
    public void shutdown() {
        writeThreads.shutdown();
        longRunningThreads.shutdown(); // not interrupted: an interrupt would close the engine's file channels; a walk still going ends with the store's closed error
    }

    private volatile SettableClock testClock;

    /** The store clock of a node started with --test-clock (CAIRN.CLOCK sets it), or null. */
    public SettableClock testClock() {
        return testClock;
    }

    /** Makes CAIRN.CLOCK set {@code clock}, the clock the node's store reads; before the commands are built. */
    public void testClock(SettableClock clock) {
        this.testClock = clock;
    }

    /** How many databases SELECT can choose from. */
    public final int databases;
    private final java.util.function.IntFunction<Store> openDatabase;
    /** The names of the namespaces that exist, opened or not (database i is namespace "i"). */
    private final java.util.function.Supplier<? extends java.util.Collection<String>> namespaceNames;
    private final java.util.concurrent.atomic.AtomicReferenceArray<Store> opened;

    /**
     * A context over {@code databases} databases, database i opened by {@code openDatabase} the
     * first time a command needs it; {@link #store} is database 0.
     */
    public ServerContext(java.util.function.IntFunction<Store> openDatabase, int databases,
                         java.util.function.Supplier<? extends java.util.Collection<String>> namespaceNames, String requirePass,
                         String bind, int maxClients, int maxBulkBytes, long maxOutputBytes, String syncMode, String version) {
        this.databases = databases;
        this.namespaceNames = namespaceNames;
        this.openDatabase = openDatabase;
        this.opened = new java.util.concurrent.atomic.AtomicReferenceArray<>(databases);
        this.store = database(0);
        this.maxOutputBytes = maxOutputBytes;
        this.requirePass = requirePass == null || requirePass.isEmpty() ? null : requirePass;
        this.bind = bind;
        this.maxClients = maxClients;
        this.maxBulkBytes = maxBulkBytes;
        this.syncMode = syncMode;
        this.version = version;
    }

    /** Database {@code db}, opened on first use. */
    public Store database(int db) {
        Store s = opened.get(db);
        if (s == null) {
            synchronized (opened) {
                s = opened.get(db);
                if (s == null) {
                    s = openDatabase.apply(db);
                    opened.set(db, s);
                }
            }
        }
        return s;
    }

    /** Whether database {@code db} is open or has data from before (so FLUSHALL and INFO must look at it). */
    boolean exists(int db) {
        return opened.get(db) != null || namespaceNames.get().contains(Integer.toString(db));
    }

    /** Commands run since start: closed connections' plus the live ones' own counters. */
    public long totalCommands() {
        long n = closedCommands.sum();
        for (Session s : sessions) {
            n += s.commands();
        }
        return n;
    }

    public int port() {
        return port;
    }

    public void port(int port) {
        this.port = port;
    }

    /** Registers where a SCAN stopped; returns the numeric cursor the client sends back. */
    long saveCursor(byte[] lastKey) {
        // ids are not guessable from one another's order alone, and never 0 (which ends a scan)
        long id = cursorIds.incrementAndGet() * 0x9E3779B97F4A7C15L;
        id = id == 0 ? 1 : id;
        long now = System.currentTimeMillis();
        synchronized (cursors) {
            cursors.put(id, new SavedCursor(lastKey, now));
            cursorBytes += lastKey.length + CURSOR_OVERHEAD;
            var it = cursors.values().iterator();
            while (it.hasNext() && cursors.size() > 1) {
                SavedCursor eldest = it.next();
                if (cursorBytes <= CURSOR_BYTES && now - eldest.savedAt < CURSOR_TTL_MILLIS) {
                    break;
                }
                it.remove();
                cursorBytes -= eldest.lastKey.length + CURSOR_OVERHEAD;
            }
        }
        return id;
    }

    /** The last key of a saved cursor, or null if unknown (expired from the table or never issued). */
    byte[] cursor(long id) {
        synchronized (cursors) {
            SavedCursor c = cursors.get(id);
            return c == null || System.currentTimeMillis() - c.savedAt >= CURSOR_TTL_MILLIS ? null : c.lastKey;
        }
    }

    /** The bytes the SCAN cursor table holds now (keys plus a per-entry allowance). */
    public long cursorBytes() {
        synchronized (cursors) {
            return cursorBytes;
        }
    }
}
