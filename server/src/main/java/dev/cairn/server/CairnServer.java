package dev.cairn.server;

import dev.cairn.storage.SyncMode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar cairn-server.jar}: starts a node and runs until SIGTERM (or Ctrl-C), then shuts
 * down cleanly. Options override the {@code --config} file, which overrides the defaults.
 */
@Command(name = "cairn-server", mixinStandardHelpOptions = true, versionProvider = CairnServer.Version.class,
        description = "Runs a Cairn node: an LSM-tree store behind the Redis protocol (RESP2).")
public final class CairnServer implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(CairnServer.class);

    @Option(names = "--port", description = "TCP port (default 7379; 0 picks a free one)")
    Integer port;

    @Option(names = "--bind", description = "address to listen on (default 127.0.0.1)")
    String bind;

    @Option(names = "--data-dir", description = "store directory (default ./cairn-data)")
    Path dataDir;

    @Option(names = "--sync", description = "WAL sync mode: SYNC (default), INTERVAL or NONE")
    SyncMode sync;

    @Option(names = "--requirepass", description = "password clients must AUTH with")
    String requirePass;

    @Option(names = "--max-clients", description = "most simultaneous connections (default 10000)")
    Integer maxClients;

    @Option(names = "--max-bulk-bytes", description = "largest bulk string a request may carry, Redis's proto-max-bulk-len (default 536870912)")
    Integer maxBulkBytes;

    @Option(names = "--max-request-bytes", description = "largest request, all its bulk strings together; Redis's client-query-buffer-limit (default 1073741824)")
    Long maxRequestBytes;

    @Option(names = "--max-output-bytes", description = "unsent reply bytes past which a client is disconnected (default 1073741824)")
    Long maxOutputBytes;

    @Option(names = "--max-value-bytes", description = "largest value the store keeps, at most --max-bulk-bytes (default: the same)")
    Integer maxValueBytes;

    @Option(names = "--databases", description = "how many databases SELECT can choose from (default 16)")
    Integer databases;

    @Option(names = "--io-threads", description = "event loops serving connections (default: half the cores, at least 1)")
    Integer ioThreads;

    @Option(names = "--io-spin-micros", description = "microseconds an event loop polls without blocking before it sleeps, 0 to 1000 (default 50)")
    Integer ioSpinMicros;

    @Option(names = "--memory", description = "keep everything in memory: no data directory, nothing survives a restart")
    Boolean memory;

    @Option(names = "--cluster", description = "join the cluster of this name: the node's database is the cluster's")
    String cluster;

    @Option(names = "--members", split = ",", description = "every member's cluster endpoint, host:port,... (this node's included)")
    java.util.List<String> members;

    @Option(names = "--cluster-port", description = "the port this node's cluster endpoint listens on (default 7800)")
    Integer clusterPort;

    @Option(names = "--test-clock", description = "for tests only: the store's clock stands still until CAIRN.CLOCK SET ms moves it")
    boolean testClock;

    @Option(names = "--config", description = "properties file with any of the options above (keys without dashes)")
    Path config;

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"cairn-server " + CairnNode.version()};
        }
    }

    ServerOptions options() throws Exception {
        Properties file = config == null ? new Properties() : ServerOptions.load(config);
        int bulk = maxBulkBytes != null ? maxBulkBytes
                : Integer.parseInt(file.getProperty("max-bulk-bytes", Integer.toString(ServerOptions.DEFAULT_MAX_BULK_BYTES)).trim());
        return new ServerOptions(
                port != null ? port : Integer.parseInt(file.getProperty("port", Integer.toString(ServerOptions.DEFAULT_PORT)).trim()),
                bind != null ? bind : file.getProperty("bind", "127.0.0.1").trim(),
                dataDir != null ? dataDir : Path.of(file.getProperty("data-dir", "./cairn-data").trim()),
                sync != null ? sync : SyncMode.valueOf(file.getProperty("sync", "SYNC").trim().toUpperCase(Locale.ROOT)),
                requirePass != null ? requirePass : file.getProperty("requirepass"),
                maxClients != null ? maxClients : Integer.parseInt(file.getProperty("max-clients", "10000").trim()),
                bulk,
                1024 * 1024,
                memory != null ? memory : Boolean.parseBoolean(file.getProperty("memory", "false").trim()),
                cluster != null ? cluster : file.getProperty("cluster"),
                members != null ? members : java.util.Arrays.stream(file.getProperty("members", "").split(","))
                        .map(String::trim).filter(m -> !m.isEmpty()).toList(),
                clusterPort != null ? clusterPort
                        : Integer.parseInt(file.getProperty("cluster-port", Integer.toString(ServerOptions.DEFAULT_CLUSTER_PORT)).trim()),
                maxRequestBytes != null ? maxRequestBytes : Long.parseLong(file.getProperty("max-request-bytes",
                        Long.toString(ServerOptions.DEFAULT_MAX_REQUEST_BYTES)).trim()),
                maxOutputBytes != null ? maxOutputBytes : Long.parseLong(file.getProperty("max-output-bytes",
                        Long.toString(ServerOptions.DEFAULT_MAX_OUTPUT_BYTES)).trim()),
                maxValueBytes != null ? maxValueBytes : Integer.parseInt(file.getProperty("max-value-bytes", Integer.toString(bulk)).trim()),
                databases != null ? databases : Integer.parseInt(file.getProperty("databases",
                        Integer.toString(ServerOptions.DEFAULT_DATABASES)).trim()),
                ioThreads != null ? ioThreads : Integer.parseInt(file.getProperty("io-threads",
                        Integer.toString(ServerOptions.DEFAULT_IO_THREADS)).trim()),
                ioSpinMicros != null ? ioSpinMicros : Integer.parseInt(file.getProperty("io-spin-micros",
                        Integer.toString(ServerOptions.DEFAULT_IO_SPIN_MICROS)).trim()));
    }

    @Override
    public Integer call() throws Exception {
        ServerOptions options = options();
        CairnNode node = testClock
                ? CairnNode.start(options, new dev.cairn.server.command.SettableClock(System.currentTimeMillis()))
                : CairnNode.start(options);
        if (testClock) {
            log.warn("--test-clock: the store's clock moves only through CAIRN.CLOCK SET (for tests; never serve data so)");
        }
        log.info("Cairn {} listening on {}:{} ({}{}{}, {} transport)", CairnNode.version(), options.bind(), node.port(),
                options.memory() ? "memory only" : "data " + options.dataDir().toAbsolutePath() + ", sync " + options.sync(),
                options.cluster() != null ? ", member " + options.clusterEndpoint() + " of cluster " + options.cluster() : "",
                options.requirePass() != null ? ", password required" : "", CairnNode.transport());
        // a member whose disk failed has left the cluster; exiting lets a supervisor restart it on its data
        // (the WAL replays what was acknowledged) and sends its clients to the other nodes
        node.onStorageFailure(e -> {
            log.error("the storage failed; this node left the cluster and exits with status {}", EXIT_STORAGE_FAILED);
            System.exit(EXIT_STORAGE_FAILED);
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "cairn-shutdown"));
        stopped.await();
        return 0;
    }

    /** The exit status of a cluster node whose storage failed (sysexits' EX_IOERR). */
    public static final int EXIT_STORAGE_FAILED = 74;

    public static void main(String[] args) {
        int code = new CommandLine(new CairnServer()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
