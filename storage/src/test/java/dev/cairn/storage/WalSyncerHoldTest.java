package dev.cairn.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.Version;
import dev.cairn.storage.format.Record;
import dev.cairn.storage.wal.WalWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link WalSyncer#hold}: the writes issued under a hold share one fsync, and a hold never let go strands nothing. */
class WalSyncerHoldTest {
    @TempDir
    Path dir;

    private static List<Record> record(long seq) {
        return List.of(Record.put(("k" + seq).getBytes(StandardCharsets.UTF_8), seq, Version.local(seq), 0, new byte[] {(byte) seq}));
    }

    @Test
    @Timeout(60)
    void writesIssuedUnderAHoldShareOneFsyncWhenItIsLetGo() throws Exception {
        StorageStats stats = new StorageStats();
        WalSyncer syncer = new WalSyncer(TimeUnit.SECONDS.toNanos(30)); // a bound no test run reaches
        try (WalWriter wal = WalWriter.create(dir, 1, stats)) {
            long before = stats.walSyncs.sum();
            Runnable letGo = syncer.hold();
            AtomicInteger done = new AtomicInteger();
            CountDownLatch all = new CountDownLatch(50);
            for (long seq = 1; seq <= 50; seq++) {
                long end = wal.append(record(seq));
                syncer.request(wal, end, () -> {
                    done.incrementAndGet();
                    all.countDown();
                }, e -> { });
            }
            assertEquals(0, done.get(), "nothing is synced while the hold is taken");
            assertEquals(before, stats.walSyncs.sum());
            letGo.run();
            letGo.run(); // a second run of the handle lets nothing else go
            assertTrue(all.await(30, TimeUnit.SECONDS));
            assertEquals(before + 1, stats.walSyncs.sum(), "one fsync for the fifty");
        }
    }

    /**
     * A syncer waiting for a hold to be let go is not woken by each write issued under the hold
     * (an event loop issues dozens per round; each wake-up is a futex call on the loop and a
     * context switch on the syncer), only by the hold being let go.
     */
    @Test
    @Timeout(60)
    void writesIssuedUnderAHoldDoNotWakeTheSyncer() throws Exception {
        StorageStats stats = new StorageStats();
        WalSyncer syncer = new WalSyncer(TimeUnit.SECONDS.toNanos(30)); // a bound no test run reaches
        try (WalWriter wal = WalWriter.create(dir, 1, stats)) {
            Runnable letGo = syncer.hold();
            Set<Thread> before = syncerThreads();
            CountDownLatch all = new CountDownLatch(21);
            syncer.request(wal, wal.append(record(1)), all::countDown, e -> { });
            Thread thread = null;
            for (int i = 0; i < 3000 && thread == null; i++) {
                Set<Thread> now = syncerThreads();
                now.removeAll(before);
                thread = now.stream().filter(t -> t.getState() == Thread.State.TIMED_WAITING).findFirst().orElse(null);
                if (thread == null) {
                    Thread.sleep(1);
                }
            }
            assertTrue(thread != null, "the syncer thread started and waits for the hold");
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long waitsBefore = threads.getThreadInfo(thread.getId()).getWaitedCount();
            for (long seq = 2; seq <= 21; seq++) {
                syncer.request(wal, wal.append(record(seq)), all::countDown, e -> { });
                Thread.sleep(2); // time for a woken syncer to wait again, so every wake-up would count
            }
            long waits = threads.getThreadInfo(thread.getId()).getWaitedCount() - waitsBefore;
            assertTrue(waits <= 1, "twenty writes under the hold woke the syncer " + waits + " times");
            letGo.run();
            assertTrue(all.await(30, TimeUnit.SECONDS));
        }
    }

    private static Set<Thread> syncerThreads() {
        Set<Thread> found = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("cairn-wal-syncer")) {
                found.add(t);
            }
        }
        return found;
    }

    @Test
    @Timeout(60)
    void aHoldNeverLetGoDelaysTheFsyncByTheBoundOnly() throws Exception {
        StorageStats stats = new StorageStats();
        WalSyncer syncer = new WalSyncer(TimeUnit.MILLISECONDS.toNanos(5));
        try (WalWriter wal = WalWriter.create(dir, 1, stats)) {
            syncer.hold(); // and never let go
            CountDownLatch synced = new CountDownLatch(1);
            syncer.request(wal, wal.append(record(1)), synced::countDown, e -> { });
            assertTrue(synced.await(30, TimeUnit.SECONDS), "the syncer went ahead after its bound");
        }
    }
}
