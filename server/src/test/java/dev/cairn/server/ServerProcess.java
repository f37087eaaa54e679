package dev.cairn.server;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A cairn-server in a child JVM, as an operator would run it; reads its port from the log. */
public final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [0-9.]+:(\\d+)");

    private final Process process;
    private final String bind;
    private final List<String> log = new ArrayList<>();
    private int port = -1;

    public ServerProcess(Path dataDir, String... extra) throws Exception {
        this(List.of(), "127.0.0.1", dataDir, extra);
    }

    /**
     * A server started through {@code launcher} (say {@code ip netns exec NS}, to run it in a
     * network namespace), listening on {@code bind}.
     */
    public ServerProcess(List<String> launcher, String bind, Path dataDir, String... extra) throws Exception {
        this(launcher, List.of(), CairnServer.class, bind, dataDir, extra);
    }

    /**
     * A server started through {@code launcher} with {@code jvmArgs}, whose entry point is
     * {@code main} (CairnServer's, or a test's that prepares something first and then calls it).
     */
    ServerProcess(List<String> launcher, List<String> jvmArgs, Class<?> main, String bind, Path dataDir, String... extra)
            throws Exception {
        this.bind = bind;
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName(),
                "--port", "0", "--bind", bind, "--data-dir", dataDir.toString()));
        cmd.addAll(List.of(extra));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // a test JVM that ends without closing this (a timeout, an interrupted run) must not leave it running
        Process child = process;
        Runtime.getRuntime().addShutdownHook(new Thread(child::destroyForcibly, "stop-cairn-server-" + child.pid()));
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (log) {
                        log.add(line);
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            port = Integer.parseInt(m.group(1));
                        }
                        log.notifyAll();
                    }
                }
            } catch (Exception ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (log) {
            while (port < 0) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("server did not start: " + log);
                }
                log.wait(100);
            }
        }
    }

    /** A node of cluster {@code cluster} with SYNC replicas, its data in {@code dataDir}, its cluster endpoint on {@code clusterPort}. */
    public static ServerProcess clusterNode(Path dataDir, String cluster, String members, int clusterPort) throws Exception {
        return new ServerProcess(dataDir, "--cluster", cluster, "--members", members, "--cluster-port",
                Integer.toString(clusterPort), "--sync", "SYNC");
    }

    /** Stops every node given that is not null (SIGKILL), as a test's clean-up. */
    public static void closeAll(ServerProcess... nodes) throws Exception {
        for (ServerProcess n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }

    public int port() {
        return port;
    }

    public List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** This node's {@code INFO cluster}, field by field (over a plain socket: users of this class may lack a Redis client). */
    public java.util.Map<String, String> clusterInfo() throws Exception {
        try (java.net.Socket s = new java.net.Socket(bind, port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("*2\r\n$4\r\nINFO\r\n$7\r\ncluster\r\n".getBytes(StandardCharsets.US_ASCII));
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            StringBuilder header = new StringBuilder();
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    throw new java.io.EOFException("the node closed the connection");
                }
                header.append((char) b);
            }
            byte[] body = new byte[Integer.parseInt(header.substring(1).trim())];
            in.readFully(body);
            java.util.Map<String, String> info = new java.util.HashMap<>();
            for (String line : new String(body, StandardCharsets.UTF_8).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    info.put(line.substring(0, colon), line.substring(colon + 1));
                }
            }
            return info;
        }
    }

    /**
     * Waits until {@code nodes} agree on one topology of all of them, with no change staged, and
     * serve every segment between them: a topology change during a test fails the writes under
     * way with the quorum error, as it must, and is rarely what the test is about.
     */
    public static void awaitSettled(ServerProcess... nodes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        List<java.util.Map<String, String>> last = List.of();
        while (System.nanoTime() < deadline) {
            List<java.util.Map<String, String>> infos = new ArrayList<>();
            for (ServerProcess n : nodes) {
                infos.add(n.clusterInfo());
            }
            last = infos;
            java.util.Set<String> epochs = new java.util.HashSet<>();
            int serving = 0;
            boolean all = true;
            for (java.util.Map<String, String> info : infos) {
                epochs.add(info.get("cluster_epoch"));
                all &= info.getOrDefault("cluster_members", "").split(",").length == nodes.length
                        && info.getOrDefault("cluster_staged_members", "").isEmpty();
                serving += Integer.parseInt(info.getOrDefault("cluster_serving", "0"));
            }
            if (all && epochs.size() == 1 && serving == Integer.parseInt(infos.get(0).getOrDefault("cluster_segments", "-1"))) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the cluster did not settle: " + last);
    }

    /** Waits up to {@code seconds} for the process to end on its own; its exit status, or null while it runs. */
    public Integer awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
    }

    /** SIGKILL: no shutdown hook runs. */
    public void kill9() throws Exception {
        new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start().waitFor();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the process freezes (no heartbeats, no replies) until {@link #resume}. */
    public void pause() throws Exception {
        new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() throws Exception {
        new ProcessBuilder("kill", "-CONT", Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** SIGTERM: the shutdown hook stops the node cleanly. Returns whether the process ended in time. */
    public boolean term() throws Exception {
        new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).inheritIO().start().waitFor();
        return process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            kill9(); // SIGKILL ends a stopped process too
        }
    }
}
