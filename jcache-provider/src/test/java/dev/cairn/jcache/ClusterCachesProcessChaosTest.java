package dev.cairn.jcache;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.transport.check.History;
import dev.cairn.transport.check.History.Kind;
import dev.cairn.transport.check.Linearizability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JCache API under process faults: three processes, each a cache manager that is a member of
 * one cluster (N = 3) with two clients of its own running {@code invoke} increments, gets, puts and
 * removes on a few keys ({@link CacheMemberProcess}). One process is paused (SIGSTOP) for longer
 * than failure detection and resumed — it wakes up believing it still owns its segments, with
 * its clients' calls in flight — and, once it is back in the topology, another is SIGKILLed and
 * restarted (on the memory engine, so it comes back empty, as a new incarnation with new clients).
 * The histories the processes wrote are merged on the machine's monotonic clock and checked for
 * linearizability per key; a call a kill interrupted is indeterminate. Prints
 * {@code scenario=jcache-process-pause-kill seed= ops= ok= failed= indeterminate= invoke_ok=
 * acknowledged_lost= linearizable=} (a lost acknowledged call shows as a violation: the checker finds no order
 * without it);
 * {@code -Dcairn.seed=N} replays the clients' choices; {@code -Dcairn.chaos.minutes=M} repeats the
 * scenario for M minutes with new seeds on new processes (the long mode, one line per run appended to
 * {@code target/chaos-results.txt}; run it with {@code -Djunit.jupiter.execution.timeout.mode=disabled}).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterCachesProcessChaosTest {
    private static final Long FIXED_SEED = Long.getLong("cairn.seed");

    /** Long mode: repeat the scenario with new seeds, on new processes, for this many minutes. */
    private static final double MINUTES = Double.parseDouble(System.getProperty("cairn.chaos.minutes", "0"));

    @TempDir
    Path root;

    private Path dir; // this run's directory under root

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        String keep = System.getProperty("cairn.keepDir"); // the processes' logs and histories, to look into a failure
        if (keep != null) {
            new ProcessBuilder("cp", "-r", root.toString(), keep).inheritIO().start().waitFor();
        }
    }

    /** Starts member {@code m} (incarnation {@code n}) in a JVM of its own, its output in {@code out.log} of its work directory. */
    private Process start(int m, int n, long seed) throws Exception {
        Path work = dir.resolve("m" + m + "-" + n);
        Files.createDirectories(work);
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx192m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.dev.cairn.transport=info", "-cp", System.getProperty("java.class.path"),
                CacheMemberProcess.class.getName(), dir.resolve("member" + m + ".properties").toString(), work.toString(),
                Integer.toString(100 * n + 2 * m), "2", Long.toString(seed));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("out.log").toFile()).start();
        processes.add(p);
        return p;
    }

    /** Waits until the members of the given work directories have printed READY. */
    private void awaitReady(String... works) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (String w : works) {
            Path log = dir.resolve(w).resolve("out.log");
            while (!(Files.exists(log) && Files.readString(log).contains("READY"))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(w + " never answered: " + (Files.exists(log) ? Files.readString(log) : "no output"));
                }
                Thread.sleep(100);
            }
        }
    }

    /** Waits until every given work directory's member reports a topology that {@code members} accepts. */
    private void awaitTopology(String what, List<String> works, Predicate<List<String>> members) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            boolean all = true;
            StringBuilder seen = new StringBuilder();
            for (String w : works) {
                Path st = dir.resolve(w).resolve("status.txt");
                List<String> lines = Files.exists(st) ? Files.readAllLines(st) : List.of();
                List<String> ms = lines.size() < 2 || lines.get(1).isEmpty() ? List.of() : List.of(lines.get(1).split(","));
                seen.append(w).append('=').append(lines).append(' ');
                all &= members.test(ms);
            }
            if (all) {
                return;
            }
            if (System.nanoTime() > deadline) {
                for (Process p : processes) {
                    if (p.isAlive()) { // what each member was doing, for the failure's account
                        new ProcessBuilder("jcmd", Long.toString(p.pid()), "Thread.print")
                                .redirectOutput(dir.resolve("threads-" + p.pid() + ".txt").toFile()).start().waitFor();
                    }
                }
                throw new AssertionError("never happened: " + what + "; status " + seen);
            }
            Thread.sleep(100);
        }
    }

    private static void signal(Process p, String sig) throws Exception {
        new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start().waitFor();
    }

    @Test
    void invokeThroughMembersThatArePausedAndKilledStaysLinearizable() throws Exception {
        long until = System.nanoTime() + (long) (MINUTES * 60e9);
        int run = 0;
        do {
            dir = Files.createDirectories(root.resolve("run" + run++));
            long seed = FIXED_SEED != null && run == 1 ? FIXED_SEED : new Random().nextLong();
            String line = runOnce(seed);
            if (MINUTES > 0) {
                Files.writeString(Path.of("target", "chaos-results.txt"), line + "\n", StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
            for (Process p : processes) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            processes.clear();
        } while (System.nanoTime() < until);
    }

    /** One run of the scenario; returns its result line (and fails the test on a violation). */
    private String runOnce(long seed) throws Exception {
        int[] ports = dev.cairn.api.FreePorts.loopback(3);
        String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
        for (int i = 0; i < 3; i++) {
            Files.writeString(dir.resolve("member" + i + ".properties"), String.join("\n", "default.persistence = cluster",
                    "cluster.name = jcache-chaos-" + ports[0], "cluster.member = 127.0.0.1:" + ports[i],
                    "cluster.members = " + members, "cluster.owners = 3"));
        }
        Process[] p = {start(0, 0, seed), start(1, 0, seed), start(2, 0, seed)};
        awaitReady("m0-0", "m1-0", "m2-0");
        List<String> live = new ArrayList<>(List.of("m0-0", "m1-0", "m2-0"));
        awaitTopology("all three in the topology", live, ms -> ms.size() == 3);
        Thread.sleep(3_000);
        signal(p[2], "STOP");
        Thread.sleep(10_000); // longer than failure detection: the other two replace it
        signal(p[2], "CONT");
        awaitTopology("the paused member is back in the topology", live, ms -> ms.size() == 3);
        long resumed = System.nanoTime();
        Thread.sleep(2_000);
        signal(p[1], "KILL");
        p[1].waitFor(30, TimeUnit.SECONDS);
        live.remove("m1-0");
        awaitTopology("the killed member is out of the topology", live, ms -> ms.size() == 2);
        p[1] = start(1, 1, seed);
        live.add("m1-1");
        awaitReady("m1-1");
        awaitTopology("the restarted member is in the topology", live, ms -> ms.size() == 3);
        Thread.sleep(3_000);
        Files.writeString(dir.resolve("stop"), "");
        for (String w : live) {
            Files.writeString(dir.resolve(w).resolve("stop"), "");
        }
        for (Process x : p) {
            assertTrue(x.waitFor(60, TimeUnit.SECONDS), "a member did not stop");
        }

        History history = new History();
        List<Path> files;
        try (var s = Files.walk(dir)) {
            files = s.filter(f -> f.getFileName().toString().startsWith("history-")).toList();
        }
        for (Path f : files) {
            read(f, history);
        }
        assertTrue(history.ops().stream().anyMatch(o -> (o.client() == 2 || o.client() == 3) && o.call() > resumed),
                "the killed member's clients had stopped calling before the kill phase began");
        List<Linearizability.Result> failures = Linearizability.check(history);
        long indeterminate = history.ops().stream().filter(History.Op::indeterminate).count();
        long increments = history.ops().stream().filter(o -> o.kind() == Kind.INCREMENT && !o.indeterminate()).count();
        String line = String.format("scenario=jcache-process-pause-kill seed=%d ops=%d ok=%d failed=0 indeterminate=%d "
                + "invoke_ok=%d acknowledged_lost=%s linearizable=%s", seed, history.size(), history.size() - indeterminate,
                indeterminate, increments, failures.isEmpty() ? "0" : "?", failures.isEmpty() ? "yes" : "no");
        System.out.println(line);
        assertTrue(increments > 50, "too few invoke calls completed to mean anything: " + increments);
        assertTrue(indeterminate > 0, "the pause and the kill failed no call: the faults did not bite");
        assertTrue(failures.isEmpty(), "seed=" + seed + " " + failures);
        return line;
    }

    /** Adds one client's recorded calls to {@code history}; a call with no return line is indeterminate. */
    private static void read(Path file, History history) throws IOException {
        Map<String, String[]> invoked = new HashMap<>();
        List<String> order = new ArrayList<>();
        Map<String, String[]> returned = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split(" ");
            if (f[0].equals("I") && f.length == 7) {
                invoked.put(f[2], f);
                order.add(f[2]);
            } else if (f[0].equals("R") && f.length == 6) {
                returned.put(f[2], f);
            } // a line cut short by a kill: its call stays without a return
        }
        for (String seq : order) {
            String[] i = invoked.get(seq);
            String[] r = returned.get(seq);
            Kind kind = Kind.valueOf(i[4]);
            String value = i[5].equals("-") ? null : i[5];
            long call = Long.parseLong(i[6]);
            boolean indeterminate = r == null || r[4].equals("ind");
            long ret = r == null ? call : Long.parseLong(r[3]);
            String result = r == null || r[5].equals("-") ? null : r[5];
            history.add(new History.Op(Integer.parseInt(i[1]), i[3], kind, value, null, kind == Kind.INCREMENT ? 1 : 0, call, ret,
                    indeterminate, result));
        }
    }
}
