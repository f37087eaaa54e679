package dev.cairn.bench;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.cairn.api.Namespaces;
import dev.cairn.api.Store;
import dev.cairn.api.Stores;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Three members of each system in this JVM, talking TCP over loopback, with the same number of
 * copies: Cairn (N owners, W and R majorities of N unless given), Infinispan (embedded, DIST_SYNC,
 * numOwners = N) and Hazelcast (embedded members, an IMap with N − 1 synchronous backups). Client
 * threads are spread over the three members, as an embedding application's would be, and put or
 * get random keys of the same value size; one line per operation and thread count:
 * {@code <op> members=3 owners=<n> threads=<t> cairn=… infinispan=… hazelcast=… ratio_vs_best=… cairn_p99_us=…}.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "A 3-member Cairn cluster vs Infinispan (DIST_SYNC) and Hazelcast (IMap), same copies.")
final class ClusterBench implements Callable<Integer> {
    @Option(names = "--keys", description = "keys (default ${DEFAULT-VALUE})")
    int keys = 20_000;

    @Option(names = "--value-bytes", description = "value size (default ${DEFAULT-VALUE})")
    int valueBytes = 100;

    @Option(names = "--seconds", description = "measured seconds per cell (default ${DEFAULT-VALUE})")
    double seconds = 3.0;

    @Option(names = "--threads", split = ",", description = "client thread counts (default 3,12)")
    List<Integer> threads = List.of(3, 12);

    @Option(names = "--owners", description = "copies of each entry (default ${DEFAULT-VALUE})")
    int owners = 2;

    @Option(names = "--reads", description = "Cairn's R (default: a majority of the owners)")
    Integer reads;

    @Option(names = "--only", split = ",", description = "run only these systems besides cairn (infinispan, hazelcast)")
    List<String> only;

    /** One system's three members, seen as per-member put/get functions. */
    private interface Members extends AutoCloseable {
        void put(int member, String key, byte[] value) throws Exception;

        byte[] get(int member, String key) throws Exception;
    }

    @Override
    public Integer call() throws Exception {
        System.setProperty("hazelcast.logging.type", "none");
        System.setProperty("hazelcast.phone.home.enabled", "false");
        System.out.printf(Locale.ROOT, "# cluster benchmark: 3 members per system in one JVM, TCP on loopback, %d keys, %d-byte values,"
                        + " %d owners, %.1f s per cell, %d cores, java %s%n", keys, valueBytes, owners, seconds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        byte[] value = new byte[valueBytes];
        ThreadLocalRandom.current().nextBytes(value);
        String[] keyNames = new String[keys];
        for (int i = 0; i < keys; i++) {
            keyNames[i] = "key-" + i;
        }
        Map<String, Map<String, double[]>> results = new LinkedHashMap<>(); // system -> cell -> {rate, p99}
        List<String> systems = new ArrayList<>(List.of("cairn"));
        for (String s : List.of("infinispan", "hazelcast")) {
            if (only == null || only.contains(s)) {
                systems.add(s);
            }
        }
        for (String system : systems) {
            try (Members m = start(system)) {
                for (int i = 0; i < keys; i++) {
                    m.put(i % 3, keyNames[i], value);
                }
                Map<String, double[]> cells = new LinkedHashMap<>();
                for (String op : List.of("put", "get")) {
                    for (int t : threads) {
                        run(m, op, t, keyNames, value, seconds / 3); // warm-up
                        double[] cell = run(m, op, t, keyNames, value, seconds);
                        cells.put(op + " threads=" + t, cell);
                        System.out.printf(Locale.ROOT, "#   %s %s threads=%d: %.0f ops/s, p99 %.0f us%n", system, op, t, cell[0], cell[1]);
                    }
                }
                results.put(system, cells);
            }
        }
        for (String cell : results.get("cairn").keySet()) {
            StringBuilder line = new StringBuilder(cell.replace(" threads=", " members=3 owners=" + owners + " threads="));
            double best = 0;
            for (String system : systems) {
                double rate = results.get(system).get(cell)[0];
                line.append(' ').append(system).append('=').append(String.format(Locale.ROOT, "%.0f", rate));
                if (!system.equals("cairn")) {
                    best = Math.max(best, rate);
                }
            }
            double[] cairn = results.get("cairn").get(cell);
            line.append(String.format(Locale.ROOT, " ratio_vs_best=%.2f cairn_p99_us=%.0f", best == 0 ? 0 : cairn[0] / best, cairn[1]));
            for (String system : systems) {
                if (!system.equals("cairn")) {
                    line.append(' ').append(system).append("_p99_us=")
                            .append(String.format(Locale.ROOT, "%.0f", results.get(system).get(cell)[1]));
                }
            }
            System.out.println(line);
        }
        return 0;
    }

    private Members start(String system) throws Exception {
        int[] ports = freePorts(3);
        return switch (system) {
            case "cairn" -> cairn(ports);
            case "infinispan" -> infinispan(ports);
            case "hazelcast" -> hazelcast(ports);
            default -> throw new IllegalArgumentException(system);
        };
    }

    private Members cairn(int[] ports) throws Exception {
        String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
        String cluster = "bench-" + ports[0];
        int r = reads != null ? reads : owners / 2 + 1;
        List<Namespaces> nodes = new ArrayList<>();
        List<Store> stores = new ArrayList<>();
        Thread[] starters = new Thread[3];
        Namespaces[] opened = new Namespaces[3];
        for (int i = 0; i < 3; i++) {
            int k = i;
            // members start together: each waits in its open for the topology to include it
            starters[i] = new Thread(() -> opened[k] = Stores.open("cluster:" + cluster, Map.of("member", "127.0.0.1:" + ports[k],
                    "members", members, "owners", Integer.toString(owners), "reads", Integer.toString(r),
                    "writes", Integer.toString(owners / 2 + 1))));
            starters[i].start();
        }
        for (Thread t : starters) {
            t.join();
        }
        for (Namespaces n : opened) {
            nodes.add(n);
            stores.add(n.namespace("bench"));
        }
        awaitServing(stores);
        return new Members() {
            @Override
            public void put(int member, String key, byte[] v) {
                stores.get(member).put(key.getBytes(StandardCharsets.UTF_8), v);
            }

            @Override
            public byte[] get(int member, String key) {
                return stores.get(member).get(key.getBytes(StandardCharsets.UTF_8)).map(e -> e.value()).orElse(null);
            }

            @Override
            public void close() {
                nodes.forEach(Namespaces::close);
            }
        };
    }

    /** Retries a first write through each member until the new cluster serves every segment. */
    private static void awaitServing(List<Store> stores) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (int probe = 0; probe < 512; probe++) {
            while (true) {
                try {
                    stores.get(probe % 3).put(("probe-" + probe).getBytes(StandardCharsets.UTF_8), new byte[1]);
                    break;
                } catch (RuntimeException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    private Members infinispan(int[] ports) throws Exception {
        Path stack = Files.createTempFile("infinispan-tcp", ".xml");
        try (var in = ClusterBench.class.getResourceAsStream("infinispan-tcp.xml")) {
            Files.write(stack, in.readAllBytes());
        }
        String hosts = "127.0.0.1[" + ports[0] + "],127.0.0.1[" + ports[1] + "],127.0.0.1[" + ports[2] + "]";
        List<DefaultCacheManager> managers = new ArrayList<>();
        List<org.infinispan.Cache<String, byte[]>> caches = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            System.setProperty("bench.port", Integer.toString(ports[i]));
            System.setProperty("bench.hosts", hosts);
            GlobalConfigurationBuilder global = GlobalConfigurationBuilder.defaultClusteredBuilder();
            global.transport().clusterName("bench-" + ports[0]).nodeName("m" + i)
                    .addProperty("configurationFile", stack.toString());
            global.jmx().enabled(false);
            global.defaultCacheName("bench");
            ConfigurationBuilder cache = new ConfigurationBuilder();
            cache.clustering().cacheMode(CacheMode.DIST_SYNC).hash().numOwners(owners);
            DefaultCacheManager m = new DefaultCacheManager(global.build(), cache.build());
            managers.add(m);
        }
        for (DefaultCacheManager m : managers) {
            caches.add(m.getCache());
        }
        return new Members() {
            @Override
            public void put(int member, String key, byte[] v) {
                caches.get(member).put(key, v);
            }

            @Override
            public byte[] get(int member, String key) {
                return caches.get(member).get(key);
            }

            @Override
            public void close() throws IOException {
                for (int i = managers.size() - 1; i >= 0; i--) {
                    managers.get(i).stop();
                }
                Files.deleteIfExists(stack);
            }
        };
    }

    private Members hazelcast(int[] ports) {
        List<HazelcastInstance> members = new ArrayList<>();
        List<IMap<String, byte[]>> maps = new ArrayList<>();
        String name = "bench-" + ports[0];
        for (int i = 0; i < 3; i++) {
            Config cfg = new Config();
            cfg.setClusterName(name);
            cfg.setProperty("hazelcast.phone.home.enabled", "false");
            cfg.getNetworkConfig().setPort(ports[i]).setPortAutoIncrement(false);
            cfg.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
            cfg.getNetworkConfig().setPublicAddress("127.0.0.1:" + ports[i]);
            var join = cfg.getNetworkConfig().getJoin();
            join.getMulticastConfig().setEnabled(false);
            join.getAutoDetectionConfig().setEnabled(false);
            var tcp = join.getTcpIpConfig().setEnabled(true);
            for (int p : ports) {
                tcp.addMember("127.0.0.1:" + p);
            }
            cfg.getMapConfig("bench").setBackupCount(owners - 1).setAsyncBackupCount(0);
            members.add(Hazelcast.newHazelcastInstance(cfg));
        }
        for (HazelcastInstance h : members) {
            maps.add(h.getMap("bench"));
        }
        return new Members() {
            @Override
            public void put(int member, String key, byte[] v) {
                maps.get(member).set(key, v);
            }

            @Override
            public byte[] get(int member, String key) {
                return maps.get(member).get(key);
            }

            @Override
            public void close() {
                members.forEach(HazelcastInstance::shutdown);
            }
        };
    }

    /** Rate (operations per second) and p99 latency (µs) of {@code op} from {@code threadCount} threads. */
    private static double[] run(Members m, String op, int threadCount, String[] keyNames, byte[] value, double secs)
            throws Exception {
        LongAdder done = new LongAdder();
        Recorder latency = new Recorder(60_000_000L, 2);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        Exception[] failure = new Exception[1];
        for (int t = 0; t < threadCount; t++) {
            int member = t % 3;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    long deadline = System.nanoTime() + (long) (secs * 1e9);
                    long n = 0;
                    while (System.nanoTime() < deadline) {
                        String key = keyNames[rnd.nextInt(keyNames.length)];
                        long t0 = System.nanoTime();
                        if (op.equals("put")) {
                            m.put(member, key, value);
                        } else {
                            m.get(member, key);
                        }
                        latency.recordValue(Math.min(60_000_000L, (System.nanoTime() - t0) / 1000));
                        n++;
                    }
                    done.add(n);
                } catch (Exception e) {
                    failure[0] = e;
                }
            });
            workers.add(w);
            w.start();
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        long elapsed = System.nanoTime() - t0;
        if (failure[0] != null) {
            throw failure[0];
        }
        return new double[] {done.sum() / (elapsed / 1e9), latency.getIntervalHistogram().getValueAtPercentile(99)};
    }

    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return ports;
    }
}
