package dev.cairn.storage.memory;

import static dev.cairn.api.ByteStrings.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.Expected;
import dev.cairn.api.KeyRange;
import dev.cairn.api.KeyedMutation;
import dev.cairn.api.ManualClock;
import dev.cairn.api.Mutation;
import dev.cairn.api.MutationOutcome;
import dev.cairn.api.ReplicaRecord;
import dev.cairn.api.StoreFullException;
import dev.cairn.api.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The memory store's own {@code mutateAll}: decided under the batch's stripes, one node per key
 * written, one commit; and the two cases that run the writes one call at a time.
 */
class MemoryStoreBatchTest {
    private final ManualClock clock = new ManualClock();

    private MemoryStore store(MemoryStoreOptions options) {
        return new MemoryStore(options.withClock(clock));
    }

    private static KeyedMutation put(String key, String value) {
        return new KeyedMutation(utf8(key), new Mutation.Put(utf8(value), WriteOptions.DEFAULT));
    }

    private static KeyedMutation incr(String key) {
        return new KeyedMutation(utf8(key), new Mutation.Increment(1, WriteOptions.DEFAULT));
    }

    @Test
    void aKeyWrittenManyTimesEndsInItsLastStateAndIsCountedOnce() {
        MemoryStore s = store(MemoryStoreOptions.defaults());
        s.put(utf8("n"), utf8("10"));
        List<KeyedMutation> writes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            writes.add(incr("n"));
            writes.add(put("a", "v" + i));
        }
        List<MutationOutcome> o = s.mutateAll(writes);
        assertEquals(200, o.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(11 + i, o.get(2 * i).decision().number(), "each increment sees the one before it");
        }
        assertArrayEquals(utf8("110"), s.get(utf8("n")).orElseThrow().value());
        assertArrayEquals(utf8("v99"), s.get(utf8("a")).orElseThrow().value());
        assertEquals(2, s.entryCount());
        assertEquals(2, s.scan(KeyRange.all(), 10).size());
        long expectedBytes = ("n".length() + "110".length()) + ("a".length() + "v99".length());
        assertTrue(s.byteCount() >= expectedBytes && s.byteCount() < expectedBytes + 1024,
                "the byte counter holds the last states only: " + s.byteCount());
    }

    @Test
    void aVersionWrittenEarlierInTheBatchCanBeComparedAgainst() {
        MemoryStore s = store(MemoryStoreOptions.defaults());
        s.mutateAll(List.of(put("k", "1")));
        var v1 = s.get(utf8("k")).orElseThrow().version();
        List<MutationOutcome> o = s.mutateAll(List.of(
                put("k", "2"),
                new KeyedMutation(utf8("k"), new Mutation.CompareAndSet(Expected.version(v1), utf8("stale"), WriteOptions.DEFAULT)),
                new KeyedMutation(utf8("k"), new Mutation.CompareAndSet(Expected.value(utf8("2")), utf8("3"), WriteOptions.DEFAULT))));
        assertFalse(o.get(1).decision().applied(), "k's version changed earlier in the batch");
        assertTrue(o.get(2).decision().applied());
        assertArrayEquals(utf8("3"), s.get(utf8("k")).orElseThrow().value());
        assertTrue(s.get(utf8("k")).orElseThrow().version().isNewerThan(v1));
    }

    @Test
    void underNoneABatchThatWouldPassTheBoundRefusesOnlyTheWritesThatDoNotFit() {
        MemoryStore s = store(MemoryStoreOptions.defaults().withMaxEntries(3).withEviction(EvictionPolicy.NONE));
        s.put(utf8("x1"), utf8("a"));
        s.put(utf8("x2"), utf8("a"));
        List<MutationOutcome> o = s.mutateAll(List.of(put("a", "1"), put("b", "1"), put("x1", "b"), incr("c"),
                new KeyedMutation(utf8("x2"), new Mutation.Delete()), put("d", "1")));
        assertFalse(o.get(0).failed(), "the third entry fits");
        assertTrue(o.get(1).failure() instanceof StoreFullException, String.valueOf(o.get(1)));
        assertFalse(o.get(2).failed(), "an overwrite adds no entry");
        assertTrue(o.get(3).failure() instanceof StoreFullException, String.valueOf(o.get(3)));
        assertTrue(o.get(4).decision().applied());
        assertFalse(o.get(5).failed(), "the delete before it made room");
        assertEquals(3, s.entryCount());
        assertEquals(List.of("a", "d", "x1"), s.scan(KeyRange.all(), 10).stream()
                .map(e -> new String(e.key(), StandardCharsets.UTF_8)).toList());
        assertArrayEquals(utf8("b"), s.get(utf8("x1")).orElseThrow().value());
    }

    @Test
    void deletesLeaveTombstonesOnlyWithAGracePeriod() {
        MemoryStore plain = store(MemoryStoreOptions.defaults());
        MemoryStore replica = store(MemoryStoreOptions.defaults().withTombstoneGrace(Duration.ofMinutes(1)));
        for (MemoryStore s : List.of(plain, replica)) {
            s.put(utf8("gone"), utf8("1"));
            List<MutationOutcome> o = s.mutateAll(List.of(put("gone", "2"), new KeyedMutation(utf8("gone"), new Mutation.Delete()),
                    put("new", "x"), new KeyedMutation(utf8("new"), new Mutation.Delete()), put("kept", "y")));
            assertTrue(o.get(1).decision().applied());
            assertTrue(o.get(3).decision().applied());
            assertTrue(s.get(utf8("gone")).isEmpty());
            assertTrue(s.get(utf8("new")).isEmpty());
            assertEquals(1, s.entryCount());
        }
        assertTrue(plain.readRecord(utf8("gone")).isEmpty(), "no grace: the key is forgotten");
        ReplicaRecord r = replica.readRecord(utf8("gone")).orElseThrow();
        assertTrue(r.isTombstone(), "with a grace period the delete is remembered");
        assertTrue(replica.readRecord(utf8("new")).isEmpty(), "a key the batch made and deleted was never stored");
    }

    @Test
    void listenersHearEveryWriteOfTheBatch() {
        MemoryStore s = store(MemoryStoreOptions.defaults());
        List<String> heard = new ArrayList<>();
        s.listen((key, before, after) -> heard.add((before == null ? "-" : new String(before.value(), StandardCharsets.UTF_8))
                + ">" + (after == null ? "-" : new String(after.value(), StandardCharsets.UTF_8))));
        s.mutateAll(List.of(incr("n"), incr("n"), new KeyedMutation(utf8("n"), new Mutation.Delete())));
        assertEquals(List.of("->1", "1>2", "2>-"), heard);
    }
}
