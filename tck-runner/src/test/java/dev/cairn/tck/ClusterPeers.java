package dev.cairn.tck;

import dev.cairn.api.Namespaces;
import dev.cairn.api.Stores;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.runner.Description;
import org.junit.runner.Result;
import org.junit.runner.notification.RunListener;

/**
 * For the TCK's cluster run: before the first test, starts two cluster members in this JVM and
 * writes the configuration that makes the TCK's default cache manager the third (every cache
 * {@code persistence = cluster}, 2 owners, W = 2), naming it in {@code cairn.jcache.config}; after
 * the last test, the two leave. Members talk JGroups over TCP on loopback ports free at the start.
 */
public final class ClusterPeers extends RunListener {
    /** Set to the configuration file to write; absent, this listener does nothing. */
    public static final String CONFIG_OUT = "cairn.tck.cluster.config";

    private final List<Namespaces> peers = new ArrayList<>();

    @Override
    public void testRunStarted(Description description) throws Exception {
        String out = System.getProperty(CONFIG_OUT);
        if (out == null) {
            return;
        }
        int[] ports = dev.cairn.api.FreePorts.loopback(3);
        List<String> members = new ArrayList<>();
        for (int p : ports) {
            members.add("127.0.0.1:" + p);
        }
        String cluster = "tck-" + ports[0];
        Path config = Path.of(out);
        Files.createDirectories(config.getParent());
        Files.writeString(config, String.join("\n",
                "# written by " + ClusterPeers.class.getName() + ": this JVM's TCK cache manager is the third member",
                "default.persistence = cluster",
                "cluster.name = " + cluster,
                "cluster.member = " + members.get(0),
                "cluster.members = " + String.join(",", members),
                "cluster.owners = 2",
                "cluster.writes = 2",
                "serialization.allow = org.jsr107.tck.**, domain.**, manager.**, javax.cache.**",
                ""));
        for (int i = 1; i < 3; i++) {
            peers.add(Stores.open("cluster:" + cluster, Map.of("member", members.get(i), "members", String.join(",", members),
                    "owners", "2", "writes", "2"), Clock.systemUTC()));
        }
        System.setProperty("cairn.jcache.config", config.toString());
        System.out.println("ClusterPeers: cluster " + cluster + " members " + members + " (this JVM's cache manager: "
                + members.get(0) + ")");
    }

    @Override
    public void testRunFinished(Result result) {
        for (Namespaces p : peers) {
            p.close();
        }
        peers.clear();
    }

}
