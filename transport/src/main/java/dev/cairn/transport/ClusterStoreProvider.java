package dev.cairn.transport;

import dev.cairn.api.Namespaces;
import dev.cairn.api.Store;
import dev.cairn.api.StoreLimits;
import dev.cairn.api.StoreProvider;
import dev.cairn.api.Stores;
import dev.cairn.transport.membership.ClusterConfig;
import dev.cairn.transport.replication.ClusterStore;
import dev.cairn.transport.replication.ReplicaService;
import dev.cairn.transport.replication.ReplicationSettings;
import dev.cairn.transport.topology.TopologyService;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code cluster:NAME} scheme of {@link Stores#open}: this process joins cluster NAME as a
 * member and its namespaces are the cluster's ({@link ClusterStore}). Opens of the same cluster
 * and member in one JVM share the membership; the member leaves when the last one closes.
 * Settings (those of the first open apply):
 * <ul>
 *   <li>{@code member} — this member's cluster endpoint {@code host:port} (also its name);</li>
 *   <li>{@code members} — every member's endpoint, comma-separated (the static list TCPPING
 *       contacts and the Raft voting members at the start);</li>
 *   <li>{@code data} — the local engine's URI ({@code file:PATH} or {@code mem:NAME}), and
 *       {@code data.*} its settings (e.g. {@code data.sync=SYNC}: a replica acknowledges a write
 *       once it is on its disk; {@code data.tombstoneGraceMillis}, how long a delete's tombstone
 *       is kept, a day unless given — a replica must not forget a delete at once);</li>
 *   <li>{@code raftLogDir} — where the topology's Raft log lives (absent: in memory);</li>
 *   <li>{@code owners}, {@code writes}, {@code reads}, {@code timeoutMillis} — N, W, R and the
 *       replication timeout (defaults: 3, majority, majority, 5000);</li>
 *   <li>{@code transferBytesPerSecond} — the cap on what a takeover moves per second (default
 *       64 MiB; 0: none);</li>
 *   <li>{@code antiEntropyMillis} — how often each primary compares its segments with their other
 *       owners and repairs what differs (default 600000, ten minutes; 0: never), well inside the
 *       tombstone grace;</li>
 *   <li>{@code joinWaitMillis} — how long opening waits for this member to be in the agreed
 *       topology (default 30000; a server, whose clients retry, waits 0: the first of several
 *       members started one by one cannot be in a topology until a majority is up).</li>
 *   <li>{@code maxKeyBytes}, {@code maxValueBytes} — the namespaces' limits (defaults those of
 *       {@link StoreLimits#DEFAULT}); the local engine gets the same unless {@code data.*} says
 *       otherwise.</li>
 * </ul>
 * A member not named in {@code members} is a new member: it asks to be added to the voters. Each
 * member's replication figures are an MXBean, {@code dev.cairn:type=Cluster,member=<name>}.
 * Namespaces take {@code owners}, {@code writes} and {@code reads} of their own
 * ({@link ClusterStore}: N at most the cluster's, W and R at least the smaller of the cluster's).
 */
public final class ClusterStoreProvider implements StoreProvider {
    private static final Set<String> KNOWN = Set.of("member", "members", "data", "raftLogDir", "owners", "writes", "reads",
            "timeoutMillis", "transferBytesPerSecond", "antiEntropyMillis", "joinWaitMillis", "maxKeyBytes", "maxValueBytes");

    @Override
    public String scheme() {
        return "cluster";
    }

    @Override
    public Namespaces open(String uri, Map<String, String> settings, Clock clock) {
        String name = uri.substring("cluster:".length());
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a cluster URI names the cluster: cluster:NAME, not '" + uri + "'");
        }
        for (String key : settings.keySet()) {
            if (!KNOWN.contains(key) && !key.startsWith("data.")) {
                throw new IllegalArgumentException("unknown cluster setting '" + key + "' (known: " + new java.util.TreeSet<>(KNOWN) + ")");
            }
        }
        String member = required(settings, "member");
        List<String> members = Arrays.stream(required(settings, "members").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
        int owners = Integer.parseInt(settings.getOrDefault("owners", "3").trim());
        int n = Math.min(owners, members.size());
        int writes = Integer.parseInt(settings.getOrDefault("writes", Integer.toString(n / 2 + 1)).trim());
        int reads = Integer.parseInt(settings.getOrDefault("reads", Integer.toString(n / 2 + 1)).trim());
        ReplicationSettings replication = new ReplicationSettings(n, writes, reads,
                Long.parseLong(settings.getOrDefault("timeoutMillis", "5000").trim()));
        int colon = member.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("member is host:port, not '" + member + "'");
        }
        String raftLog = settings.get("raftLogDir");
        ClusterConfig config = ClusterConfig.tcp(name, member, member.substring(0, colon),
                Integer.parseInt(member.substring(colon + 1)), members, members, raftLog == null ? null : Path.of(raftLog));
        // one membership per cluster and member in this JVM, however many open it
        return dev.cairn.api.SharedNamespaces.acquire("cluster:" + name + "/" + member,
                () -> join(name, member, config, replication, settings, clock));
    }

    private static Namespaces join(String name, String member, ClusterConfig config, ReplicationSettings replication,
                                   Map<String, String> settings, Clock clock) {
        Map<String, String> engine = new java.util.HashMap<>();
        StoreLimits limits = new StoreLimits(
                Integer.parseInt(settings.getOrDefault("maxKeyBytes", Integer.toString(StoreLimits.DEFAULT_MAX_KEY_BYTES)).trim()),
                Integer.parseInt(settings.getOrDefault("maxValueBytes", Integer.toString(StoreLimits.DEFAULT_MAX_VALUE_BYTES)).trim()));
        engine.put("maxKeyBytes", Integer.toString(limits.maxKeyBytes()));
        engine.put("maxValueBytes", Integer.toString(limits.maxValueBytes()));
        settings.forEach((k, v) -> {
            if (k.startsWith("data.")) {
                engine.put(k.substring("data.".length()), v);
            }
        });
        // A replica keeps its tombstones: one that forgot a delete at once (the memory engine's own
        // default) took an older value a late replicate, a read repair or a stale owner offered
        // as the newest, and a deleted key came back (ClusterCachesChaosTest found it).
        engine.putIfAbsent("tombstoneGraceMillis", Long.toString(REPLICA_TOMBSTONE_GRACE_MILLIS));
        Namespaces local = Stores.open(settings.getOrDefault("data", "mem:cluster-" + name + "-" + member), engine, clock);
        try {
            TopologyService topology = TopologyService.start(config);
            String raftLog = settings.get("raftLogDir");
            ReplicaService service = new ReplicaService(topology, local, replication, clock,
                    raftLog == null ? null : Path.of(raftLog).resolve("fences"));
            String rate = settings.get("transferBytesPerSecond");
            if (rate != null) {
                service.transferBytesPerSecond(Long.parseLong(rate.trim()));
            }
            String antiEntropy = settings.get("antiEntropyMillis");
            if (antiEntropy != null) {
                service.antiEntropyEvery(Long.parseLong(antiEntropy.trim()));
            }
            awaitMembership(topology, Long.parseLong(settings.getOrDefault("joinWaitMillis", Long.toString(JOIN_WAIT_MILLIS)).trim()));
            return new ClusterNamespaces(service, topology, local, limits, clock);
        } catch (Exception e) {
            local.close();
            throw new IllegalStateException("cannot join cluster " + name + " as " + member + ": " + e.getMessage(), e);
        }
    }

    /** How long opening waits for this member to be in the agreed topology before it returns anyway. */
    static final long JOIN_WAIT_MILLIS = 30_000;

    /** How long a member's engine keeps a tombstone unless {@code data.tombstoneGraceMillis} says otherwise: a day. */
    static final long REPLICA_TOMBSTONE_GRACE_MILLIS = 24L * 3600 * 1000;

    /**
     * Waits until this member is in the agreed topology (a new member: until it is added), at most
     * {@code millis}; a cluster without a majority up yet does not block the open forever — its
     * operations wait for a primary and fail with {@code QuorumNotReachedException} instead.
     */
    private static void awaitMembership(TopologyService topology, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!topology.current().members().contains(topology.member().name()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String required(Map<String, String> settings, String key) {
        String v = settings.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("a cluster store needs the setting '" + key + "'");
        }
        return v.trim();
    }

    /** How long a graceful leave waits for the others to take this member's segments over. */
    static final long LEAVE_TIMEOUT_MILLIS = 30_000;

    /** The cluster's namespaces on this member. */
    static final class ClusterNamespaces implements Namespaces {
        private final ReplicaService service;
        private final TopologyService topology;
        private final Namespaces local;
        private final StoreLimits limits;
        private final Clock clock;

        private final javax.management.ObjectName mbean;

        ClusterNamespaces(ReplicaService service, TopologyService topology, Namespaces local, StoreLimits limits, Clock clock) {
            this.limits = limits;
            this.service = service;
            this.topology = topology;
            this.local = local;
            this.clock = clock;
            this.mbean = register(service);
        }

        private static javax.management.ObjectName register(ReplicaService service) {
            try {
                javax.management.ObjectName name = new javax.management.ObjectName("dev.cairn:type=Cluster,member="
                        + javax.management.ObjectName.quote(service.topology().member().name()));
                javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
                if (server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
                server.registerMBean(service.metrics(), name);
                return name;
            } catch (javax.management.JMException e) {
                org.slf4j.LoggerFactory.getLogger(ClusterStoreProvider.class).warn("cluster metrics not on JMX: {}", e.toString());
                return null;
            }
        }

        /** A namespace of the cluster; settings {@code owners}, {@code writes}, {@code reads} give it its own N, W and R. */
        @Override
        public Store namespace(String name, Map<String, String> settings) {
            Namespaces.checkName(name);
            for (String key : settings.keySet()) {
                if (!Set.of("owners", "writes", "reads").contains(key)) {
                    throw new IllegalArgumentException("unknown cluster namespace setting '" + key + "' (known: owners, writes, reads)");
                }
            }
            ReplicationSettings cluster = service.settings();
            int n = Integer.parseInt(settings.getOrDefault("owners", Integer.toString(cluster.owners())).trim());
            String majority = Integer.toString(n / 2 + 1);
            int w = Integer.parseInt(settings.getOrDefault("writes", settings.containsKey("owners") ? majority
                    : Integer.toString(cluster.writes())).trim());
            int r = Integer.parseInt(settings.getOrDefault("reads", settings.containsKey("owners") ? majority
                    : Integer.toString(cluster.reads())).trim());
            return new ClusterStore(service, name, new ReplicationSettings(n, w, r, cluster.timeoutMillis()),
                    limits, clock);
        }

        /** The namespaces this member holds data of. */
        @Override
        public List<String> names() {
            return local.names();
        }

        @Override
        public boolean drop(String name) {
            boolean existed = local.names().contains(name);
            new ClusterStore(service, name, limits, clock).clear();
            return existed;
        }

        /**
         * Leaves the cluster gracefully — removed from the voters, the others take this member's
         * segments over, pulling from it — and closes the local engine.
         */
        @Override
        public void close() {
            if (!topology.leave(LEAVE_TIMEOUT_MILLIS)) {
                org.slf4j.LoggerFactory.getLogger(ClusterStoreProvider.class).warn(
                        "{}: left before the others had taken every segment over (waited {} ms)", topology.member().name(),
                        LEAVE_TIMEOUT_MILLIS);
            }
            service.close();
            topology.close();
            local.close();
            if (mbean != null) {
                try {
                    java.lang.management.ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbean);
                } catch (javax.management.JMException ignored) {
                    // already gone
                }
            }
        }
    }
}
