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
        java.util.TreeSet<Integer> ids = new java.util.TreeSet<>();
        for (byte[] key : keys) {
            ids.add(java.util.Arrays.hashCode(key) & (stripes.length - 1));
        }
        java.util.concurrent.locks.ReentrantLock[] out = new java.util.concurrent.locks.ReentrantLock[ids.size()];
        int i = 0;
        for (int id : ids) {
            out[i++] = stripes[id];
        }
        return out;
    }

    java.util.concurrent.locks.ReentrantLock stripeFor(byte[] key) {
        return stripes[java.util.Arrays.hashCode(key) & (stripes.length - 1)];
    }

    private final AtomicLong cursorIds = new AtomicLong();
    private final Map<Long, byte[]> cursors = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > 100_000;
        }
    };

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
    }

    public ServerContext(Store store, String requirePass, String bind, int maxClients, int maxBulkBytes,
                         String syncMode, String version) {
        this.store = store;
        this.requirePass = requirePass == null || requirePass.isEmpty() ? null : requirePass;
        this.bind = bind;
        this.maxClients = maxClients;
        this.maxBulkBytes = maxBulkBytes;
        this.syncMode = syncMode;
        this.version = version;
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
        long id = cursorIds.incrementAndGet();
        synchronized (cursors) {
            cursors.put(id, lastKey);
        }
        return id;
    }

    /** The last key of a saved cursor, or null if unknown (expired from the table or never issued). */
    byte[] cursor(long id) {
        synchronized (cursors) {
            return cursors.get(id);
        }
    }
}
