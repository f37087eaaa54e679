package dev.cairn.server;

import dev.cairn.api.FreePorts;
import dev.cairn.api.ManualClock;
import dev.cairn.api.Store;
import dev.cairn.api.StoreContract;
import dev.cairn.api.StoreLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.HostAndPort;

/**
 * The {@code api} contract suite against three cairn-server processes forming a cluster (SYNC
 * replicas, N = 3, W = R = 2), through {@link RespStore}: Cairn's own RESP commands, each call
 * to the next node in turn. The nodes run with {@code --test-clock}, and the store sets their
 * clocks to the suite's {@link ManualClock} before each call. Each store is a database of its
 * own (SELECT), emptied when opened.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServerProcessesContractTest extends StoreContract {
    private static final ServerProcess[] NODES = new ServerProcess[3];
    private static final List<HostAndPort> ADDRESSES = new ArrayList<>();
    private static Path dir;
    private static int opened;

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createTempDirectory("cairn-contract-");
        int[] cport = FreePorts.loopback(3);
        String members = "127.0.0.1:" + cport[0] + ",127.0.0.1:" + cport[1] + ",127.0.0.1:" + cport[2];
        for (int i = 0; i < 3; i++) {
            NODES[i] = new ServerProcess(dir.resolve("node" + i), "--cluster", "contract", "--members", members,
                    "--cluster-port", Integer.toString(cport[i]), "--sync", "SYNC", "--test-clock");
            ADDRESSES.add(new HostAndPort("127.0.0.1", NODES[i].port()));
        }
        ServerProcess.awaitSettled(NODES); // a join under way would fail the first tests' writes with the quorum error
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (int i = 0; i < NODES.length; i++) { // what the nodes warned of, for a failure's diagnosis
            if (NODES[i] != null) {
                NODES[i].log().stream().filter(l -> l.contains("WARN") || l.contains("ERROR")).limit(40)
                        .forEach(l -> System.out.println("node " + l));
            }
        }
        ServerProcess.closeAll(NODES);
    }

    @Override
    protected Store openStore(ManualClock clock, StoreLimits limits) {
        int db = 1 + (opened++ % 15);
        RespStore store = new RespStore(ADDRESSES, db, clock, true, limits);
        store.clear();
        return store;
    }

    @Override
    protected int replicationFactor() {
        return 3;
    }

    /** Keys live in segments on different members: batches are atomic per key, scans per key. */
    @Override
    protected boolean readsAreSnapshots() {
        return false;
    }

    /** A store over RESP hears no changes (Redis's keyspace notifications are not built). */
    @Override
    protected boolean reportsChanges() {
        return false;
    }
}
