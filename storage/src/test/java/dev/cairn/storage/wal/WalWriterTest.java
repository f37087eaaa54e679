package dev.cairn.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.Version;
import dev.cairn.storage.StorageStats;
import dev.cairn.storage.fault.Faults;
import dev.cairn.storage.format.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class WalWriterTest {
    @TempDir
    Path dir;

    private static List<Record> batch(long seq) {
        byte[] key = ("k" + seq).getBytes(StandardCharsets.US_ASCII);
        return List.of(Record.put(key, seq, Version.local(seq), 0, new byte[] {(byte) seq}));
    }

    @Test
    void appendedBatchesReplayInOrderAfterSync() throws Exception {
        StorageStats stats = new StorageStats();
        try (WalWriter w = WalWriter.create(dir, 1, stats)) {
            for (long s = 1; s <= 5; s++) {
                w.syncTo(w.append(batch(s)));
            }
        }
        List<Record> replayed = replayed("000001.log");
        assertEquals(5, replayed.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(i + 1, replayed.get(i).sequence());
            assertEquals(Version.local(i + 1), replayed.get(i).version());
        }
    }

    /** Writers that arrive while a leader fsyncs share the next fsync instead of paying one each. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentWritersShareFsyncs() throws Exception {
        StorageStats stats = new StorageStats();
        int threads = 8;
        int perThread = 50;
        try (WalWriter w = WalWriter.create(dir, 1, stats)) {
            AtomicInteger seq = new AtomicInteger();
            runAll(threads, t -> {
                for (int i = 0; i < perThread; i++) {
                    long end;
                    synchronized (seq) {
                        end = w.append(batch(seq.incrementAndGet()));
                    }
                    w.syncTo(end);
                }
                return null;
            });
        }
        long syncs = stats.walSyncs.sum();
        assertTrue(syncs < threads * perThread, "group commit: " + syncs + " fsyncs for " + threads * perThread + " writes");
    }

    /**
     * One fsync fails while three writers wait on it: all three fail, none retries the fsync and is
     * acknowledged (after a failed fsync the kernel may have dropped the dirty pages, so a later
     * successful fsync proves nothing), and the segment refuses every later append.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFailedFsyncFailsEveryWriterOfTheGroupAndEveryLaterOne() throws Exception {
        StorageStats stats = new StorageStats();
        try (WalWriter w = WalWriter.create(dir, 1, stats)) {
            CountDownLatch allWaiting = new CountDownLatch(3);
            AtomicInteger fsyncs = new AtomicInteger();
            try (Faults.Armed waiting = Faults.onEntry(WalWriter.class, "syncTo", allWaiting::countDown);
                 Faults.Armed eio = Faults.onEntry(WalWriter.class, "fsync", () -> {
                     if (fsyncs.incrementAndGet() == 1) {
                         allWaiting.await(10, TimeUnit.SECONDS);
                         Thread.sleep(50); // the others park on the leader
                         throw new IOException("Input/output error (injected)");
                     }
                 })) {
                AtomicInteger seq = new AtomicInteger();
                List<Throwable> outcomes = runAll(3, t -> {
                    long end;
                    synchronized (seq) {
                        end = w.append(batch(seq.incrementAndGet()));
                    }
                    w.syncTo(end);
                    return null;
                });
                for (Throwable outcome : outcomes) {
                    assertTrue(outcome instanceof UncheckedIOException, "every writer of the group fails: " + outcomes);
                }
                assertEquals(1, fsyncs.get(), "nobody retried the fsync");
            }
            assertThrows(UncheckedIOException.class, () -> w.append(batch(99)));
            assertThrows(UncheckedIOException.class, w::sync);
        } catch (UncheckedIOException expectedOnClose) {
            // close syncs, and the segment has failed
        }
    }

    /**
     * Writers that arrive while the leader's fsync runs are not covered by it: when it returns,
     * the lead passes to one of them, whose single fsync covers them all. Three writers behind a
     * stalled fsync cost exactly one more, and every one returns (a lost hand-off would leave
     * them parked until the timeout); one of them is interrupted while it waits, and it still
     * waits for its bytes and keeps its interrupt.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void writersBehindARunningFsyncShareTheNextOneAndAreAllReleased() throws Exception {
        StorageStats stats = new StorageStats();
        try (WalWriter w = WalWriter.create(dir, 1, stats)) {
            CountDownLatch inFirstFsync = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger fsyncs = new AtomicInteger();
            AtomicInteger seq = new AtomicInteger();
            List<Thread> behind = new ArrayList<>();
            List<Boolean> interruptKept = java.util.Collections.synchronizedList(new ArrayList<>());
            try (Faults.Armed stall = Faults.onEntry(WalWriter.class, "fsync", () -> {
                if (fsyncs.incrementAndGet() == 1) {
                    inFirstFsync.countDown();
                    release.await(30, TimeUnit.SECONDS);
                }
            })) {
                long first = w.append(batch(seq.incrementAndGet()));
                Thread leader = new Thread(() -> w.syncTo(first));
                leader.start();
                assertTrue(inFirstFsync.await(30, TimeUnit.SECONDS));
                for (int i = 0; i < 3; i++) {
                    long end = w.append(batch(seq.incrementAndGet()));
                    Thread t = new Thread(() -> {
                        w.syncTo(end);
                        if (end == w.size()) {
                            interruptKept.add(Thread.currentThread().isInterrupted());
                        }
                    });
                    behind.add(t);
                    t.start();
                }
                waitUntilParked(behind);
                behind.get(2).interrupt();
                release.countDown();
                leader.join();
                for (Thread t : behind) {
                    t.join();
                }
            }
            assertEquals(2, fsyncs.get(), "one fsync for the leader, one shared by the three behind it");
            assertEquals(List.of(true), interruptKept, "the interrupted waiter kept its interrupt");
        }
    }

    private static void waitUntilParked(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            while (t.getState() != Thread.State.WAITING) {
                Thread.sleep(1);
            }
        }
    }

    /**
     * Without fsync: each writer returns from {@code writeTo} once its bytes are in the file (the
     * OS has them), whichever thread wrote them, and the records land in the order they were
     * appended, with never more system calls than records (fewer when writers overlap).
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void writersReturnOnceTheirBytesAreInTheFileInAppendOrder() throws Exception {
        StorageStats stats = new StorageStats();
        Path file = dir.resolve("000001.log");
        int threads = 4;
        int perThread = 300;
        AtomicInteger writes = new AtomicInteger();
        try (WalWriter w = WalWriter.create(dir, 1, stats);
             Faults.Armed count = Faults.onEntry(WalWriter.class, "writeFile", writes::incrementAndGet)) {
            AtomicInteger seq = new AtomicInteger();
            List<Throwable> outcomes = runAll(threads, t -> {
                for (int i = 0; i < perThread; i++) {
                    long end;
                    synchronized (seq) {
                        end = w.append(batch(seq.incrementAndGet()));
                    }
                    w.writeTo(end);
                    long inFile = java.nio.file.Files.size(file);
                    if (inFile < end) {
                        throw new AssertionError("writeTo(" + end + ") returned with " + inFile + " bytes in the file");
                    }
                }
                return null;
            });
            assertEquals(java.util.Collections.nCopies(threads, null), outcomes);
            assertEquals(0, stats.walSyncs.sum(), "no fsync was asked for");
            assertTrue(writes.get() <= threads * perThread, writes.get() + " writes for " + threads * perThread + " records");
        }
        List<Record> replayed = replayed(file.getFileName().toString());
        assertEquals(threads * perThread, replayed.size());
        for (int i = 0; i < replayed.size(); i++) {
            assertEquals(i + 1, replayed.get(i).sequence(), "record " + i);
        }
    }

    /**
     * Appends go on while a system call is stalled (they fill the other buffer), and a failed
     * write fails every writer whose bytes it held and every later one, and the segment refuses
     * appends from then on.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void appendsGoOnWhileAWriteIsStalledAndAFailedWriteFailsItsWriters() throws Exception {
        StorageStats stats = new StorageStats();
        try (WalWriter w = WalWriter.create(dir, 1, stats)) {
            CountDownLatch inWrite = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            long first = w.append(batch(1));
            Future<?> stalled;
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try (Faults.Armed eio = Faults.onEntry(WalWriter.class, "writeFile", () -> {
                inWrite.countDown();
                release.await(30, TimeUnit.SECONDS);
                throw new IOException("No space left on device (injected)");
            })) {
                stalled = pool.submit(() -> w.writeTo(first));
                assertTrue(inWrite.await(30, TimeUnit.SECONDS));
                // on a thread of its own, bounded well inside the stall: an append that waited for the
                // stalled write (as when both took one lock) times out here instead of passing late
                long second = java.util.concurrent.CompletableFuture.supplyAsync(() -> w.append(batch(2)))
                        .get(10, TimeUnit.SECONDS);
                assertTrue(second > first);
                release.countDown();
                java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> stalled.get(30, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof UncheckedIOException, String.valueOf(e.getCause()));
                assertThrows(UncheckedIOException.class, () -> w.writeTo(second), "bytes after a failed write fail too");
            } finally {
                pool.shutdownNow();
            }
            assertThrows(UncheckedIOException.class, () -> w.append(batch(3)));
        } catch (UncheckedIOException expectedOnClose) {
            // close syncs, and the segment has failed
        }
    }

    /**
     * A writer whose bytes another thread's write has taken waits for that write instead of
     * writing them again, and shares its outcome: it returns once the bytes are in the file, or
     * fails if that write fails (while it waits, whether spinning or queued on the file).
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWriterWhoseBytesAWriteUnderWayTookSharesItsOutcome() throws Exception {
        for (boolean fails : new boolean[] {false, true}) {
            Path segmentDir = java.nio.file.Files.createDirectories(dir.resolve(fails ? "fails" : "succeeds"));
            AtomicInteger writes = new AtomicInteger();
            CountDownLatch inWrite = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try (WalWriter w = WalWriter.create(segmentDir, 1, new StorageStats());
                 Faults.Armed stall = Faults.onEntry(WalWriter.class, "writeFile", () -> {
                     writes.incrementAndGet();
                     inWrite.countDown();
                     release.await(30, TimeUnit.SECONDS);
                     if (fails) {
                         throw new IOException("Input/output error (injected)");
                     }
                 })) {
                long first = w.append(batch(1));
                long second = w.append(batch(2));
                Future<?> taker = pool.submit(() -> w.writeTo(second)); // takes both records
                assertTrue(inWrite.await(30, TimeUnit.SECONDS));
                Future<?> waiter = pool.submit(() -> {
                    w.writeTo(first);
                    long inFile = java.nio.file.Files.size(segmentDir.resolve("000001.log"));
                    if (inFile < first) {
                        throw new AssertionError("writeTo(" + first + ") returned with " + inFile + " bytes in the file");
                    }
                    return null;
                });
                Thread.sleep(50); // time for the waiter to spin and queue on the file (a late one finds the outcome)
                release.countDown();
                if (fails) {
                    assertThrows(java.util.concurrent.ExecutionException.class, () -> taker.get(30, TimeUnit.SECONDS));
                    java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                            () -> waiter.get(30, TimeUnit.SECONDS));
                    assertTrue(e.getCause() instanceof UncheckedIOException, String.valueOf(e.getCause()));
                } else {
                    taker.get(30, TimeUnit.SECONDS);
                    waiter.get(30, TimeUnit.SECONDS);
                }
                assertEquals(1, writes.get(), "one write handed both records to the OS");
            } catch (UncheckedIOException expectedOnClose) {
                assertTrue(fails, "only the failed segment fails to close: " + expectedOnClose);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** A sync of the next segment first syncs the one before it, and fails if that one failed. */
    @Test
    void theNextSegmentsSyncCoversAndInheritsTheFailureOfThePreviousOne() throws Exception {
        StorageStats stats = new StorageStats();
        WalWriter first = WalWriter.create(dir, 1, stats);
        first.append(batch(1));
        WalWriter second = WalWriter.next(first, dir, 2, stats, 0);
        long end = second.append(batch(2));
        try (Faults.Armed eio = Faults.onEntry(WalWriter.class, "fsync", () -> {
            throw new IOException("Input/output error (injected)");
        })) {
            assertThrows(UncheckedIOException.class, () -> second.syncTo(end));
        }
        assertThrows(UncheckedIOException.class, () -> second.syncTo(end), "the failure stays");
        assertThrows(UncheckedIOException.class, first::close);
        assertThrows(UncheckedIOException.class, second::close);
    }

    /**
     * A segment whose records are all in a durable table is closed without an fsync: its buffered
     * bytes still reach the file, and the next segment's first fsync no longer syncs it.
     */
    @Test
    void aRetiredSegmentIsClosedWithoutAnFsyncAndTheNextSegmentsSyncSkipsIt() throws Exception {
        StorageStats stats = new StorageStats();
        WalWriter first = WalWriter.create(dir, 1, stats);
        long firstEnd = first.append(batch(1));
        WalWriter second = WalWriter.next(first, dir, 2, stats, 0);
        first.retire();
        first.writeTo(firstEnd); // a writer that appended before the freeze finds its bytes written
        assertEquals(0, stats.walSyncs.sum(), "retiring does not fsync");
        assertEquals(1, replayed("000001.log").size(), "the buffered record reached the file");

        second.syncTo(second.append(batch(2)));
        assertEquals(1, stats.walSyncs.sum(), "one fsync, of the second segment only");
        first.close();
        first.retire();
        second.close();
    }

    /** The records of segment {@code name}, read as the newest segment, refusing any damage. */
    private List<Record> replayed(String name) throws IOException {
        List<Record> records = new ArrayList<>();
        WalReader.replay(dir.resolve(name), true, dev.cairn.storage.WalRecovery.ABSOLUTE_CONSISTENCY, records::addAll,
                line -> { });
        return records;
    }

    private interface Body {
        Void run(int thread) throws Exception;
    }

    /** Runs body on threads; returns what each threw (null when it returned). */
    private static List<Throwable> runAll(int threads, Body body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> body.run(id)));
            }
            List<Throwable> outcomes = new ArrayList<>();
            for (Future<Void> f : futures) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                    outcomes.add(null);
                } catch (java.util.concurrent.ExecutionException e) {
                    outcomes.add(e.getCause());
                }
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }
}
