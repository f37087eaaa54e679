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
 * {@code requirepass}, {@code max-clients}, {@code max-bulk-bytes}, {@code memory}) gives defaults
 * that the command line overrides. {@code memory} runs the node on a memory-only store: no files,
 * nothing survives a restart. {@code cluster} (with {@code members} and {@code cluster-port})
 * makes the node a member of a cluster of nodes: its database is the cluster's.
 */
public record ServerOptions(int port, String bind, Path dataDir, SyncMode sync, String requirePass,
                            int maxClients, int maxBulkBytes, int maxArrayLength, boolean memory,
                            String cluster, java.util.List<String> members, int clusterPort) {

    public ServerOptions {
        members = members == null ? java.util.List.of() : java.util.List.copyOf(members);
        if (cluster != null && members.isEmpty()) {
            throw new IllegalArgumentException("a cluster member needs --members host:port,host:port,...");
        }
    }

    /** Options for a standalone node, on disk or in memory. */
    public ServerOptions(int port, String bind, Path dataDir, SyncMode sync, String requirePass,
                         int maxClients, int maxBulkBytes, int maxArrayLength, boolean memory) {
        this(port, bind, dataDir, sync, requirePass, maxClients, maxBulkBytes, maxArrayLength, memory, null,
                java.util.List.of(), DEFAULT_CLUSTER_PORT);
    }

    public static final int DEFAULT_CLUSTER_PORT = 7800;

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
