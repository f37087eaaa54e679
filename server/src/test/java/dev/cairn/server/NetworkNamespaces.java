package dev.cairn.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces a test creates for itself, one per server process, joined by a bridge in
 * the test's own namespace: each process has its own address (10.213.S.1, .2, …; the bridge, where
 * the test's clients connect from, is .254), and a partition is real — {@link #isolate} drops
 * every packet between one namespace and the others (blackhole routes on both sides) while the
 * test still reaches every node, so the isolated side is the minority that must refuse writes.
 * Needs root and iproute2 ({@code ip}); CI runs as root.
 */
final class NetworkNamespaces implements AutoCloseable {
    private final String tag = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
    private final int subnet = 100 + ThreadLocalRandom.current().nextInt(100);
    private final List<String> names = new ArrayList<>();
    private final String bridge = "cbr" + tag;

    /** Removes the namespaces and bridge if the test JVM ends without closing this (an interrupted run). */
    private final Thread cleanUp = new Thread(this::close, "remove-network-namespaces");

    NetworkNamespaces(int count) throws Exception {
        Runtime.getRuntime().addShutdownHook(cleanUp);
        try {
            run("ip", "link", "add", bridge, "type", "bridge");
            run("ip", "addr", "add", "10.213." + subnet + ".254/24", "dev", bridge);
            run("ip", "link", "set", bridge, "up");
            for (int i = 0; i < count; i++) {
                String ns = "cairn-" + tag + "-" + i;
                String outside = "cv" + tag + i;
                String inside = "cp" + tag + i;
                run("ip", "netns", "add", ns);
                names.add(ns);
                run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
                run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
                run("ip", "link", "set", inside, "netns", ns);
                run("ip", "netns", "exec", ns, "ip", "addr", "add", address(i) + "/24", "dev", inside);
                run("ip", "netns", "exec", ns, "ip", "link", "set", inside, "up");
                run("ip", "link", "set", outside, "master", bridge);
                run("ip", "link", "set", outside, "up");
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Node {@code i}'s address. */
    String address(int i) {
        return "10.213." + subnet + "." + (i + 1);
    }

    /** The command prefix that runs a program in node {@code i}'s namespace. */
    List<String> launcher(int i) {
        return List.of("ip", "netns", "exec", names.get(i));
    }

    /** Cuts node {@code i} off from every other node (both directions); the test's side still reaches it. */
    void isolate(int i) throws Exception {
        for (int j = 0; j < names.size(); j++) {
            if (j != i) {
                run("ip", "netns", "exec", names.get(i), "ip", "route", "add", "blackhole", address(j) + "/32");
                run("ip", "netns", "exec", names.get(j), "ip", "route", "add", "blackhole", address(i) + "/32");
            }
        }
    }

    /** Undoes {@link #isolate}. */
    void heal(int i) throws Exception {
        for (int j = 0; j < names.size(); j++) {
            if (j != i) {
                run("ip", "netns", "exec", names.get(i), "ip", "route", "del", "blackhole", address(j) + "/32");
                run("ip", "netns", "exec", names.get(j), "ip", "route", "del", "blackhole", address(i) + "/32");
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanUp);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
        for (String ns : names) {
            runQuietly("ip", "netns", "del", ns); // takes its end of the veth pair, and so the pair, with it
        }
        names.clear();
        runQuietly("ip", "link", "del", bridge);
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + out + "); network namespaces need root and iproute2");
        }
    }

    private static void runQuietly(String... cmd) {
        try {
            run(cmd);
        } catch (Exception ignored) {
            // best effort at clean-up
        }
    }
}
