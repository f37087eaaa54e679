package dev.cairn.storage.memtable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.Entry;
import dev.cairn.api.Version;
import dev.cairn.storage.format.Record;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Point reads of the memtable: the newest version in the reader's snapshot, whether the hash
 * index answers (the newest record is in the snapshot, or the key is absent) or the skip list
 * does (the reader is older than the key's newest write).
 */
class MemtableReadTest {
    private static byte[] k(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Record put(String key, long seq) {
        return Record.put(k(key), seq, Version.local(seq), Entry.NO_EXPIRY, k(key + "@" + seq));
    }

    @Test
    void eachSnapshotSeesTheNewestVersionNotAfterIt() {
        Memtable m = new Memtable(1);
        m.add(put("b", 1));
        m.add(put("a", 2));
        m.add(put("b", 3));
        m.add(Record.delete(k("b"), 4, Version.local(4), 0));
        m.add(put("b", 5));
        assertNull(m.get(k("c"), 10), "a key the table does not hold");
        assertNull(m.get(k("a"), 1), "a's only version is newer than the snapshot");
        assertNull(m.get(k("b"), 0));
        assertEquals(1, m.get(k("b"), 1).sequence());
        assertEquals(1, m.get(k("b"), 2).sequence());
        assertEquals(3, m.get(k("b"), 3).sequence());
        assertTrue(m.get(k("b"), 4).isDelete());
        assertEquals(5, m.get(k("b"), 5).sequence());
        assertEquals(5, m.get(k("b"), Long.MAX_VALUE).sequence());
        assertEquals(2, m.get(k("a"), 2).sequence());
    }

    @Test
    void randomVersionsReadAsAnOrderedModelReadsThem() {
        Random rnd = new Random(20261122);
        Memtable m = new Memtable(1);
        TreeMap<Long, String>[] model = new TreeMap[20];
        for (int i = 0; i < model.length; i++) {
            model[i] = new TreeMap<>();
        }
        for (long seq = 1; seq <= 2_000; seq++) {
            int key = rnd.nextInt(model.length);
            m.add(put("key" + key, seq));
            model[key].put(seq, "key" + key + "@" + seq);
        }
        for (int probe = 0; probe < 5_000; probe++) {
            int key = rnd.nextInt(model.length + 5);
            long snapshot = rnd.nextInt(2_100);
            Record r = m.get(k("key" + key), snapshot);
            java.util.Map.Entry<Long, String> expected = key < model.length ? model[key].floorEntry(snapshot) : null;
            if (expected == null) {
                assertNull(r, "key" + key + " at " + snapshot);
            } else {
                assertEquals(expected.getKey(), r.sequence(), "key" + key + " at " + snapshot);
                assertEquals(expected.getValue(), new String(r.value(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void iterationIsRecordOrderWithEveryFieldIntact() {
        Random rnd = new Random(7);
        Memtable m = new Memtable(1);
        java.util.TreeMap<Record, Record> model = new java.util.TreeMap<>(Record.ORDER);
        for (long seq = 1; seq <= 20_000; seq++) {
            byte[] key = new byte[1 + rnd.nextInt(40)];
            rnd.nextBytes(key);
            key[0] = (byte) rnd.nextInt(8); // shared first bytes: comparisons go past them
            Record r = switch (rnd.nextInt(10)) {
                case 0 -> Record.delete(key, seq, Version.of(3, seq * 2), 1_000 + seq);
                // one value in a few hundred is larger than the arena's chunk share: a chunk of its own
                // and one in a few dozen larger than the first chunks
                case 1 -> Record.put(key, seq, Version.of(2, seq), 5_000 + seq,
                        new byte[rnd.nextInt(300) == 0 ? 700_000 : rnd.nextInt(30) == 0 ? 20_000 + rnd.nextInt(100_000) : 0]);
                // each mix of what a version node stores beside its header: an expiry only, a
                // version only (epoch 0 with a counter of its own too), a local tombstone's instant
                case 2 -> Record.put(key, seq, Version.local(seq), 9_000 + seq, randomBytes(rnd, 150));
                case 3 -> Record.put(key, seq, Version.of(rnd.nextBoolean() ? 0 : 4, seq + 7), Entry.NO_EXPIRY,
                        randomBytes(rnd, 150));
                case 4 -> Record.delete(key, seq, Version.local(seq), 2_000 + seq);
                default -> Record.put(key, seq, Version.local(seq), Entry.NO_EXPIRY, randomBytes(rnd, 200));
            };
            m.add(r);
            model.put(r, r);
        }
        assertEquals(model.size(), m.size());
        try (dev.cairn.storage.format.RecordIterator it = m.iterator()) {
            it.seekToFirst();
            for (Record expected : model.keySet()) {
                assertTrue(it.valid());
                assertEquals(expected.toString(), it.current().toString());
                assertEquals(expected.version(), it.current().version());
                assertEquals(expected.millis(), it.current().millis());
                assertEquals(expected.kind(), it.current().kind());
                if (!expected.isDelete()) {
                    assertArrayEquals(expected.value(), it.current().value());
                }
                assertEquals(expected.toString(), m.get(expected.key(), expected.sequence()).toString(), "point read");
                it.next();
            }
            assertTrue(!it.valid(), "nothing after the last");
            Record middle = model.keySet().stream().skip(model.size() / 2).findFirst().orElseThrow();
            it.seek(middle.key(), middle.sequence());
            assertEquals(middle.toString(), it.current().toString());
        }
    }

    /**
     * Many versions per key, added in no particular sequence order (the store adds them in order;
     * replay and tests need not): iteration, seeks to any (key, sequence) and point reads at any
     * snapshot agree with an ordered model.
     */
    @Test
    void versionsAddedOutOfOrderIterateSeekAndReadAsTheModel() {
        Random rnd = new Random(11);
        Memtable m = new Memtable(1);
        java.util.TreeMap<Record, Record> model = new java.util.TreeMap<>(Record.ORDER);
        java.util.List<Long> sequences = new java.util.ArrayList<>();
        for (long seq = 1; seq <= 3_000; seq++) {
            sequences.add(seq);
        }
        java.util.Collections.shuffle(sequences, rnd);
        for (long seq : sequences) {
            Record r = rnd.nextInt(5) == 0
                    ? Record.delete(k("key" + rnd.nextInt(30)), seq, Version.local(seq), seq)
                    : put("key" + rnd.nextInt(30), seq);
            m.add(r);
            model.put(r, r);
        }
        try (dev.cairn.storage.format.RecordIterator it = m.iterator()) {
            it.seekToFirst();
            for (Record expected : model.keySet()) {
                assertTrue(it.valid());
                assertEquals(expected.toString(), it.current().toString());
                it.next();
            }
            assertTrue(!it.valid(), "nothing after the last");
            for (int probe = 0; probe < 2_000; probe++) {
                byte[] key = k("key" + rnd.nextInt(35));
                long seq = rnd.nextInt(3_100);
                Record target = Record.delete(key, seq, Version.local(1), 0);
                Record expected = model.ceilingKey(target);
                it.seek(key, seq);
                if (expected == null) {
                    assertTrue(!it.valid(), "nothing at or after " + target);
                } else {
                    assertEquals(expected.toString(), it.current().toString(), "seek to " + target);
                }
                // the newest version of key in the snapshot is where the seek lands, if it is key's
                Record read = m.get(key, seq);
                if (expected == null || !java.util.Arrays.equals(expected.key(), key)) {
                    assertNull(read, "no version of " + new String(key, StandardCharsets.UTF_8) + " at " + seq);
                } else {
                    assertEquals(expected.toString(), read.toString());
                }
            }
        }
    }

    /** Readers run beside the writer without locks: every read sees whole records, in order, and each key's versions as written. */
    @Test
    void readersBesideTheWriterSeeWholeRecordsInOrder() throws Exception {
        Memtable m = new Memtable(1);
        int keys = 500;
        long writes = 60_000;
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = new Thread(() -> {
            Random rnd = new Random(3);
            try {
                while (written.get() < writes && failure.get() == null) {
                    long visible = written.get(); // every sequence up to here has been added
                    int key = rnd.nextInt(keys);
                    Record r = m.get(k("key" + key), visible);
                    if (r != null) {
                        if (r.sequence() > visible || !new String(r.value(), StandardCharsets.UTF_8).equals("key" + key + "@" + r.sequence())) {
                            throw new AssertionError("read " + r + " at " + visible);
                        }
                    }
                    try (dev.cairn.storage.format.RecordIterator it = m.iterator()) {
                        it.seek(k("key" + key), Record.MAX_SEQUENCE);
                        Record before = null;
                        for (int i = 0; i < 50 && it.valid(); i++, it.next()) {
                            Record c = it.current();
                            if (before != null && Record.ORDER.compare(before, c) >= 0) {
                                throw new AssertionError(before + " then " + c);
                            }
                            before = c;
                        }
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        Random rnd = new Random(4);
        for (long seq = 1; seq <= writes; seq++) {
            m.add(put("key" + rnd.nextInt(keys), seq));
            written.set(seq);
        }
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(writes, m.size());
    }

    private static byte[] randomBytes(Random rnd, int maxLength) {
        byte[] b = new byte[rnd.nextInt(maxLength)];
        rnd.nextBytes(b);
        return b;
    }
}
