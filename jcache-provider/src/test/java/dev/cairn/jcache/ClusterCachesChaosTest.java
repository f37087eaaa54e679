package dev.cairn.jcache;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.Store;
import dev.cairn.transport.check.History;
import dev.cairn.transport.check.History.Kind;
import dev.cairn.transport.check.Linearizability;
import dev.cairn.transport.replication.ClusterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.processor.MutableEntry;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JCache API under faults: three JVM-embedded members (providers configured as members of one
 * cluster, real JGroups TCP on loopback), six clients — two per member — running {@code invoke}
 * increments, gets, puts and removes on a few keys, while one member is cut off from the others
 * (JGroups {@code DISCARD} of everything above its transport) for longer than failure detection
 * and then let back in. Every call is recorded (one that threw is indeterminate) and the history
 * is checked for linearizability per key, an {@code invoke} increment being a read-modify-write
 * that must neither be lost nor applied twice. (It found that cluster members on the memory engine
 * forgot deletes at once — no tombstone grace — so that a stale replica's value came back: every
 * run failed, with or without the partition.) Prints {@code scenario=jcache-invoke-partition
 * seed= ops= ok= indeterminate= linearizable=}; {@code -Dcairn.seed=N} replays the clients'
 * choices.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterCachesChaosTest {
    private static final Long FIXED_SEED = Long.getLong("cairn.seed");
    private static final String[] KEYS = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"};
    /** Each client's most operations: the checker's search grows fast with long histories of indeterminate operations. */
    private static final int MAX_OPS_PER_CLIENT = 4_000;

    @TempDir
    Path dir;

    private final List<CairnCachingProvider> providers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (CairnCachingProvider p : providers) {
            p.close();
        }
    }

    private List<Cache<String, String>> members() throws Exception {
        List<Cache<String, String>> caches = new ArrayList<>();
        for (CacheManager m : ClusterCachesTest.startMembers(dir, providers, "cluster.owners = 3")) {
            caches.add(m.createCache("counters", new MutableConfiguration<String, String>().setTypes(String.class, String.class)));
        }
        ClusterCachesTest.eventually(() -> {
            caches.get(0).put("ready", "1"); // a new cluster serves once its segments are taken over
            return null;
        });
        return caches;
    }

    /** One client's loop through one member's cache. */
    private static void client(int id, long seed, Cache<String, String> cache, History history, AtomicBoolean stop) {
        Random rnd = new Random(seed + id);
        for (int n = 0; n < MAX_OPS_PER_CLIENT && !stop.get(); n++) {
            String key = KEYS[rnd.nextInt(KEYS.length)];
            int dice = rnd.nextInt(10);
            Kind kind = dice < 5 ? Kind.INCREMENT : dice < 8 ? Kind.GET : dice < 9 ? Kind.PUT : Kind.DELETE;
            String value = kind == Kind.PUT ? Integer.toString(rnd.nextInt(1_000)) : null;
            long call = System.nanoTime();
            String result = null;
            boolean indeterminate = false;
            try {
                switch (kind) {
                    case INCREMENT -> result = cache.invoke(key, (MutableEntry<String, String> e, Object... args) -> {
                        String next = Long.toString((e.exists() ? Long.parseLong(e.getValue()) : 0) + 1);
                        e.setValue(next);
                        return next;
                    });
                    case GET -> result = cache.get(key);
                    case PUT -> cache.put(key, value);
                    case DELETE -> result = Boolean.toString(cache.remove(key));
                    default -> throw new IllegalStateException(kind.toString());
                }
            } catch (RuntimeException e) {
                indeterminate = true; // a quorum not reached, a timeout: it may have happened
            }
            history.add(new History.Op(id, key, kind, value, null, kind == Kind.INCREMENT ? 1 : 0, call, System.nanoTime(),
                    indeterminate, result));
            try {
                // back off after a failure, as a client would (fewer calls of unknown outcome to
                // check), and pace the calls so that the bounded count spans the whole run
                Thread.sleep(indeterminate ? 1_000 : 3);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Test
    void invokeThroughEveryMemberStaysLinearizableAcrossAPartition() throws Exception {
        long seed = FIXED_SEED != null ? FIXED_SEED : new Random().nextLong();
        List<Cache<String, String>> caches = members();
        History history = new History();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            int id = c;
            Thread t = new Thread(() -> client(id, seed, caches.get(id % 3), history, stop), "jcache-chaos-" + c);
            t.start();
            clients.add(t);
        }
        // the members' epochs over time, printed with the result: a violation's time against the topology's changes
        List<String> timeline = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread watcher = new Thread(() -> {
            long[] last = new long[3];
            while (!stop.get()) {
                for (int m = 0; m < 3; m++) {
                    ClusterStore.Status st = ((ClusterStore) caches.get(m).unwrap(Store.class)).status();
                    if (st.epoch() != last[m]) {
                        last[m] = st.epoch();
                        timeline.add(System.nanoTime() + " member" + m + " epoch=" + st.epoch() + " members=" + st.members());
                    }
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        watcher.start();
        ProtocolStack stack = caches.get(2).unwrap(Store.class) instanceof ClusterStore cs
                ? cs.member().channel().getProtocolStack() : null;
        assertTrue(stack != null, "the cache's store is not a cluster store");
        try {
            Thread.sleep(3_000);
            timeline.add(System.nanoTime() + " member2 cut off");
            stack.insertProtocol(new DISCARD().discardAll(true), ProtocolStack.Position.ABOVE, TP.class);
            Thread.sleep(10_000); // longer than failure detection: the other two replace it
            stack.removeProtocol(DISCARD.class);
            timeline.add(System.nanoTime() + " member2 let back in");
            Thread.sleep(15_000); // it merges back, is staged and rejoins the topology
        } finally {
            stop.set(true);
            for (Thread t : clients) {
                t.join(60_000);
            }
            watcher.join(10_000);
        }
        timeline.forEach(l -> System.out.println("timeline " + l));
        System.out.println("timeline " + System.nanoTime() + " clients stopped");
        List<Linearizability.Result> failures = Linearizability.check(history);
        long indeterminate = history.ops().stream().filter(History.Op::indeterminate).count();
        long increments = history.ops().stream().filter(o -> o.kind() == Kind.INCREMENT && !o.indeterminate()).count();
        System.out.printf("scenario=jcache-invoke-partition seed=%d ops=%d ok=%d failed=0 indeterminate=%d invoke_ok=%d "
                + "acknowledged_lost=%s linearizable=%s%n", seed, history.size(), history.size() - indeterminate, indeterminate,
                increments, failures.isEmpty() ? "0" : "?", failures.isEmpty() ? "yes" : "no");
        assertTrue(increments > 50, "too few invoke calls completed to mean anything: " + increments);
        assertTrue(indeterminate > 0, "the partition failed no call: the fault did not bite");
        assertTrue(failures.isEmpty(), "seed=" + seed + " " + failures);
    }
}
