package dev.cairn.storage;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.api.Entry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing child JVM with SIGKILL at random moments, reopens the store and checks that
 * every acknowledged write is there and that no value appears that was never written. The child
 * writes with SYNC from 4 threads into a small memtable, so kills land during appends, group
 * commits, flushes and compactions. The store directory carries over from cycle to cycle.
 *
 * <p>50 cycles by default; {@code -Dcairn.crash.cycles=N} runs more; prints its seed, and
 * {@code -Dcairn.seed=N} replays the kill timings.
 */
class CrashRecoveryTest {
    static final int KEYS_PER_THREAD = 300;
    private static final int THREADS = 4;

    @TempDir
    Path dir;

    static StorageOptions options(Path dir) {
        return StorageOptions.builder(dir)
                .syncMode(SyncMode.SYNC)
                .memtableBytes(64 * 1024)
                .targetFileBytes(64 * 1024)
                .levelSizes(256 * 1024, 4)
                .level0Triggers(2, 8, 16)
                .build();
    }

    static String key(int thread, long counter) {
        return "t" + thread + "-k" + (counter % KEYS_PER_THREAD);
    }

    /** A value that names its counter and is long enough to fill blocks. */
    static byte[] value(long counter) {
        StringBuilder sb = new StringBuilder().append(counter).append(':');
        while (sb.length() < 100) {
            sb.append(Long.toHexString(counter * 0x9E3779B97F4A7C15L));
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** What the parent knows about one key. */
    private static final class KeyState {
        long durable = -1;          // counter known present (acked, or observed after recovery)
        TreeSet<Long> intents = new TreeSet<>(); // counters written since, acked or not
        long lastAck = -1;
    }

    @Test
    void acknowledgedWritesSurviveSigkill() throws Exception {
        int cycles = Integer.getInteger("cairn.crash.cycles", 50);
        long seed = Long.getLong("cairn.seed", new Random().nextLong());
        System.out.println("CrashRecoveryTest seed=" + seed + " cycles=" + cycles + " (replay with -Dcairn.seed=" + seed + ")");
        Random rnd = new Random(seed);
        Map<String, KeyState> keys = new HashMap<>();
        long counter = 0;
        long totalAcks = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            long first = counter;
            ProcessBuilder pb = new ProcessBuilder(javaBin(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"),
                    CrashWriter.class.getName(), dir.toString(), Long.toString(first), Integer.toString(THREADS));
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            Process child = pb.start();
            List<String> lines = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        synchronized (lines) {
                            lines.add(line);
                            lines.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the pipe closes when the child dies
                }
            });
            reader.start();
            waitForReady(lines, child);
            Thread.sleep(20 + rnd.nextInt(400));
            // SIGKILL through kill(1): Process.destroyForcibly() would also close our end of the
            // child's stdout and lose the last intent lines still in the pipe.
            new ProcessBuilder("kill", "-9", Long.toString(child.pid())).inheritIO().start().waitFor();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
            reader.join(30_000);

            long maxCounter = first;
            for (String line : lines) {
                if (line.startsWith("I ") || line.startsWith("A ")) {
                    String[] parts = line.split(" ");
                    KeyState ks = keys.computeIfAbsent(parts[1], k -> new KeyState());
                    long c = Long.parseLong(parts[2]);
                    maxCounter = Math.max(maxCounter, c);
                    if (line.charAt(0) == 'I') {
                        ks.intents.add(c);
                    } else {
                        ks.lastAck = Math.max(ks.lastAck, c);
                        totalAcks++;
                    }
                }
            }
            counter = maxCounter + THREADS * (long) KEYS_PER_THREAD + 1;
            verify(keys, cycle);
        }
        System.out.println("CrashRecoveryTest: " + cycles + " kills, " + totalAcks + " acknowledged writes verified");
    }

    private void verify(Map<String, KeyState> keys, int cycle) throws IOException {
        try (LsmStore store = LsmStore.open(options(dir))) {
            for (Map.Entry<String, KeyState> e : keys.entrySet()) {
                KeyState ks = e.getValue();
                Optional<Entry> got = store.get(e.getKey().getBytes(StandardCharsets.US_ASCII));
                long mustHaveAtLeast = Math.max(ks.durable, ks.lastAck);
                if (got.isEmpty()) {
                    if (mustHaveAtLeast >= 0) {
                        fail("cycle " + cycle + ": key " + e.getKey() + " lost; acknowledged counter " + mustHaveAtLeast);
                    }
                    ks.intents.clear();
                    continue;
                }
                String v = new String(got.get().value(), StandardCharsets.US_ASCII);
                long c = Long.parseLong(v.substring(0, v.indexOf(':')));
                if (!java.util.Arrays.equals(value(c), got.get().value())) {
                    fail("cycle " + cycle + ": key " + e.getKey() + " holds a value that was never written: " + v);
                }
                if (c != ks.durable && !ks.intents.contains(c)) {
                    fail("cycle " + cycle + ": key " + e.getKey() + " holds counter " + c + " which was never written to it (durable " + ks.durable + ", intents " + ks.intents + ", last ack " + ks.lastAck + ")");
                }
                if (c < mustHaveAtLeast) {
                    fail("cycle " + cycle + ": key " + e.getKey() + " went back to counter " + c
                            + " after counter " + mustHaveAtLeast + " was acknowledged");
                }
                ks.durable = c;
                ks.lastAck = -1;
                ks.intents.clear();
            }
        }
    }

    private static void waitForReady(List<String> lines, Process child) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (lines) {
            while (!lines.contains("READY")) {
                if (!child.isAlive()) {
                    fail("child exited with " + child.exitValue() + " before it was ready");
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    fail("child not ready within 60 s");
                }
                lines.wait(Math.min(left, 100));
            }
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
