package dev.cairn.bench;

import dev.cairn.server.CairnNode;
import dev.cairn.server.ServerOptions;
import dev.cairn.storage.SyncMode;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redis-benchmark} against cairn-server and Debian's redis-server, side by side, with
 * equivalent durability: both memory-only, then Cairn {@code INTERVAL} against Redis
 * {@code appendonly yes, appendfsync everysec}, then Cairn {@code SYNC} against Redis
 * {@code appendfsync always} (both acknowledge a write once it is fsynced). Without and with
 * pipelining. One line per test:
 * {@code <test> pipeline=<n> durability=<memory|interval|sync> cairn=<req/s> redis=<req/s> ratio=<cairn/redis>}.
 * The Cairn node runs in this JVM; redis-server and redis-benchmark are child processes. Each
 * server is fresh for each comparison and answers one untimed run of the same tests before the
 * timed one (Cairn's JIT compiles the server's paths in it). {@code --repeat N} runs each
 * comparison N times, the servers taking turns to go first, and prints medians. All on 127.0.0.1.
 */
@Command(name = "redis", mixinStandardHelpOptions = true,
        description = "cairn-server vs redis-server under redis-benchmark (needs Debian's redis-server and redis-tools).")
final class RedisBench implements Callable<Integer> {
    @Option(names = "-n", description = "requests per test (default ${DEFAULT-VALUE})")
    int requests = 200_000;

    /**
     * With -P 16 the default 200,000 requests take a fifth of a second or less, which measures
     * connection setup and the first batches as much as throughput; pipelined tests run longer.
     */
    @Option(names = "--pipelined-requests", description = "requests per pipelined test (default ${DEFAULT-VALUE})")
    int pipelinedRequests = 1_000_000;

    @Option(names = "-c", description = "parallel connections (default ${DEFAULT-VALUE})")
    int clients = 50;

    @Option(names = "--tests", description = "redis-benchmark tests (default ${DEFAULT-VALUE})")
    String tests = "set,get,incr,mset";

    @Option(names = "--io-threads", description = "the Cairn node's event loops (default: the server's, half the cores)")
    int ioThreads = ServerOptions.DEFAULT_IO_THREADS;

    @Option(names = "--io-spin-micros", description = "how long the Cairn node's event loops poll before they sleep (default: the server's)")
    int ioSpinMicros = ServerOptions.DEFAULT_IO_SPIN_MICROS;

    @Option(names = "--durabilities", split = ",", description = "which of memory,interval,sync to run (default all)")
    List<String> durabilities = List.of("memory", "interval", "sync");

    @Option(names = "--repeat", description = "run every comparison this many times, alternating which server goes first, "
            + "and report the median of each (default ${DEFAULT-VALUE}); on a shared machine one run can be far off")
    int repeat = 1;

    @Override
    public Integer call() throws Exception {
        Path scratch = Files.createTempDirectory("cairn-redis-bench");
        System.out.printf(Locale.ROOT, "# redis benchmark: redis-benchmark -t %s -n %d (-P 16: -n %d) -c %d, %d cores, cairn io-threads %d io-spin-micros %d%s, %s%n",
                tests, requests, pipelinedRequests, clients, Runtime.getRuntime().availableProcessors(), ioThreads, ioSpinMicros,
                repeat > 1 ? ", median of " + repeat + " runs per server, alternating" : "", version("redis-server"));
        try {
            for (String durability : durabilities) {
                for (int pipeline : List.of(1, 16)) {
                    List<Map<String, Double>> cairn = new ArrayList<>();
                    List<Map<String, Double>> redis = new ArrayList<>();
                    for (int r = 0; r < repeat; r++) {
                        Path dir = scratch.resolve(durability + "-" + pipeline + "-" + r);
                        for (int side : Repetitions.order(r)) {
                            if (side == 0) {
                                cairn.add(cairn(dir.resolve("cairn"), durability, pipeline));
                            } else {
                                redis.add(redis(dir.resolve("redis"), durability, pipeline));
                            }
                        }
                    }
                    for (String test : cairn.get(0).keySet()) {
                        double c = median(cairn, test);
                        double r = median(redis, test);
                        System.out.printf(Locale.ROOT, "%s pipeline=%d durability=%s cairn=%.0f redis=%.0f ratio=%.2f%n",
                                test, pipeline, durability, c, r, c / r);
                    }
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return 0;
    }

    private static double median(List<Map<String, Double>> runs, String test) {
        return Repetitions.median(runs.stream().mapToDouble(m -> m.getOrDefault(test, Double.NaN)).toArray());
    }

    /**
     * A fresh Cairn node in this JVM, at the durability Redis is run at: one untimed run of the
     * tests (the JIT compiles the server's paths), then the timed one.
     */
    private Map<String, Double> cairn(Path dir, String durability, int pipeline) throws Exception {
        try (CairnNode node = CairnNode.start(new ServerOptions(0, "127.0.0.1", dir,
                durability.equals("sync") ? SyncMode.SYNC : SyncMode.INTERVAL, null, 10_000,
                2 * 1024 * 1024, 1024 * 1024, durability.equals("memory")).withIoThreads(ioThreads).withIoSpinMicros(ioSpinMicros))) {
            return untimedThenTimed(node.port(), pipeline);
        }
    }

    /**
     * A fresh redis-server child process: {@code appendonly no} for memory, {@code appendfsync
     * everysec} for interval, {@code always} for sync; the same untimed run first, so that both
     * servers are measured on the same footing (a server that has already answered the tests once).
     */
    private Map<String, Double> redis(Path dir, String durability, int pipeline) throws Exception {
        Files.createDirectories(dir);
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--dir", dir.toString(), "--protected-mode", "yes"));
        cmd.addAll(switch (durability) {
            case "memory" -> List.of("--appendonly", "no");
            case "interval" -> List.of("--appendonly", "yes", "--appendfsync", "everysec");
            default -> List.of("--appendonly", "yes", "--appendfsync", "always");
        });
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        try {
            waitForPort(port);
            return untimedThenTimed(port, pipeline);
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** One untimed run of the tests against the server on {@code port}, then the timed one, whose rates it returns. */
    private Map<String, Double> untimedThenTimed(int port, int pipeline) throws IOException, InterruptedException {
        benchmark(port, pipeline);
        return benchmark(port, pipeline);
    }

    /** Runs redis-benchmark in CSV mode; returns requests per second per test. */
    private Map<String, Double> benchmark(int port, int pipeline) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-t", tests, "-n", Integer.toString(pipeline > 1 ? pipelinedRequests : requests), "-c", Integer.toString(clients),
                "-P", Integer.toString(pipeline), "--csv").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("redis-benchmark failed: " + out);
        }
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] cols = line.replace("\"", "").split(",");
            if (cols.length >= 2 && !cols[0].equals("test")) {
                try {
                    rates.put(cols[0].split(" ")[0].toLowerCase(Locale.ROOT), Double.parseDouble(cols[1]));
                } catch (NumberFormatException ignored) {
                    // not a result line
                }
            }
        }
        return rates;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void waitForPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port);
    }

    private static String version(String binary) {
        try {
            Process p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return binary + " not found";
        }
    }
}
