package dev.cairn.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.api.Entry;
import dev.cairn.api.Expected;
import dev.cairn.api.KeyRange;
import dev.cairn.api.KeyValue;
import dev.cairn.api.ManualClock;
import dev.cairn.api.NotANumberException;
import dev.cairn.api.ReferenceStore;
import dev.cairn.api.Store;
import dev.cairn.api.StoreLimits;
import dev.cairn.api.WriteOptions;
import dev.cairn.storage.sstable.Compression;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long random sequences of every operation, applied to an engine and to the reference model side
 * by side; every answer must agree. For the LSM store, flushes, full compactions and close/reopen
 * happen at random points, and the memtable is tiny so background flushes and compactions run all
 * along; the memory store runs the same sequences (its maintenance is a clear of both sides).
 *
 * <p>Prints its seed; {@code -Dcairn.seed=N} replays a run exactly, {@code -Dcairn.ops=N} sets its
 * length (default 4000 per seed, 3 seeds).
 */
class RandomizedModelTest {
    @TempDir
    Path dir;

    /** An engine under test and what "maintenance" means for it (ops 92..99 of the mix). */
    private interface Subject extends AutoCloseable {
        Store store();

        void maintain(int op, Store model) throws Exception;

        @Override
        void close();
    }

    @Test
    void lsmStoreAgreesWithTheReferenceModel() throws Exception {
        runSeeds("lsm", (seed, rnd, clock) -> {
            Path storeDir = dir.resolve("seed-" + seed);
            Function<ManualClock, StorageOptions> options = c -> StorageOptions.builder(storeDir)
                    .clock(c)
                    .syncMode(SyncMode.NONE)
                    .memtableBytes(8 * 1024)
                    .blockSize(512)
                    .compression(rnd.nextBoolean() ? Compression.LZ4 : Compression.NONE)
                    .level0Triggers(2, 6, 12)
                    .levelSizes(32 * 1024, 4)
                    .targetFileBytes(16 * 1024)
                    .build();
            LsmStore[] store = {LsmStore.open(options.apply(clock))};
            return new Subject() {
                @Override
                public Store store() {
                    return store[0];
                }

                @Override
                public void maintain(int op, Store model) throws Exception {
                    if (op < 95) {
                        store[0].flush();
                    } else if (op < 97) {
                        store[0].compact();
                    } else {
                        store[0].close();
                        store[0] = LsmStore.open(options.apply(clock));
                    }
                }

                @Override
                public void close() {
                    store[0].close();
                }
            };
        });
    }

    @Test
    void memoryStoreAgreesWithTheReferenceModel() throws Exception {
        runSeeds("memory", (seed, rnd, clock) -> {
            dev.cairn.storage.memory.MemoryStore store = new dev.cairn.storage.memory.MemoryStore(
                    dev.cairn.storage.memory.MemoryStoreOptions.defaults().withClock(clock));
            return new Subject() {
                @Override
                public Store store() {
                    return store;
                }

                @Override
                public void maintain(int op, Store model) {
                    if (op == 99) {
                        model.clear();
                        store.clear();
                    }
                }

                @Override
                public void close() {
                    store.close();
                }
            };
        });
    }

    private interface SubjectFactory {
        Subject open(long seed, Random rnd, ManualClock clock) throws Exception;
    }

    private void runSeeds(String engine, SubjectFactory factory) throws Exception {
        String fixed = System.getProperty("cairn.seed");
        int ops = Integer.getInteger("cairn.ops", 4000);
        if (fixed != null) {
            run(engine, factory, Long.parseLong(fixed), ops);
            return;
        }
        Random seeds = new Random();
        for (int i = 0; i < 3; i++) {
            run(engine, factory, seeds.nextLong(), ops);
        }
    }

    private void run(String engine, SubjectFactory factory, long seed, int ops) throws Exception {
        System.out.println("RandomizedModelTest " + engine + " seed=" + seed + " ops=" + ops
                + " (replay with -Dcairn.seed=" + seed + ")");
        Random rnd = new Random(seed);
        ManualClock clock = new ManualClock();
        Store model = new ReferenceStore(clock, StoreLimits.DEFAULT);
        Subject subject = factory.open(seed, rnd, clock);
        int step = 0;
        try {
            for (step = 0; step < ops; step++) {
                Store store = subject.store();
                int op = rnd.nextInt(100);
                byte[] key = key(rnd);
                String where = "seed=" + seed + " step=" + step + " op=" + op + " key=" + new String(key, StandardCharsets.UTF_8);
                if (op < 25) {
                    WriteOptions wo = rnd.nextInt(4) == 0 ? WriteOptions.ttl(Duration.ofMillis(1 + rnd.nextInt(2000))) : WriteOptions.DEFAULT;
                    byte[] value = value(rnd);
                    Entry a = model.put(key, value, wo);
                    Entry b = store.put(key, value, wo);
                    assertEquals(a.expiresAtMillis(), b.expiresAtMillis(), where);
                } else if (op < 40) {
                    same(model.get(key), store.get(key), where);
                } else if (op < 45) {
                    assertEquals(model.delete(key), store.delete(key), where);
                } else if (op < 50) {
                    byte[] value = value(rnd);
                    Optional<Entry> ma = model.get(key);
                    Optional<Entry> sa = store.get(key);
                    same(ma, sa, where);
                    int kind = rnd.nextInt(4);
                    Expected em;
                    Expected es;
                    if (kind == 0 || ma.isEmpty()) {
                        em = Expected.absent();
                        es = Expected.absent();
                    } else if (kind == 1) {
                        em = Expected.version(ma.get().version());
                        es = Expected.version(sa.get().version());
                    } else if (kind == 2) {
                        em = Expected.value(ma.get().value());
                        es = em;
                    } else {
                        em = Expected.version(ma.get().version().next());
                        es = Expected.version(sa.get().version().next());
                    }
                    if (rnd.nextBoolean()) {
                        assertEquals(model.compareAndSet(key, em, value).isPresent(), store.compareAndSet(key, es, value).isPresent(), where);
                    } else {
                        assertEquals(model.compareAndDelete(key, em), store.compareAndDelete(key, es), where);
                    }
                } else if (op < 57) {
                    long delta = rnd.nextInt(21) - 10;
                    Object a = incrementOutcome(model, key, delta);
                    Object b = incrementOutcome(store, key, delta);
                    assertEquals(a, b, where);
                } else if (op < 61) {
                    if (rnd.nextBoolean()) {
                        long at = clock.millis() + rnd.nextInt(3000) - 500;
                        at = Math.max(1, at);
                        assertEquals(model.expireAt(key, at, WriteOptions.DEFAULT), store.expireAt(key, at, WriteOptions.DEFAULT), where);
                    } else {
                        assertEquals(model.persist(key), store.persist(key), where);
                    }
                } else if (op < 64) {
                    List<KeyValue> batch = new ArrayList<>();
                    int n = 1 + rnd.nextInt(6);
                    for (int i = 0; i < n; i++) {
                        batch.add(new KeyValue(key(rnd), value(rnd)));
                    }
                    model.putAll(batch);
                    store.putAll(batch);
                } else if (op < 66) {
                    List<byte[]> keys = List.of(key(rnd), key(rnd), key);
                    assertEquals(model.deleteAll(keys), store.deleteAll(keys), where);
                } else if (op < 72) {
                    List<byte[]> keys = List.of(key(rnd), key, key(rnd));
                    List<Optional<Entry>> a = model.getAll(keys);
                    List<Optional<Entry>> b = store.getAll(keys);
                    for (int i = 0; i < keys.size(); i++) {
                        same(a.get(i), b.get(i), where);
                    }
                } else if (op < 82) {
                    KeyRange range = range(rnd);
                    int limit = 1 + rnd.nextInt(40);
                    List<Entry> a = model.scan(range, limit);
                    List<Entry> b = store.scan(range, limit);
                    assertEquals(a.size(), b.size(), where + " scan " + range);
                    for (int i = 0; i < a.size(); i++) {
                        assertArrayEquals(a.get(i).key(), b.get(i).key(), where);
                        assertArrayEquals(a.get(i).value(), b.get(i).value(), where);
                        assertEquals(a.get(i).expiresAtMillis(), b.get(i).expiresAtMillis(), where);
                    }
                } else if (op < 92) {
                    clock.advanceMillis(rnd.nextInt(400));
                } else {
                    subject.maintain(op, model);
                }
            }
            // Final full comparison.
            List<Entry> a = model.scan(KeyRange.all(), 100_000);
            List<Entry> b = subject.store().scan(KeyRange.all(), 100_000);
            assertEquals(a.size(), b.size(), "seed=" + seed + " final scan");
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i).key(), b.get(i).key());
                assertArrayEquals(a.get(i).value(), b.get(i).value());
            }
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("failed at seed=" + seed + " step=" + step + ": " + e.getMessage(), e);
        } finally {
            subject.close();
        }
    }

    private static Object incrementOutcome(Store s, byte[] key, long delta) {
        try {
            return s.increment(key, delta);
        } catch (NotANumberException e) {
            return "NaN";
        }
    }

    private static void same(Optional<Entry> model, Optional<Entry> actual, String where) {
        assertEquals(model.isPresent(), actual.isPresent(), where + " presence");
        if (model.isPresent()) {
            assertArrayEquals(model.get().value(), actual.get().value(), where + " value");
            assertEquals(model.get().expiresAtMillis(), actual.get().expiresAtMillis(), where + " expiry");
        }
    }

    private static byte[] key(Random rnd) {
        int n = rnd.nextInt(60);
        return String.format(n < 10 ? "c%02d" : "k%02d", n).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(Random rnd) {
        int r = rnd.nextInt(20);
        if (r == 0) {
            byte[] big = new byte[4000 + rnd.nextInt(20000)];
            rnd.nextBytes(big);
            return big;
        }
        if (r < 6) {
            return Long.toString(rnd.nextInt(1000) - 500).getBytes(StandardCharsets.US_ASCII);
        }
        byte[] v = new byte[rnd.nextInt(60)];
        rnd.nextBytes(v);
        return v;
    }

    private static KeyRange range(Random rnd) {
        switch (rnd.nextInt(4)) {
            case 0:
                return KeyRange.all();
            case 1:
                return KeyRange.prefix(("k" + rnd.nextInt(6)).getBytes(StandardCharsets.UTF_8));
            case 2:
                return KeyRange.from(key(rnd));
            default:
                return KeyRange.between(key(rnd), key(rnd));
        }
    }
}
