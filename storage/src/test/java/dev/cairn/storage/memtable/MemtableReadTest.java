package dev.cairn.storage.memtable;

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
}
