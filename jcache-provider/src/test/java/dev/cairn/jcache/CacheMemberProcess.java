package dev.cairn.jcache;

import dev.cairn.api.Store;
import dev.cairn.transport.replication.ClusterStore;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.processor.MutableEntry;

/**
 * One JCache member in a process of its own, with its clients — what an application embedding a
 * Cairn cache looks like — for {@link ClusterCachesProcessChaosTest} to pause and kill. Arguments:
 * the provider's configuration file, a work directory, the first client id, the number of clients
 * and the seed. Each client writes its history to {@code history-<id>.txt} in the work directory,
 * one line before each call ({@code I id seq key kind value call-nanos}) and one after it
 * ({@code R id seq return-nanos ok|ind result}), flushed at once, so a SIGKILL leaves the calls
 * it interrupted as invocations without a return: indeterminate. {@code System.nanoTime} is the
 * machine's monotonic clock, the same in every process. The member writes its view of the topology
 * to {@code status.txt} (epoch, members, segments served, its view and Raft state) every 100 ms,
 * prints {@code READY} once its cache answers, and stops its clients — then leaves the cluster
 * and exits — when {@code stop} appears in the work directory.
 */
public final class CacheMemberProcess {
    static final String[] KEYS = {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"};
    static final int MAX_OPS_PER_CLIENT = 6_000;

    private CacheMemberProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path config = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int firstClient = Integer.parseInt(args[2]);
        int clients = Integer.parseInt(args[3]);
        long seed = Long.parseLong(args[4]);
        CairnCachingProvider provider = new CairnCachingProvider();
        CacheManager manager = provider.getCacheManager(config.toUri(), CacheMemberProcess.class.getClassLoader());
        Cache<String, String> cache = manager.createCache("counters",
                new MutableConfiguration<String, String>().setTypes(String.class, String.class));
        ClusterStore store = (ClusterStore) cache.unwrap(Store.class);
        Thread status = new Thread(() -> {
            while (true) {
                ClusterStore.Status st = store.status();
                try {
                    Path tmp = work.resolve("status.tmp");
                    Files.writeString(tmp, st.epoch() + "\n" + String.join(",", st.members()) + "\n" + st.serving() + "\n"
                            + "view=" + store.member().members() + " staged=" + st.staged() + " " + st.raft() + "\n");
                    Files.move(tmp, work.resolve("status.txt"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    Thread.sleep(100);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "status");
        status.setDaemon(true);
        status.start();
        ClusterCachesTest.eventually(() -> {
            cache.put("ready-" + firstClient, "1");
            return null;
        });
        System.out.println("READY");
        System.out.flush();
        List<Thread> threads = new ArrayList<>();
        for (int c = firstClient; c < firstClient + clients; c++) {
            int id = c;
            Thread t = new Thread(() -> client(id, seed, cache, work), "client-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        while (!Files.exists(work.resolve("stop"))) {
            Thread.sleep(50); // a member that is done calling stays a member until the test says so
        }
        provider.close();
        System.exit(0);
    }

    private static void client(int id, long seed, Cache<String, String> cache, Path work) {
        Random rnd = new Random(seed * 31 + id);
        try (BufferedWriter out = Files.newBufferedWriter(work.resolve("history-" + id + ".txt"), StandardCharsets.UTF_8)) {
            for (int n = 0; n < MAX_OPS_PER_CLIENT && !Files.exists(work.resolve("stop")); n++) {
                String key = KEYS[rnd.nextInt(KEYS.length)];
                int dice = rnd.nextInt(10);
                String kind = dice < 5 ? "INCREMENT" : dice < 8 ? "GET" : dice < 9 ? "PUT" : "DELETE";
                String value = kind.equals("PUT") ? Integer.toString(rnd.nextInt(1_000)) : "-";
                out.write("I " + id + " " + n + " " + key + " " + kind + " " + value + " " + System.nanoTime() + "\n");
                out.flush();
                String result = null;
                boolean failed = false;
                try {
                    switch (kind) {
                        case "INCREMENT" -> result = cache.invoke(key, (MutableEntry<String, String> e, Object... a) -> {
                            String next = Long.toString((e.exists() ? Long.parseLong(e.getValue()) : 0) + 1);
                            e.setValue(next);
                            return next;
                        });
                        case "GET" -> result = cache.get(key);
                        case "PUT" -> cache.put(key, value);
                        default -> result = Boolean.toString(cache.remove(key));
                    }
                } catch (RuntimeException e) {
                    failed = true; // a quorum not reached, a timeout: it may have happened
                }
                out.write("R " + id + " " + n + " " + System.nanoTime() + " " + (failed ? "ind" : "ok") + " "
                        + (result == null ? "-" : result) + "\n");
                out.flush();
                Thread.sleep(failed ? 1_000 : 6); // back off after a failure; pace the bounded count over the run
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
