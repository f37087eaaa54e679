package dev.cairn.api;

import static dev.cairn.api.ByteStrings.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link ReplicaStore} contract as executable tests: newer wins, atomically and idempotently;
 * tombstones answer for a deleted key's version during their grace period; records read back with
 * their versions and tombstones. An engine runs it by extending this class.
 */
public abstract class ReplicaStoreContract {
    /** The grace period the store under test is opened with. */
    protected static final Duration GRACE = Duration.ofMinutes(10);

    protected ManualClock clock;
    private Store store;
    private ReplicaStore replica;

    /** Opens a new, empty engine that is both a {@link Store} and a {@link ReplicaStore}, with {@link #GRACE}. */
    protected abstract Store openReplica(ManualClock clock, Duration tombstoneGrace) throws Exception;

    @BeforeEach
    void open() throws Exception {
        clock = new ManualClock();
        store = openReplica(clock, GRACE);
        replica = (ReplicaStore) store;
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static ReplicaRecord value(String key, String value, long epoch, long counter) {
        return ReplicaRecord.value(utf8(key), utf8(value), Version.of(epoch, counter), Entry.NO_EXPIRY);
    }

    @Test
    void aNewerRecordIsStoredAndReadBackWithItsVersion() {
        assertTrue(replica.applyIfNewer(value("k", "a", 3, 7)));
        Entry e = store.get(utf8("k")).orElseThrow();
        assertArrayEquals(utf8("a"), e.value());
        assertEquals(Version.of(3, 7), e.version(), "the version the primary gave, not one of the engine's");
        assertEquals(value("k", "a", 3, 7), replica.readRecord(utf8("k")).orElseThrow());
    }

    @Test
    void olderAndEqualVersionsAreRefusedAndApplyingIsIdempotent() {
        assertTrue(replica.applyIfNewer(value("k", "b", 2, 5)));
        assertFalse(replica.applyIfNewer(value("k", "old", 2, 4)));
        assertFalse(replica.applyIfNewer(value("k", "older-epoch", 1, 900)), "the epoch orders first");
        assertFalse(replica.applyIfNewer(value("k", "b", 2, 5)), "the same record again changes nothing");
        assertTrue(replica.applyIfNewer(value("k", "c", 3, 1)), "a new epoch wins whatever its counter");
        assertArrayEquals(utf8("c"), store.get(utf8("k")).orElseThrow().value());
    }

    @Test
    void aTombstoneAnswersForTheDeletedKeyDuringItsGracePeriod() {
        replica.applyIfNewer(value("k", "v", 1, 1));
        assertTrue(replica.applyIfNewer(ReplicaRecord.tombstone(utf8("k"), Version.of(1, 2), clock.millis())));
        assertTrue(store.get(utf8("k")).isEmpty());
        ReplicaRecord tombstone = replica.readRecord(utf8("k")).orElseThrow();
        assertTrue(tombstone.isTombstone());
        assertEquals(Version.of(1, 2), tombstone.version());
        clock.advance(GRACE.minusSeconds(1));
        assertFalse(replica.applyIfNewer(value("k", "late and older", 1, 1)), "the delete is newer than the late write");
        assertTrue(store.get(utf8("k")).isEmpty());
        assertTrue(replica.applyIfNewer(value("k", "newer", 1, 3)));
        assertArrayEquals(utf8("newer"), store.get(utf8("k")).orElseThrow().value());
    }

    @Test
    void aStoreDeleteLeavesATombstoneWithAVersionAboveTheValues() {
        Entry written = store.put(utf8("k"), utf8("v"));
        assertTrue(store.delete(utf8("k")));
        ReplicaRecord tombstone = replica.readRecord(utf8("k")).orElseThrow();
        assertTrue(tombstone.isTombstone());
        assertTrue(tombstone.version().isNewerThan(written.version()));
        assertEquals(clock.millis(), tombstone.deletedAtMillis());
    }

    @Test
    void expiredValuesAreReadAsRecordsAndReplacedByNewerOnes() {
        replica.applyIfNewer(ReplicaRecord.value(utf8("k"), utf8("v"), Version.of(1, 1), clock.millis() + 1000));
        clock.advance(Duration.ofSeconds(2));
        assertTrue(store.get(utf8("k")).isEmpty());
        ReplicaRecord expired = replica.readRecord(utf8("k")).orElseThrow();
        assertTrue(expired.isDeadAt(clock.millis()) && !expired.isTombstone());
        assertFalse(replica.applyIfNewer(value("k", "same version", 1, 1)));
        assertTrue(replica.applyIfNewer(value("k", "newer", 1, 2)));
        assertArrayEquals(utf8("newer"), store.get(utf8("k")).orElseThrow().value());
    }

    @Test
    void scanRecordsListsValuesAndTombstonesInKeyOrderUpToTheLimit() {
        replica.applyIfNewer(value("a", "1", 1, 1));
        replica.applyIfNewer(value("b", "2", 1, 2));
        replica.applyIfNewer(ReplicaRecord.tombstone(utf8("b"), Version.of(1, 3), clock.millis()));
        replica.applyIfNewer(value("c", "3", 1, 4));
        replica.applyIfNewer(value("d", "4", 1, 5));
        List<ReplicaRecord> page = replica.scanRecords(KeyRange.all(), 3);
        assertEquals(3, page.size());
        assertEquals("a", new String(page.get(0).key(), java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(page.get(1).isTombstone());
        assertEquals(Version.of(1, 3), page.get(1).version());
        assertEquals(value("c", "3", 1, 4), page.get(2));
        List<ReplicaRecord> rest = replica.scanRecords(KeyRange.all().startingAfter(page.get(2).key()), 10);
        assertEquals(List.of(value("d", "4", 1, 5)), rest);
        assertEquals(3, store.scan(KeyRange.all(), 10).size(), "the live view hides the tombstone");
    }

    @Test
    void aBatchAppliesOnlyItsNewerRecordsAndTheNewestOfDuplicates() {
        replica.applyIfNewer(value("x", "stored", 2, 2));
        int applied = replica.applyAllIfNewer(List.of(
                value("x", "older", 2, 1),
                value("y", "first", 1, 1),
                value("y", "second", 1, 2),
                value("y", "stale within the batch", 1, 1)));
        assertEquals(2, applied);
        assertArrayEquals(utf8("stored"), store.get(utf8("x")).orElseThrow().value());
        assertArrayEquals(utf8("second"), store.get(utf8("y")).orElseThrow().value());
    }

    @Test
    void aBadRecordRefusesTheWholeBatch() {
        byte[] huge = new byte[store.limits().maxValueBytes() + 1];
        assertThrows(ValueTooLargeException.class, () -> replica.applyAllIfNewer(List.of(
                value("ok", "v", 1, 1), ReplicaRecord.value(utf8("big"), huge, Version.of(1, 2), 0))));
        assertTrue(replica.readRecord(utf8("ok")).isEmpty());
    }

    /** Replicas applying the same records in different orders, concurrently, end with the newest. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentAppliesInAnyOrderLeaveTheNewest() throws Exception {
        int versions = 300;
        List<ReplicaRecord> records = new ArrayList<>();
        for (int i = 1; i <= versions; i++) {
            records.add(i % 7 == 0
                    ? ReplicaRecord.tombstone(utf8("k"), Version.of(1, i), clock.millis())
                    : value("k", "v" + i, 1, i));
        }
        AtomicInteger stored = new AtomicInteger();
        StoreContract.runConcurrently(4, t -> {
            List<ReplicaRecord> mine = new ArrayList<>(records);
            java.util.Collections.shuffle(mine, new java.util.Random(t));
            for (ReplicaRecord r : mine) {
                if (replica.applyIfNewer(r)) {
                    stored.incrementAndGet();
                }
            }
        });
        assertEquals(value("k", "v" + versions, 1, versions), replica.readRecord(utf8("k")).orElseThrow());
        assertTrue(stored.get() <= versions, "each version is stored at most once: " + stored.get());
    }
}
