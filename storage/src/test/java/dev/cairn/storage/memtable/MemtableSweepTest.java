package dev.cairn.storage.memtable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.Entry;
import dev.cairn.api.Version;
import dev.cairn.storage.format.Record;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The expiry sweep replaces exactly the puts dead at the given instant, however the earliest expiry moves. */
class MemtableSweepTest {
    private static byte[] k(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Record put(String key, long seq, long expiresAt) {
        return Record.put(k(key), seq, Version.local(seq), expiresAt, k("value-" + key));
    }

    @Test
    void sweepsWhatIsDeadAndOnlyThat() {
        Memtable m = new Memtable(1);
        m.add(put("forever", 1, Entry.NO_EXPIRY));
        assertEquals(0, m.sweepExpired(Long.MAX_VALUE - 1), "nothing with an expiry");
        m.add(put("a", 2, 1_000));
        m.add(put("b", 3, 2_000));
        m.add(put("c", 4, 3_000));
        assertEquals(0, m.sweepExpired(999));
        assertEquals(1, m.sweepExpired(1_000), "a expires at 1000");
        assertTrue(m.get(k("a"), 10).isDelete());
        assertEquals(0, m.sweepExpired(1_999), "b not yet");
        // an earlier expiry added after a sweep is still found
        m.add(put("d", 5, 1_500));
        assertEquals(1, m.sweepExpired(1_600));
        assertTrue(m.get(k("d"), 10).isDelete());
        assertEquals(2, m.sweepExpired(5_000), "b and c");
        assertFalse(m.get(k("forever"), 10).isDelete());
        assertEquals(0, m.sweepExpired(Long.MAX_VALUE - 1));
    }
}
