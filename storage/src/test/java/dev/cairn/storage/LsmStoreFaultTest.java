package dev.cairn.storage;

import static dev.cairn.api.ByteStrings.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.fault.Faults;
import dev.cairn.storage.sstable.SsTableWriter;
import dev.cairn.storage.wal.WalWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine attacked at internal points through {@link Faults}: fsyncs that stall or fail, and a
 * reader held between two steps while the tree changes under it. Each test failed before the fix
 * it names.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LsmStoreFaultTest {
    @TempDir
    Path dir;

    private StorageOptions.Builder sync() {
        return StorageOptions.builder(dir).syncMode(SyncMode.SYNC);
    }

    /** SYNC mode: a write is invisible to other readers until its fsync has returned. */
    @Test
    void aSyncWriteIsInvisibleUntilItsFsyncReturns() throws Exception {
        try (LsmStore store = LsmStore.open(sync().build())) {
            CountDownLatch inFsync = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> writer;
            try (Faults.Armed stall = Faults.onEntry(WalWriter.class, "fsync", () -> {
                inFsync.countDown();
                release.await(30, TimeUnit.SECONDS);
            })) {
                writer = CompletableFuture.runAsync(() -> store.put(utf8("k"), utf8("v")));
                assertTrue(inFsync.await(30, TimeUnit.SECONDS));
                assertTrue(store.get(utf8("k")).isEmpty(), "visible before it was durable");
                assertTrue(store.getAll(java.util.List.of(utf8("k"))).get(0).isEmpty());
                assertTrue(store.scan(dev.cairn.api.KeyRange.all(), 10).isEmpty());
                release.countDown();
            }
            writer.get(30, TimeUnit.SECONDS);
            assertArrayEquals(utf8("v"), store.get(utf8("k")).orElseThrow().value(), "visible once acknowledged");
        }
    }

    /**
     * The non-blocking form in SYNC mode: the caller's thread returns at once while the fsync is
     * stalled, the write stays invisible, and the future completes when the fsync does — or fails
     * with it.
     */
    @Test
    void anAsynchronousSyncWriteReturnsAtOnceAndCompletesWithItsFsync() throws Exception {
        try (LsmStore store = LsmStore.open(sync().build())) {
            CountDownLatch inFsync = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<dev.cairn.api.Entry> written;
            try (Faults.Armed stall = Faults.onEntry(WalWriter.class, "fsync", () -> {
                inFsync.countDown();
                release.await(30, TimeUnit.SECONDS);
            })) {
                written = store.async().put(utf8("k"), utf8("v"), dev.cairn.api.WriteOptions.DEFAULT);
                assertTrue(inFsync.await(30, TimeUnit.SECONDS), "the syncer fsyncs");
                assertTrue(!written.isDone(), "the caller did not wait, and the write is not acknowledged");
                assertTrue(store.get(utf8("k")).isEmpty());
                release.countDown();
            }
            assertArrayEquals(utf8("v"), written.get(30, TimeUnit.SECONDS).value());
            assertArrayEquals(utf8("v"), store.get(utf8("k")).orElseThrow().value());

            try (Faults.Armed eio = Faults.onEntry(WalWriter.class, "fsync", () -> {
                throw new IOException("Input/output error (injected)");
            })) {
                CompletableFuture<dev.cairn.api.Entry> failed = store.async().put(utf8("k2"), utf8("v"), dev.cairn.api.WriteOptions.DEFAULT);
                java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> failed.get(30, TimeUnit.SECONDS));
                assertTrue(dev.cairn.api.AsyncStore.cause(e.getCause()) instanceof StorageIOException, e.toString());
            }
            assertTrue(store.get(utf8("k2")).isEmpty());
        }
    }

    /**
     * A failed fsync fails the write, the write never becomes visible, and the store refuses
     * writes until reopened (a retried fsync could succeed over dropped pages). After reopening,
     * the data acknowledged before the failure is intact.
     */
    @Test
    void aFailedFsyncFailsTheWriteHidesItAndStopsWritesUntilReopened() throws Exception {
        try (LsmStore store = LsmStore.open(sync().build())) {
            store.put(utf8("before"), utf8("acknowledged"));
            try (Faults.Armed eio = Faults.onEntry(WalWriter.class, "fsync", () -> {
                throw new IOException("Input/output error (injected)");
            })) {
                assertThrows(StorageIOException.class, () -> store.put(utf8("k"), utf8("v")));
            }
            assertTrue(store.get(utf8("k")).isEmpty(), "a write whose fsync failed is not visible");
            StorageIOException refused = assertThrows(StorageIOException.class, () -> store.put(utf8("other"), utf8("x")));
            assertTrue(refused.getMessage().contains("refuses writes"), refused.getMessage());
            assertArrayEquals(utf8("acknowledged"), store.get(utf8("before")).orElseThrow().value());
        }
        try (LsmStore store = LsmStore.open(sync().build())) {
            assertArrayEquals(utf8("acknowledged"), store.get(utf8("before")).orElseThrow().value());
            store.put(utf8("after"), utf8("reopened"));
            assertArrayEquals(utf8("reopened"), store.get(utf8("after")).orElseThrow().value());
        }
    }

    /**
     * NONE mode: a full segment is not fsynced before its flush, so when the flush fails the
     * segment must stay: it is synced and closed, the store refuses writes, and the next open
     * replays it.
     */
    @Test
    void inNoneModeAFailedFlushKeepsTheFullSegmentForTheNextOpen() throws Exception {
        StorageOptions options = StorageOptions.builder(dir).syncMode(SyncMode.NONE).memtableBytes(64 * 1024).build();
        try (LsmStore store = LsmStore.open(options)) {
            for (int i = 0; i < 50; i++) {
                store.put(utf8("k" + i), new byte[1000]);
            }
            try (Faults.Armed enospc = Faults.onEntry(SsTableWriter.class, "finish", () -> {
                throw new IOException("No space left on device (injected)");
            })) {
                assertThrows(StorageIOException.class, store::flush);
            }
            assertTrue(store.stats().walSyncs() > 0, "the failed flush's segment was synced");
            assertThrows(StorageIOException.class, () -> store.put(utf8("later"), utf8("x")));
        }
        try (LsmStore store = LsmStore.open(options)) {
            for (int i = 0; i < 50; i++) {
                assertEquals(1000, store.get(utf8("k" + i)).orElseThrow().value().length, "k" + i);
            }
        }
    }

    /**
     * INTERVAL mode: a write is visible only once its WAL record has reached the OS, so the death
     * of the process cannot take back what a reader saw. The record goes to the OS outside the
     * write lock: while one writer's system call is stalled, another writer still gets the lock,
     * and its write waits for the stalled one (its bytes come after them in the file).
     */
    @Test
    void anIntervalWriteIsInvisibleUntilItsRecordReachesTheOs() throws Exception {
        try (LsmStore store = LsmStore.open(StorageOptions.builder(dir).syncMode(SyncMode.INTERVAL).build())) {
            CountDownLatch inWrite = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> first;
            CompletableFuture<Void> second;
            try (Faults.Armed stall = Faults.onEntry(WalWriter.class, "writeFile", () -> {
                if (inWrite.getCount() > 0) {
                    inWrite.countDown();
                    release.await(30, TimeUnit.SECONDS);
                }
            })) {
                first = CompletableFuture.runAsync(() -> store.put(utf8("k"), utf8("v")));
                assertTrue(inWrite.await(30, TimeUnit.SECONDS));
                assertTrue(store.get(utf8("k")).isEmpty(), "visible before its record reached the OS");
                assertTrue(store.scan(dev.cairn.api.KeyRange.all(), 10).isEmpty());
                long logged = store.stats().walBytes();
                second = CompletableFuture.runAsync(() -> store.put(utf8("k2"), utf8("v2")));
                // the second writer is not kept from the write lock by the stalled system call: it
                // logs and inserts its write, then waits on the file behind the first
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (store.stats().walBytes() == logged && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertTrue(store.stats().walBytes() > logged, "the second write got the lock while the first one's write stalled");
                assertTrue(store.get(utf8("k2")).isEmpty(), "visible before its record reached the OS");
                assertTrue(!second.isDone());
                release.countDown();
            }
            first.get(30, TimeUnit.SECONDS);
            second.get(30, TimeUnit.SECONDS);
            assertArrayEquals(utf8("v"), store.get(utf8("k")).orElseThrow().value(), "visible once acknowledged");
            assertArrayEquals(utf8("v2"), store.get(utf8("k2")).orElseThrow().value());
        }
    }

    /**
     * The read/flush race: a reader that took its sequence number before the tables it reads
     * could find the key's newer version only (a write, a flush and a compaction that dropped the
     * older version happened in between) and answer "absent" for a key that always existed.
     * The reader is held at the start of its snapshot while that happens.
     */
    @Test
    void aReadHeldWhileTheTreeChangesStillSeesTheKey() throws Exception {
        try (LsmStore store = LsmStore.open(StorageOptions.builder(dir).syncMode(SyncMode.NONE).build())) {
            store.put(utf8("k"), utf8("v1"));
            store.flush();
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread[] reader = new Thread[1];
            CompletableFuture<byte[]> read;
            try (Faults.Armed pause = Faults.onEntry(LsmStore.class, "acquire", () -> {
                if (Thread.currentThread() == reader[0] && held.getCount() > 0) {
                    held.countDown();
                    release.await(30, TimeUnit.SECONDS);
                }
            })) {
                CompletableFuture<Thread> started = new CompletableFuture<>();
                read = CompletableFuture.supplyAsync(() -> {
                    reader[0] = Thread.currentThread();
                    started.complete(reader[0]);
                    return store.get(utf8("k")).map(e -> e.value()).orElse(null);
                });
                started.get(30, TimeUnit.SECONDS);
                assertTrue(held.await(30, TimeUnit.SECONDS), "the reader reached its snapshot");
                store.put(utf8("k"), utf8("v2"));
                store.compact(); // flushes, then merges: only k@v2 is left in the tables
                release.countDown();
            }
            byte[] value = read.get(30, TimeUnit.SECONDS);
            assertTrue(value != null, "the key existed throughout; the read answered absent");
            assertArrayEquals(utf8("v2"), value);
        }
    }
}
