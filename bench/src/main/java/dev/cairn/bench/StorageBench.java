package dev.cairn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * db_bench-style workloads on Cairn's LSM engine and on RocksDB, one after the other in the same
 * JVM, with the same settings: WAL on, the same sync mode per workload, 64 MiB memtable, 64 MiB
 * block cache, 4 KiB blocks, 10-bit Bloom filters, no compression, the same level shape.
 * Prints {@code <workload> cairn=<ops/s> rocksdb=<ops/s> ratio=<cairn/rocksdb>} per workload, then
 * each engine's write amplification and disk space after fillrandom + overwrite. Then the
 * YCSB-shaped workloads of {@link YcsbWorkloads} (value sizes, uniform and zipfian keys, read
 * mixes, read-latest, read-modify-write, short scans), each line with both engines' GC share. With
 * {@code --repeat N} every workload (the YCSB-shaped ones too, each repetition on a fresh load)
 * runs N times per engine, Cairn first in the odd-numbered runs and RocksDB first in the others,
 * and each figure (the GC shares too) is the median of its N runs.
 */
@Command(name = "storage", mixinStandardHelpOptions = true,
        description = "Cairn's LSM engine vs RocksDB (rocksdbjni), db_bench style.")
final class StorageBench implements Callable<Integer> {
    @Option(names = "--keys", description = "entries per workload (default ${DEFAULT-VALUE})")
    long keys = 1_000_000;

    @Option(names = "--value-size", description = "value bytes (default ${DEFAULT-VALUE})")
    int valueSize = 100;

    @Option(names = "--dir", description = "scratch directory (default: a new temporary directory)")
    Path dir;

    @Option(names = "--memtable-mb", description = "memtable size (default ${DEFAULT-VALUE})")
    long memtableMb = 64;

    @Option(names = "--cache-mb", description = "block cache size (default ${DEFAULT-VALUE})")
    long cacheMb = 64;

    @Option(names = "--only", split = ",", description = "run only these workloads")
    List<String> only;

    @Option(names = "--repeat", description = "run every workload this many times, alternating which engine goes first, and "
            + "report the median of each (default ${DEFAULT-VALUE}); on a shared machine one run can be far off")
    int repeat = 1;

    @Option(names = "--ycsb-records", description = "records loaded for the YCSB-shaped workloads (default ${DEFAULT-VALUE})")
    long ycsbRecords = 200_000;

    @Option(names = "--ycsb-ops", description = "operations per YCSB-shaped mix (default ${DEFAULT-VALUE})")
    long ycsbOps = 200_000;

    @Option(names = "--ycsb-threads", description = "client threads of the YCSB-shaped workloads (default ${DEFAULT-VALUE})")
    int ycsbThreads = 2;

    @Option(names = "--ycsb-values", split = ",", description = "value sizes of the YCSB-shaped workloads (default ${DEFAULT-VALUE})")
    List<Integer> ycsbValues = List.of(100, 1000, 4000);

    @Option(names = "--ycsb-mixes", split = ",", description = "YCSB-shaped mixes to run after the load (default: all of "
            + "read100, read95, read50, readlatest, rmw, scan)")
    List<String> ycsbMixes = YcsbWorkloads.MIXES;

    @Option(names = "--ycsb-dists", split = ",", description = "key distributions (default ${DEFAULT-VALUE})")
    List<String> ycsbDists = List.of("uniform", "zipfian");

    record Settings(long memtableBytes, long blockCacheBytes) {
    }

    private interface EngineFactory {
        KvEngine open(Path dir, boolean sync) throws IOException;
    }

    private Settings settings;
    private int runs;

    @Override
    public Integer call() throws Exception {
        settings = new Settings(memtableMb << 20, cacheMb << 20);
        Path root = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("cairn-bench");
        EngineFactory cairn = (d, sync) -> new CairnEngine(d, settings, sync);
        EngineFactory rocks = (d, sync) -> new RocksEngine(d, settings);
        System.out.printf(Locale.ROOT, "# storage benchmark: %d keys, 16-byte keys, %d-byte values, %d MiB memtable, %d MiB block cache%n",
                keys, valueSize, memtableMb, cacheMb);
        System.out.printf(Locale.ROOT, "# %s, %d cores, java %s%s%n", System.getProperty("os.name"),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                repeat > 1 ? ", median of " + repeat + " runs per engine, alternating" : "");
        warmUp(root, cairn);
        warmUp(root, rocks);

        compare("fillseq", root, cairn, rocks, (e, d) -> fill(e, keys, true, valueSize, false, 1));
        EngineFactory[] engines = {cairn, rocks};
        String[] names = {"fillrandom", "overwrite", "readrandom", "readseq", "scan100"};
        double[][] rates = new double[names.length][2];
        double[] writeAmp = new double[2];
        long[] disk = new long[2];
        boolean anyMain = only == null || java.util.Arrays.stream(names).anyMatch(only::contains);
        double[][][] samples = new double[names.length][2][repeat];
        for (int r = 0; r < repeat && anyMain; r++) {
            for (int i : Repetitions.order(r)) {
                Path d = root.resolve("main-" + i + "-" + runs++);
                try (KvEngine e = engines[i].open(d, false)) {
                    samples[0][i][r] = fill(e, keys, false, valueSize, false, 1);
                    samples[1][i][r] = fill(e, keys, false, valueSize, false, 1);
                    samples[2][i][r] = readRandom(e, keys);
                    samples[3][i][r] = readSeq(e);
                    samples[4][i][r] = scans(e, Math.max(1, keys / 100), 100);
                    e.settle();
                    writeAmp[i] = e.writeAmplification();
                }
                disk[i] = du(d);
                delete(d);
            }
        }
        for (int w = 0; w < names.length && anyMain; w++) {
            rates[w][0] = Repetitions.median(samples[w][0]);
            rates[w][1] = Repetitions.median(samples[w][1]);
            print(names[w], rates[w][0], rates[w][1]);
        }
        long syncOps = Math.max(100, keys / 100);
        compare("fillsync_1thread", root, cairn, rocks, (e, d) -> fill(e, syncOps, false, valueSize, true, 1), true);
        compare("fillsync_16threads", root, cairn, rocks, (e, d) -> fill(e, syncOps, false, valueSize, true, 16), true);
        compare("fillrandom_4k", root, cairn, rocks, (e, d) -> fill(e, Math.max(100, keys / 10), false, 4096, false, 1));
        ycsb(root, engines);
        if (anyMain) {
            System.out.printf(Locale.ROOT, "write_amplification cairn=%.2f rocksdb=%.2f%n", writeAmp[0], writeAmp[1]);
            System.out.printf(Locale.ROOT, "disk_bytes cairn=%d rocksdb=%d%n", disk[0], disk[1]);
        }
        if (dir == null) {
            delete(root);
        }
        return 0;
    }

    /**
     * The YCSB-shaped workloads ({@link YcsbWorkloads}): per value size, each engine loads the
     * records into a fresh store, then runs every mix with uniform and with zipfian keys. Lines:
     * {@code ycsb_<mix> value=<bytes> [dist=<uniform|zipfian>] cairn=<ops/s> rocksdb=<ops/s>
     * ratio=<cairn/rocksdb> cairn_gc_pct=<share of the run in GC> rocksdb_gc_pct=<same>}.
     */
    private void ycsb(Path root, EngineFactory[] engines) throws Exception {
        List<String> lines = new ArrayList<>(List.of("ycsb_load"));
        YcsbWorkloads.MIXES.forEach(m -> lines.add("ycsb_" + m));
        if (only != null && lines.stream().noneMatch(only::contains) && !only.contains("ycsb")) {
            return;
        }
        for (int size : ycsbValues) {
            // line -> engine -> repetition
            java.util.Map<String, YcsbWorkloads.Result[][]> results = new java.util.LinkedHashMap<>();
            for (int r = 0; r < repeat; r++) {
                for (int i : Repetitions.order(r)) {
                    Path d = root.resolve("ycsb-" + i + "-" + runs++);
                    try (KvEngine e = engines[i].open(d, false)) {
                        for (var line : ycsbLines(e, size).entrySet()) {
                            results.computeIfAbsent(line.getKey(), k -> new YcsbWorkloads.Result[2][repeat])[i][r] = line.getValue();
                        }
                    }
                    delete(d);
                }
            }
            results.forEach((line, r) -> {
                String name = line.substring(0, line.indexOf(' '));
                if (only == null || only.contains("ycsb") || only.contains(name)) {
                    double cairnOps = median(r[0], YcsbWorkloads.Result::opsPerSecond);
                    double rocksOps = median(r[1], YcsbWorkloads.Result::opsPerSecond);
                    System.out.printf(Locale.ROOT, "%s cairn=%.0f rocksdb=%.0f ratio=%.2f cairn_gc_pct=%.1f rocksdb_gc_pct=%.1f%n",
                            line, cairnOps, rocksOps, cairnOps / rocksOps,
                            median(r[0], YcsbWorkloads.Result::gcPercent), median(r[1], YcsbWorkloads.Result::gcPercent));
                }
            });
        }
    }

    /** Loads {@code e} with values of {@code size}, then runs every mix and distribution on it; results by line, in order. */
    private java.util.Map<String, YcsbWorkloads.Result> ycsbLines(KvEngine e, int size) throws Exception {
        YcsbWorkloads w = new YcsbWorkloads(ycsbRecords, size, ycsbThreads, ycsbOps);
        java.util.Map<String, YcsbWorkloads.Result> lines = new java.util.LinkedHashMap<>();
        lines.put("ycsb_load value=" + size, w.load(e));
        for (String dist : ycsbDists) {
            for (String mix : ycsbMixes) {
                lines.put("ycsb_" + mix + " value=" + size + " dist=" + dist, w.run(e, mix, dist.equals("zipfian")));
            }
        }
        return lines;
    }

    private interface Workload {
        double run(KvEngine engine, Path dir) throws Exception;
    }

    private void compare(String name, Path root, EngineFactory cairn, EngineFactory rocks, Workload w) throws Exception {
        compare(name, root, cairn, rocks, w, false);
    }

    private void compare(String name, Path root, EngineFactory cairn, EngineFactory rocks, Workload w, boolean sync) throws Exception {
        if (only != null && !only.contains(name)) {
            return;
        }
        EngineFactory[] engines = {cairn, rocks};
        double[][] rates = new double[2][repeat];
        for (int r = 0; r < repeat; r++) {
            for (int i : Repetitions.order(r)) {
                rates[i][r] = runFresh(root, engines[i], w, sync);
            }
        }
        print(name, Repetitions.median(rates[0]), Repetitions.median(rates[1]));
    }

    private static double median(YcsbWorkloads.Result[] runs, java.util.function.ToDoubleFunction<YcsbWorkloads.Result> figure) {
        return Repetitions.median(java.util.Arrays.stream(runs).mapToDouble(figure).toArray());
    }

    private double runFresh(Path root, EngineFactory f, Workload w, boolean sync) throws Exception {
        Path d = root.resolve("run-" + runs++);
        double rate;
        try (KvEngine e = f.open(d, sync)) {
            rate = w.run(e, d);
        }
        delete(d);
        return rate;
    }

    private void print(String name, double cairn, double rocks) {
        if (only != null && !only.contains(name)) {
            return;
        }
        System.out.printf(Locale.ROOT, "%s cairn=%.0f rocksdb=%.0f ratio=%.2f%n", name, cairn, rocks, cairn / rocks);
    }

    private void warmUp(Path root, EngineFactory f) throws Exception {
        runFresh(root, f, (e, d) -> {
            long n = Math.min(keys, 200_000);
            fill(e, n, false, valueSize, false, 1);
            readRandom(e, n);
            scans(e, n / 100, 100);
            return 0;
        }, false);
    }

    /** The 16-byte zero-padded decimal key of {@code i}, built without String.format (which would dominate the loop). */
    static byte[] key(long i) {
        byte[] k = new byte[16];
        for (int p = 15; p >= 0; p--) {
            k[p] = (byte) ('0' + i % 10);
            i /= 10;
        }
        return k;
    }

    /** Writes {@code ops} entries (sequential or uniformly random keys) from {@code threads} threads; returns ops/s. */
    private double fill(KvEngine e, long ops, boolean sequential, int size, boolean sync, int threads) throws Exception {
        return YcsbWorkloads.clients(threads, ops, ops, size, (rnd, value, i) -> {
            long k = sequential ? i : (rnd.nextLong() & Long.MAX_VALUE) % keys;
            e.put(key(k), value, sync);
        });
    }

    private double readRandom(KvEngine e, long ops) {
        Random rnd = new Random(42);
        long found = 0;
        long start = System.nanoTime();
        for (long i = 0; i < ops; i++) {
            if (e.get(key((rnd.nextLong() & Long.MAX_VALUE) % keys)) >= 0) {
                found++;
            }
        }
        double rate = ops / seconds(start);
        if (found == 0) {
            throw new IllegalStateException("readrandom found nothing");
        }
        return rate;
    }

    private double readSeq(KvEngine e) {
        long start = System.nanoTime();
        long read = e.readAll();
        if (read == 0) {
            throw new IllegalStateException("readseq found nothing");
        }
        return read / seconds(start);
    }

    private double scans(KvEngine e, long ops, int length) {
        Random rnd = new Random(7);
        long start = System.nanoTime();
        long entries = 0;
        for (long i = 0; i < ops; i++) {
            entries += e.scan(key((rnd.nextLong() & Long.MAX_VALUE) % keys), length);
        }
        if (entries == 0) {
            throw new IllegalStateException("scans found nothing");
        }
        return ops / seconds(start);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static long du(Path d) throws IOException {
        try (Stream<Path> files = Files.walk(d)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void delete(Path d) throws IOException {
        if (!Files.exists(d)) {
            return;
        }
        try (Stream<Path> files = Files.walk(d)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
