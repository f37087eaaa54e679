package dev.cairn.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Workloads shaped like users' (after YCSB's core workloads): {@code records} records of a given
 * value size are loaded, then client threads run a mix of operations on keys chosen uniformly or
 * by a zipfian distribution (θ = 0.99, scrambled so the hot keys are spread over the key space,
 * as YCSB's {@code ScrambledZipfianGenerator} does):
 * <ul>
 *   <li>{@code load}: inserts of every record (keys in scrambled order);
 *   <li>{@code read100}, {@code read95}, {@code read50}: that share of point reads, the rest point
 *       updates (YCSB C, B, A);
 *   <li>{@code readlatest}: 95% reads skewed to the most recent inserts, 5% inserts (YCSB D);
 *   <li>{@code rmw}: 50% reads, 50% read-modify-writes (YCSB F);
 *   <li>{@code scan}: 95% short scans (1 to 100 entries from a chosen key), 5% inserts (YCSB E).
 * </ul>
 * Each run reports operations per second and the share of its wall time the JVM spent in garbage
 * collection ({@link GarbageCollectorMXBean} collection times), which is the engine's garbage for
 * Cairn and the JNI wrapper's for RocksDB. Each run starts after a full collection
 * ({@code System.gc()}, untimed), so a run's share is the collection of its own garbage and not
 * the leftovers of the load or of the mix before it (a read-only mix of a few seconds otherwise
 * paid for the concurrent cycle the load had started).
 */
final class YcsbWorkloads {
    static final List<String> MIXES = List.of("read100", "read95", "read50", "readlatest", "rmw", "scan");

    /** Operations per second and GC share (0..100) of one run. */
    record Result(double opsPerSecond, double gcPercent) {
    }

    private final long records;
    private final int valueSize;
    private final int threads;
    private final long operations;
    /** Keys inserted so far (load, then the inserts of readlatest and scan). */
    private final AtomicLong inserted = new AtomicLong();

    YcsbWorkloads(long records, int valueSize, int threads, long operations) {
        this.records = records;
        this.valueSize = valueSize;
        this.threads = threads;
        this.operations = operations;
    }

    /** The key of record number {@code n}: scrambled, so insertion order is not key order. */
    static byte[] key(long n) {
        return StorageBench.key(Long.remainderUnsigned(fnv(n), 10_000_000_000_000_000L));
    }

    private static long fnv(long v) {
        long h = 0xCBF29CE484222325L;
        for (int i = 0; i < 8; i++) {
            h ^= (v >>> (i * 8)) & 0xFF;
            h *= 0x100000001B3L;
        }
        return h;
    }

    Result load(KvEngine e) throws Exception {
        inserted.set(0);
        return timed(() -> run(records, (rnd, value, i) -> {
            long n = inserted.getAndIncrement();
            e.put(key(n), value, false);
        }));
    }

    Result run(KvEngine e, String mix, boolean zipfian) throws Exception {
        return timed(() -> run(operations, switch (mix) {
            case "read100" -> mixed(e, zipfian, 100);
            case "read95" -> mixed(e, zipfian, 95);
            case "read50" -> mixed(e, zipfian, 50);
            case "readlatest" -> (rnd, value, i) -> {
                if (rnd.nextInt(100) < 95) {
                    long latest = inserted.get();
                    long back = zipfian ? Zipfian.below(latest, rnd) : (long) (rnd.nextDouble() * latest);
                    e.get(key(Math.max(0, latest - 1 - back)));
                } else {
                    e.put(key(inserted.getAndIncrement()), value, false);
                }
            };
            case "rmw" -> (rnd, value, i) -> {
                byte[] k = key(choose(rnd, zipfian));
                if (rnd.nextBoolean()) {
                    e.get(k);
                } else {
                    if (e.get(k) < 0) {
                        throw new IllegalStateException("record missing in read-modify-write");
                    }
                    e.put(k, value, false);
                }
            };
            case "scan" -> (rnd, value, i) -> {
                if (rnd.nextInt(100) < 95) {
                    e.scan(key(choose(rnd, zipfian)), 1 + rnd.nextInt(100));
                } else {
                    e.put(key(inserted.getAndIncrement()), value, false);
                }
            };
            default -> throw new IllegalArgumentException("unknown mix " + mix);
        }));
    }

    private Op mixed(KvEngine e, boolean zipfian, int readPercent) {
        return (rnd, value, i) -> {
            byte[] k = key(choose(rnd, zipfian));
            if (rnd.nextInt(100) < readPercent) {
                if (e.get(k) < 0) {
                    throw new IllegalStateException("a loaded record is missing");
                }
            } else {
                e.put(k, value, false);
            }
        };
    }

    /** A loaded record's number. */
    private long choose(Random rnd, boolean zipfian) {
        if (!zipfian) {
            return (long) (rnd.nextDouble() * records);
        }
        // scrambled zipfian: popularity rank -> a record number spread over all of them
        long rank = Zipfian.of(records).next(rnd);
        return Long.remainderUnsigned(fnv(rank), records);
    }

    /** One client operation: its thread's random source, its value buffer, and the operation's number. */
    interface Op {
        void apply(Random rnd, byte[] value, long i) throws Exception;
    }

    private interface Body {
        double run() throws Exception;
    }

    private double run(long count, Op op) throws Exception {
        return clients(threads, count, 31L * count, valueSize, op);
    }

    /**
     * Runs operations 0 to {@code count - 1} over {@code threads} client threads (thread t takes
     * every {@code threads}-th from t), each with its own random source (seeded from
     * {@code seed}) and a random value of {@code valueSize} bytes whose first byte changes per
     * operation; returns operations per second.
     */
    static double clients(int threads, long count, long seed, int valueSize, Op op) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    Random rnd = new Random(7919L * id + seed);
                    byte[] value = new byte[valueSize];
                    rnd.nextBytes(value);
                    for (long i = id; i < count; i += threads) {
                        value[0] = (byte) i;
                        op.apply(rnd, value, i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return count / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Result timed(Body body) throws Exception {
        System.gc();
        long gcBefore = gcMillis();
        long start = System.nanoTime();
        double rate = body.run();
        double wallMillis = (System.nanoTime() - start) / 1e6;
        return new Result(rate, 100.0 * (gcMillis() - gcBefore) / wallMillis);
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /**
     * Zipfian ranks in [0, n) with θ = 0.99, by Gray et al.'s method (as YCSB's
     * {@code ZipfianGenerator}); rank 0 is the most popular. The ζ(n) sum is computed once per n.
     */
    static final class Zipfian {
        private static final double THETA = 0.99;
        private static final java.util.concurrent.ConcurrentHashMap<Long, Zipfian> BY_N = new java.util.concurrent.ConcurrentHashMap<>();

        private final long n;
        private final double alpha;
        private final double zetan;
        private final double eta;
        private final double half;

        /** The generator for exactly n items (computed once per n). */
        static Zipfian of(long n) {
            return BY_N.computeIfAbsent(n, Zipfian::new);
        }

        private Zipfian(long n) {
            this.n = n;
            double zeta2 = 1 + Math.pow(0.5, THETA);
            double sum = 0;
            for (long i = 1; i <= n; i++) {
                sum += 1 / Math.pow(i, THETA);
            }
            this.zetan = sum;
            this.alpha = 1 / (1 - THETA);
            this.eta = (1 - Math.pow(2.0 / n, 1 - THETA)) / (1 - zeta2 / zetan);
            this.half = Math.pow(0.5, THETA);
        }

        long next(Random rnd) {
            double u = rnd.nextDouble();
            double uz = u * zetan;
            if (uz < 1) {
                return 0;
            }
            if (uz < 1 + half) {
                return 1;
            }
            return Math.min(n - 1, (long) (n * Math.pow(eta * u - eta + 1, alpha)));
        }

        /**
         * A rank below {@code bound} for a growing number of items (readlatest's inserts): this
         * generator's ranks for the next power of two, redrawn until below the bound (few redraws:
         * the mass is at the low ranks), so ζ is not summed again at every insert.
         */
        static long below(long bound, Random rnd) {
            Zipfian z = of(Math.max(2, Long.highestOneBit(Math.max(1, bound - 1)) << 1));
            while (true) {
                long r = z.next(rnd);
                if (r < bound) {
                    return r;
                }
            }
        }
    }
}
