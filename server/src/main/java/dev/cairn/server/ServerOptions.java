package dev.cairn.server;

import dev.cairn.storage.SyncMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The settings of a node. A configuration file (Java properties, keys as the long command-line
 * options without dashes: {@code port}, {@code bind}, {@code data-dir}, {@code sync},
 * {@code requirepass}, {@code max-clients}, {@code max-bulk-bytes}, {@code max-request-bytes},
 * {@code max-output-bytes}, {@code max-value-bytes}, {@code databases}, {@code io-threads},
 * {@code io-spin-micros}, {@code memory}) gives
 * defaults that the command line overrides. {@code memory} runs the node on a memory-only store:
 * no files, nothing survives a restart. {@code cluster} (with {@code members} and
 * {@code cluster-port}) makes the node a member of a cluster of nodes: its database is the
 * cluster's.
 *
 * <p>The limits default to redis-server's: a bulk string up to 512 MB ({@code proto-max-bulk-len}),
 * a request up to 1 GiB ({@code client-query-buffer-limit}), and the store accepts values up to
 * the bulk limit; unsent replies past {@code maxOutputBytes} close the connection.
 */
public record ServerOptions(int port, String bind, Path dataDir, SyncMode sync, String requirePass,
                            int maxClients, int maxBulkBytes, int maxArrayLength, boolean memory,
                            String cluster, java.util.List<String> members, int clusterPort,
                            long maxRequestBytes, long maxOutputBytes, int maxValueBytes, int databases,
                            int ioThreads, int ioSpinMicros) {

    public static final int DEFAULT_MAX_BULK_BYTES = 512 * 1024 * 1024;
    public static final long DEFAULT_MAX_REQUEST_BYTES = 1024L * 1024 * 1024;
    public static final long DEFAULT_MAX_OUTPUT_BYTES = 1024L * 1024 * 1024;
    public static final int DEFAULT_DATABASES = 16;
    /**
     * Event loops serving connections: half the cores, at least one. The other half is left to
     * the clients, the WAL's syncer and the store's flushes and compactions, as Redis advises for
     * its {@code io-threads}. Measured in bench/RESULTS.md (ninth session): on 2 cores with
     * redis-benchmark beside the node, one loop served pipelined SET/GET/INCR 1.1-1.4x faster
     * than two and unpipelined ones at the same rate; pipelined 10-key MSET was slower with one.
     */
    public static final int DEFAULT_IO_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    /**
     * How long an event loop polls its sockets without blocking, once its work is done, before it
     * sleeps ({@link SpinningSelectStrategy}). A request arriving in that window finds the loop
     * running; a client's send then does not wake a sleeping thread. Measured in bench/RESULTS.md
     * (fifteenth session). Zero sleeps at once, as Netty's loops do.
     */
    public static final int DEFAULT_IO_SPIN_MICROS = 50;
    /** The longest spin allowed: past a millisecond a loop burns a core for little. */
    public static final int MAX_IO_SPIN_MICROS = 1000;

    public ServerOptions {
        members = members == null ? java.util.List.of() : java.util.List.copyOf(members);
        if (cluster != null && members.isEmpty()) {
            throw new IllegalArgumentException("a cluster member needs --members host:port,host:port,...");
        }
        if (maxValueBytes > maxBulkBytes) {
            throw new IllegalArgumentException("max-value-bytes (" + maxValueBytes + ") cannot exceed max-bulk-bytes ("
                    + maxBulkBytes + "): no request could carry such a value");
        }
        if (databases < 1) {
            throw new IllegalArgumentException("databases must be at least 1, not " + databases);
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("io-threads must be at least 1, not " + ioThreads);
        }
        if (ioSpinMicros < 0 || ioSpinMicros > MAX_IO_SPIN_MICROS) {
            throw new IllegalArgumentException("io-spin-micros must be between 0 and " + MAX_IO_SPIN_MICROS + ", not " + ioSpinMicros);
        }
    }

    /** Options whose event loops spin {@link #DEFAULT_IO_SPIN_MICROS} before they sleep. */
    public ServerOptions(int port, String bind, Path dataDir, SyncMode sync, String requirePass,
                         int maxClients, int maxBulkBytes, int maxArrayLength, boolean memory,
                         String cluster, java.util.List<String> members, int clusterPort,
                         long maxRequestBytes, long maxOutputBytes, int maxValueBytes, int databases,
                         int ioThreads) {
        this(port, bind, dataDir, sync, requirePass, maxClients, maxBulkBytes, maxArrayLength, memory, cluster, members,
                clusterPort, maxRequestBytes, maxOutputBytes, maxValueBytes, databases, ioThreads, DEFAULT_IO_SPIN_MICROS);
    }

    /** Options with the default request, reply and database limits (the store's values up to 1 MiB). */
    public ServerOptions(int port, String bind, Path dataDir, SyncMode sync, String requirePass,
                         int maxClients, int maxBulkBytes, int maxArrayLength, boolean memory,
                         String cluster, java.util.List<String> members, int clusterPort) {
        this(port, bind, dataDir, sync, requirePass, maxClients, maxBulkBytes, maxArrayLength, memory, cluster, members,
                clusterPort, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_OUTPUT_BYTES,
                Math.min(maxBulkBytes, dev.cairn.api.StoreLimits.DEFAULT_MAX_VALUE_BYTES), DEFAULT_DATABASES,
                DEFAULT_IO_THREADS);
    }

    /** Options for a standalone node, on disk or in memory. */
    public ServerOptions(int port, String bind, Path dataDir, SyncMode sync, String requirePass,
                         int maxClients, int maxBulkBytes, int maxArrayLength, boolean memory) {
        this(port, bind, dataDir, sync, requirePass, maxClients, maxBulkBytes, maxArrayLength, memory, null,
                java.util.List.of(), DEFAULT_CLUSTER_PORT);
    }

    public static final int DEFAULT_CLUSTER_PORT = 7800;

    /** These options with {@code n} event loops. */
    public ServerOptions withIoThreads(int n) {
        return new ServerOptions(port, bind, dataDir, sync, requirePass, maxClients, maxBulkBytes, maxArrayLength, memory,
                cluster, members, clusterPort, maxRequestBytes, maxOutputBytes, maxValueBytes, databases, n, ioSpinMicros);
    }

    /** These options with event loops that spin {@code micros} before they sleep. */
    public ServerOptions withIoSpinMicros(int micros) {
        return new ServerOptions(port, bind, dataDir, sync, requirePass, maxClients, maxBulkBytes, maxArrayLength, memory,
                cluster, members, clusterPort, maxRequestBytes, maxOutputBytes, maxValueBytes, databases, ioThreads, micros);
    }

    /** This node's cluster endpoint, which is also its name in the cluster. */
    public String clusterEndpoint() {
        return bind + ":" + clusterPort;
    }

    /** Options for an LSM store on disk. */
    public ServerOptions(int port, String bind, Path dataDir, SyncMode sync, String requirePass,
                         int maxClients, int maxBulkBytes, int maxArrayLength) {
        this(port, bind, dataDir, sync, requirePass, maxClients, maxBulkBytes, maxArrayLength, false);
    }

    public static final int DEFAULT_PORT = 7379;

    public static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }
}
