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
 * nothing survives a restart.
 */
public record ServerOptions(int port, String bind, Path dataDir, SyncMode sync, String requirePass,
                            int maxClients, int maxBulkBytes, int maxArrayLength, boolean memory) {

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
