package dev.cairn.api;

import static dev.cairn.api.ByteStrings.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Store} contract as executable tests. Every implementation runs it by extending this
 * class and saying how to open a store; nothing here knows which implementation it is testing.
 *
 * <p>Time is a {@link ManualClock} the test moves, so expiry is tested exactly, without sleeping.
 * Concurrency tests use a few threads and bounded loops, sized for a 2-core machine.
 */
public abstract class StoreContract {
    /** The clock every store opened by this test reads. */
    protected ManualClock clock;
    /** The store under test, opened with {@link StoreLimits#DEFAULT}. */
    protected Store store;
    private final List<Store> opened = new ArrayList<>();

    /**
     * Opens a new, empty store reading time from {@code clock} and enforcing {@code limits}. The
     * suite closes every store it opened after each test.
     */
    protected abstract Store openStore(ManualClock clock, StoreLimits limits) throws Exception;

    /**
     * Whether reads see whole batches and scans are snapshots, as on one node. A replicated store
     * whose keys live on different members answers false, and the suite checks the weaker promise
     * instead: each key, read again and again, never goes back in time.
     */
    protected boolean readsAreSnapshots() {
        return true;
    }

    /** Whether {@link Store#listen} reports changes; when not, it must say so with UnsupportedOperationException. */
    protected boolean reportsChanges() {
        return true;
    }

    /** How many replicas hold each key; 1 for a single-node store. */
    protected int replicationFactor() {
        return 1;
    }

    @BeforeEach
    void openDefaultStore() throws Exception {
        clock = new ManualClock();
        store = open(StoreLimits.DEFAULT);
    }

    @AfterEach
    void closeStores() {
        opened.forEach(Store::close);
    }

    protected final Store open(StoreLimits limits) throws Exception {
        Store s = openStore(clock, limits);
        opened.add(s);
        return s;
    }

    // ---- get / put / delete / exists

    @Test
    void getOfAbsentKeyIsEmpty() {
        assertTrue(store.get(utf8("nothing")).isEmpty());
        assertFalse(store.exists(utf8("nothing")));
    }

    @Test
    void putReturnsTheEntryAndGetReadsItBack() {
        Entry written = store.put(utf8("k"), utf8("v"));
        assertArrayEquals(utf8("k"), written.key());
        assertArrayEquals(utf8("v"), written.value());
        assertNotNull(written.version());
        assertEquals(Entry.NO_EXPIRY, written.expiresAtMillis());
        assertEquals(written, store.get(utf8("k")).orElseThrow());
        assertTrue(store.exists(utf8("k")));
    }

    @Test
    void overwriteReplacesTheValueWithAHigherVersion() {
        Entry first = store.put(utf8("k"), utf8("one"));
        Entry second = store.put(utf8("k"), utf8("two"));
        assertTrue(second.version().isNewerThan(first.version()));
        assertArrayEquals(utf8("two"), store.get(utf8("k")).orElseThrow().value());
    }

    @Test
    void versionsKeepIncreasingAcrossDeleteAndRecreate() {
        Entry before = store.put(utf8("k"), utf8("a"));
        assertTrue(store.delete(utf8("k")));
        Entry after = store.put(utf8("k"), utf8("b"));
        assertTrue(after.version().isNewerThan(before.version()));
    }

    @Test
    void deleteReportsWhetherALiveEntryWasRemoved() {
        assertFalse(store.delete(utf8("k")));
        store.put(utf8("k"), utf8("v"));
        assertTrue(store.delete(utf8("k")));
        assertTrue(store.get(utf8("k")).isEmpty());
        assertFalse(store.exists(utf8("k")));
        assertFalse(store.delete(utf8("k")));
    }

    @Test
    void emptyValueIsAValue() {
        store.put(utf8("k"), new byte[0]);
        assertArrayEquals(new byte[0], store.get(utf8("k")).orElseThrow().value());
        assertTrue(store.exists(utf8("k")));
    }

    @Test
    void binaryKeysAndValuesRoundTripExactly() {
        byte[] key = {0, (byte) 0xFF, 0x7F, (byte) 0x80, 0};
        byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        store.put(key, value);
        assertArrayEquals(value, store.get(key.clone()).orElseThrow().value());
    }

    @Test
    void storeKeepsItsOwnCopyOfTheArraysItIsGiven() {
        byte[] key = utf8("k");
        byte[] value = utf8("value");
        store.put(key, value);
        value[0] = 'X';
        key[0] = 'z';
        assertArrayEquals(utf8("value"), store.get(utf8("k")).orElseThrow().value());
        store.get(utf8("k")).orElseThrow().value()[0] = 'Y';
        assertArrayEquals(utf8("value"), store.get(utf8("k")).orElseThrow().value());
        byte[] one = utf8("one");
        byte[] two = utf8("two");
        byte[] again = utf8("again");
        store.putAll(List.of(new KeyValue(utf8("a"), one), new KeyValue(utf8("b"), two), new KeyValue(utf8("a"), again)));
        one[0] = 'X';
        two[0] = 'X';
        again[0] = 'X';
        assertArrayEquals(utf8("again"), store.get(utf8("a")).orElseThrow().value());
        assertArrayEquals(utf8("two"), store.get(utf8("b")).orElseThrow().value());
    }

    // ---- bad input

    @Test
    void nullAndEmptyKeysAreRefusedByEveryOperation() {
        for (byte[] bad : new byte[][] {null, new byte[0]}) {
            List<Runnable> calls = List.of(
                    () -> store.get(bad),
                    () -> store.exists(bad),
                    () -> store.put(bad, utf8("v")),
                    () -> store.delete(bad),
                    () -> store.putIfAbsent(bad, utf8("v")),
                    () -> store.compareAndSet(bad, Expected.version(Version.local(1)), utf8("v")),
                    () -> store.compareAndDelete(bad, Expected.version(Version.local(1))),
                    () -> store.increment(bad, 1),
                    () -> store.expire(bad, Duration.ofSeconds(1)),
                    () -> store.persist(bad),
                    () -> store.remainingTtl(bad),
                    () -> store.getAll(Arrays.asList(utf8("ok"), bad)),
                    () -> store.putAll(List.of(new KeyValue(utf8("ok"), utf8("v")), new KeyValue(bad == null ? new byte[0] : bad, utf8("v")))),
                    () -> store.deleteAll(Arrays.asList(utf8("ok"), bad)));
            for (Runnable call : calls) {
                assertThrows(IllegalKeyException.class, call::run);
            }
        }
        assertTrue(store.get(utf8("ok")).isEmpty(), "a refused batch wrote nothing");
    }

    @Test
    void nullValueIsRefused() {
        assertThrows(NullPointerException.class, () -> store.put(utf8("k"), null));
        assertThrows(NullPointerException.class, () -> store.putIfAbsent(utf8("k"), null));
        assertFalse(store.exists(utf8("k")));
    }

    @Test
    void keyAtTheLimitIsAcceptedAndOneByteMoreIsRefused() {
        byte[] atLimit = filled(StoreLimits.DEFAULT_MAX_KEY_BYTES, (byte) 'k');
        store.put(atLimit, utf8("v"));
        assertArrayEquals(utf8("v"), store.get(atLimit).orElseThrow().value());

        byte[] tooLong = filled(StoreLimits.DEFAULT_MAX_KEY_BYTES + 1, (byte) 'k');
        KeyTooLargeException e = assertThrows(KeyTooLargeException.class, () -> store.put(tooLong, utf8("v")));
        assertEquals(StoreLimits.DEFAULT_MAX_KEY_BYTES + 1, e.size());
        assertEquals(StoreLimits.DEFAULT_MAX_KEY_BYTES, e.limit());
        assertThrows(KeyTooLargeException.class, () -> store.get(tooLong));
        assertThrows(KeyTooLargeException.class, () -> store.increment(tooLong, 1));
    }

    @Test
    void valueAtTheLimitIsAcceptedAndOneByteMoreIsRefusedLeavingTheOldValue() {
        byte[] atLimit = randomBytes(StoreLimits.DEFAULT_MAX_VALUE_BYTES, 1);
        store.put(utf8("big"), atLimit);
        assertArrayEquals(atLimit, store.get(utf8("big")).orElseThrow().value());

        byte[] tooLong = new byte[StoreLimits.DEFAULT_MAX_VALUE_BYTES + 1];
        ValueTooLargeException e = assertThrows(ValueTooLargeException.class, () -> store.put(utf8("big"), tooLong));
        assertEquals(StoreLimits.DEFAULT_MAX_VALUE_BYTES + 1, e.size());
        assertEquals(StoreLimits.DEFAULT_MAX_VALUE_BYTES, e.limit());
        assertThrows(ValueTooLargeException.class, () -> store.compareAndSet(utf8("big"), Expected.absent(), tooLong));
        assertArrayEquals(atLimit, store.get(utf8("big")).orElseThrow().value());
    }

    @Test
    void configuredLimitsAreEnforced() throws Exception {
        Store small = open(new StoreLimits(4, 8));
        small.put(utf8("abcd"), utf8("12345678"));
        assertThrows(KeyTooLargeException.class, () -> small.put(utf8("abcde"), utf8("v")));
        assertThrows(ValueTooLargeException.class, () -> small.put(utf8("k"), utf8("123456789")));
        assertEquals(new StoreLimits(4, 8), small.limits());
        assertFalse(small.exists(utf8("k")));
    }

    @Test
    void aBatchWithOneOversizedValueWritesNothing() {
        List<KeyValue> batch = List.of(
                new KeyValue(utf8("a"), utf8("1")),
                new KeyValue(utf8("b"), new byte[StoreLimits.DEFAULT_MAX_VALUE_BYTES + 1]),
                new KeyValue(utf8("c"), utf8("3")));
        assertThrows(ValueTooLargeException.class, () -> store.putAll(batch));
        assertFalse(store.exists(utf8("a")));
        assertFalse(store.exists(utf8("c")));
    }

    @Test
    void nonPositiveScanLimitIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> store.scan(KeyRange.all(), 0));
        assertThrows(IllegalArgumentException.class, () -> store.scan(KeyRange.all(), -1));
    }

    // ---- large values

    @Test
    void manyLargeValuesRoundTrip() {
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] value = randomBytes(256 * 1024 + i, i);
            values.add(value);
            store.put(utf8("large-" + i), value);
        }
        for (int i = 0; i < 8; i++) {
            assertArrayEquals(values.get(i), store.get(utf8("large-" + i)).orElseThrow().value());
        }
        List<Entry> scanned = store.scan(KeyRange.prefix(utf8("large-")), 100);
        assertEquals(8, scanned.size());
        assertArrayEquals(values.get(7), scanned.get(7).value());
    }

    // ---- TTL

    @Test
    void entryWithTtlIsVisibleUntilTheInstantItExpiresAndInvisibleEverywhereFromThen() {
        Entry written = store.put(utf8("k"), utf8("v"), WriteOptions.ttl(Duration.ofSeconds(10)));
        assertEquals(clock.millis() + 10_000, written.expiresAtMillis());
        store.put(utf8("k2"), utf8("v2"));

        clock.advanceMillis(9_999);
        assertTrue(store.exists(utf8("k")));
        assertEquals(RemainingTtl.of(Duration.ofMillis(1)), store.remainingTtl(utf8("k")));

        clock.advanceMillis(1);
        assertTrue(store.get(utf8("k")).isEmpty());
        assertFalse(store.exists(utf8("k")));
        assertTrue(store.getAll(List.of(utf8("k"))).get(0).isEmpty());
        assertEquals(List.of("k2"), keysOf(store.scan(KeyRange.all(), 10)));
        assertTrue(store.remainingTtl(utf8("k")).isMissing());
        assertFalse(store.delete(utf8("k")), "an expired entry is not live, so delete removes nothing live");
    }

    @Test
    void anAbsoluteExpiryInstantIsUsedAsGiven() {
        long at = clock.millis() + 12_345;
        Entry e = store.put(utf8("k"), utf8("v"), WriteOptions.DEFAULT.withExpiresAt(at));
        assertEquals(at, e.expiresAtMillis());
        assertEquals(at, store.get(utf8("k")).orElseThrow().expiresAtMillis());
        store.increment(utf8("n"), 1, WriteOptions.DEFAULT.withExpiresAt(at));
        assertEquals(at, store.get(utf8("n")).orElseThrow().expiresAtMillis());
        clock.advanceMillis(12_345);
        assertFalse(store.exists(utf8("k")));
        assertThrows(IllegalArgumentException.class, () -> WriteOptions.DEFAULT.withExpiresAt(0));
    }

    @Test
    void getIncludingExpiredShowsAnExpiredEntryThatIsStillStored() {
        store.put(utf8("k"), utf8("v"), WriteOptions.ttl(Duration.ofSeconds(1)));
        clock.advance(Duration.ofSeconds(1));
        assertTrue(store.get(utf8("k")).isEmpty());
        Optional<Entry> expired = store.get(utf8("k"), ReadOptions.DEFAULT.includingExpired());
        if (expired.isPresent()) { // best effort: the store may already have reclaimed it
            assertTrue(expired.get().isExpiredAt(clock.millis()));
            assertArrayEquals(utf8("v"), expired.get().value());
        }
        store.delete(utf8("k"));
        store.put(utf8("gone"), utf8("v"));
        store.delete(utf8("gone"));
        assertTrue(store.get(utf8("gone"), ReadOptions.DEFAULT.includingExpired()).isEmpty(), "a deleted key stays absent");
        store.put(utf8("live"), utf8("v"));
        assertArrayEquals(utf8("v"), store.get(utf8("live"), ReadOptions.DEFAULT.includingExpired()).orElseThrow().value());
    }

    @Test
    void putWithoutTtlClearsAnEarlierExpiry() {
        store.put(utf8("k"), utf8("v"), WriteOptions.ttl(Duration.ofSeconds(1)));
        store.put(utf8("k"), utf8("v2"));
        clock.advance(Duration.ofHours(1));
        assertArrayEquals(utf8("v2"), store.get(utf8("k")).orElseThrow().value());
        assertTrue(store.remainingTtl(utf8("k")).isPersistent());
    }

    @Test
    void expireSetsATtlOnALiveKeyOnly() {
        assertFalse(store.expire(utf8("missing"), Duration.ofSeconds(5)));
        assertFalse(store.exists(utf8("missing")));

        Entry before = store.put(utf8("k"), utf8("v"));
        assertTrue(store.expire(utf8("k"), Duration.ofSeconds(5)));
        Entry after = store.get(utf8("k")).orElseThrow();
        assertArrayEquals(utf8("v"), after.value());
        assertEquals(clock.millis() + 5_000, after.expiresAtMillis());
        assertTrue(after.version().isNewerThan(before.version()));

        clock.advance(Duration.ofSeconds(5));
        assertFalse(store.exists(utf8("k")));
        assertFalse(store.expire(utf8("k"), Duration.ofSeconds(5)), "an expired key is absent");
    }

    @Test
    void expireAtAnInstantInThePastDeletesTheKey() {
        store.put(utf8("k"), utf8("v"));
        assertTrue(store.expireAt(utf8("k"), clock.millis() - 1, WriteOptions.DEFAULT));
        assertFalse(store.exists(utf8("k")));
        store.put(utf8("k"), utf8("v"));
        assertTrue(store.expireAt(utf8("k"), clock.millis(), WriteOptions.DEFAULT));
        assertFalse(store.exists(utf8("k")));
    }

    @Test
    void persistRemovesAnExpiry() {
        assertFalse(store.persist(utf8("k")));
        store.put(utf8("k"), utf8("v"));
        assertFalse(store.persist(utf8("k")), "nothing to persist");
        store.expire(utf8("k"), Duration.ofSeconds(1));
        assertTrue(store.persist(utf8("k")));
        clock.advance(Duration.ofDays(1));
        assertArrayEquals(utf8("v"), store.get(utf8("k")).orElseThrow().value());
        assertEquals(Entry.NO_EXPIRY, store.get(utf8("k")).orElseThrow().expiresAtMillis());
    }

    @Test
    void remainingTtlDistinguishesMissingPersistentAndExpiring() {
        assertEquals(RemainingTtl.missing(), store.remainingTtl(utf8("k")));
        store.put(utf8("k"), utf8("v"));
        assertEquals(RemainingTtl.persistent(), store.remainingTtl(utf8("k")));
        store.put(utf8("k"), utf8("v"), WriteOptions.ttl(Duration.ofMinutes(1)));
        assertEquals(Duration.ofMinutes(1), store.remainingTtl(utf8("k")).remaining());
        clock.advance(Duration.ofSeconds(45));
        assertEquals(Duration.ofSeconds(15), store.remainingTtl(utf8("k")).remaining());
    }

    @Test
    void writesTreatAnExpiredEntryAsAbsent() {
        store.put(utf8("k"), utf8("old"), WriteOptions.ttl(Duration.ofSeconds(1)));
        store.put(utf8("n"), utf8("41"), WriteOptions.ttl(Duration.ofSeconds(1)));
        clock.advance(Duration.ofSeconds(1));
        assertTrue(store.putIfAbsent(utf8("k"), utf8("new")).isPresent());
        assertArrayEquals(utf8("new"), store.get(utf8("k")).orElseThrow().value());
        assertEquals(1, store.increment(utf8("n"), 1), "an expired counter starts again from 0");
        assertTrue(store.remainingTtl(utf8("n")).isPersistent());
    }

    // ---- conditional writes

    @Test
    void putIfAbsentWritesOnlyWhenAbsent() {
        Optional<Entry> first = store.putIfAbsent(utf8("k"), utf8("first"));
        assertTrue(first.isPresent());
        assertTrue(store.putIfAbsent(utf8("k"), utf8("second")).isEmpty());
        Entry now = store.get(utf8("k")).orElseThrow();
        assertArrayEquals(utf8("first"), now.value());
        assertEquals(first.get().version(), now.version());
    }

    @Test
    void compareAndSetOnVersionSucceedsOnlyOnTheCurrentVersion() {
        Entry v1 = store.put(utf8("k"), utf8("a"));
        Entry v2 = store.compareAndSet(utf8("k"), Expected.version(v1.version()), utf8("b")).orElseThrow();
        assertTrue(v2.version().isNewerThan(v1.version()));
        assertArrayEquals(utf8("b"), v2.value());
        assertTrue(store.compareAndSet(utf8("k"), Expected.version(v1.version()), utf8("c")).isEmpty(), "stale version");
        assertArrayEquals(utf8("b"), store.get(utf8("k")).orElseThrow().value());
        assertTrue(store.compareAndSet(utf8("missing"), Expected.version(v2.version()), utf8("c")).isEmpty());
        assertFalse(store.exists(utf8("missing")));
    }

    @Test
    void compareAndSetOnValueComparesContent() {
        store.put(utf8("k"), utf8("a"));
        assertTrue(store.compareAndSet(utf8("k"), Expected.value(utf8("x")), utf8("b")).isEmpty());
        assertTrue(store.compareAndSet(utf8("k"), Expected.value(utf8("a")), utf8("b")).isPresent());
        assertArrayEquals(utf8("b"), store.get(utf8("k")).orElseThrow().value());
        assertTrue(store.compareAndSet(utf8("missing"), Expected.value(utf8("a")), utf8("b")).isEmpty());
    }

    @Test
    void compareAndSetExpectingAbsentFailsOnALiveKey() {
        store.put(utf8("k"), utf8("a"));
        assertTrue(store.compareAndSet(utf8("k"), Expected.absent(), utf8("b")).isEmpty());
        assertTrue(store.compareAndSet(utf8("other"), Expected.absent(), utf8("b")).isPresent());
    }

    @Test
    void compareAndSetAppliesTheTtlOfItsOptions() {
        Entry v1 = store.put(utf8("k"), utf8("a"));
        Entry v2 = store.compareAndSet(utf8("k"), Expected.version(v1.version()), utf8("b"),
                WriteOptions.ttl(Duration.ofSeconds(3))).orElseThrow();
        assertEquals(clock.millis() + 3_000, v2.expiresAtMillis());
        clock.advance(Duration.ofSeconds(3));
        assertFalse(store.exists(utf8("k")));
    }

    @Test
    void compareAndDeleteRemovesOnlyOnAMatch() {
        Entry v1 = store.put(utf8("k"), utf8("a"));
        assertFalse(store.compareAndDelete(utf8("k"), Expected.version(v1.version().next())));
        assertFalse(store.compareAndDelete(utf8("k"), Expected.value(utf8("b"))));
        assertFalse(store.compareAndDelete(utf8("k"), Expected.absent()));
        assertTrue(store.exists(utf8("k")));
        assertTrue(store.compareAndDelete(utf8("k"), Expected.version(v1.version())));
        assertFalse(store.exists(utf8("k")));
        store.put(utf8("k"), utf8("c"));
        assertTrue(store.compareAndDelete(utf8("k"), Expected.value(utf8("c"))));
        assertFalse(store.exists(utf8("k")));
        assertFalse(store.compareAndDelete(utf8("k"), Expected.value(utf8("c"))));
    }

    // ---- increment

    @Test
    void incrementStartsAtZeroAndAddsSignedDeltas() {
        assertEquals(5, store.increment(utf8("n"), 5));
        assertEquals(2, store.increment(utf8("n"), -3));
        assertEquals(-8, store.increment(utf8("n"), -10));
        assertArrayEquals(utf8("-8"), store.get(utf8("n")).orElseThrow().value());
        store.put(utf8("m"), utf8("100"));
        assertEquals(101, store.increment(utf8("m"), 1));
    }

    @Test
    void incrementOfANonNumberFailsAndLeavesTheValue() {
        for (String bad : List.of("abc", "", " 1", "1 ", "+1", "01", "-0", "1.5", "9223372036854775808", "-")) {
            store.put(utf8("k"), utf8(bad));
            assertThrows(NotANumberException.class, () -> store.increment(utf8("k"), 1), bad);
            assertArrayEquals(utf8(bad), store.get(utf8("k")).orElseThrow().value());
        }
    }

    @Test
    void incrementThatWouldOverflowFailsAndLeavesTheValue() {
        store.put(utf8("max"), utf8(Long.toString(Long.MAX_VALUE)));
        assertThrows(NumericOverflowException.class, () -> store.increment(utf8("max"), 1));
        assertArrayEquals(utf8(Long.toString(Long.MAX_VALUE)), store.get(utf8("max")).orElseThrow().value());

        store.put(utf8("min"), utf8(Long.toString(Long.MIN_VALUE)));
        assertThrows(NumericOverflowException.class, () -> store.increment(utf8("min"), -1));
        assertEquals(Long.MIN_VALUE + 1, store.increment(utf8("min"), 1));
    }

    @Test
    void incrementKeepsAnExistingExpiryUnlessGivenATtl() {
        Entry original = store.put(utf8("n"), utf8("1"), WriteOptions.ttl(Duration.ofSeconds(10)));
        store.increment(utf8("n"), 1);
        assertEquals(original.expiresAtMillis(), store.get(utf8("n")).orElseThrow().expiresAtMillis());
        store.increment(utf8("n"), 1, WriteOptions.ttl(Duration.ofSeconds(60)));
        assertEquals(clock.millis() + 60_000, store.get(utf8("n")).orElseThrow().expiresAtMillis());
        assertArrayEquals(utf8("3"), store.get(utf8("n")).orElseThrow().value());
    }

    // ---- batches

    @Test
    void getAllAnswersInTheOrderAsked() {
        store.put(utf8("a"), utf8("1"));
        store.put(utf8("c"), utf8("3"));
        List<Optional<Entry>> got = store.getAll(List.of(utf8("c"), utf8("b"), utf8("a"), utf8("c")));
        assertEquals(4, got.size());
        assertArrayEquals(utf8("3"), got.get(0).orElseThrow().value());
        assertTrue(got.get(1).isEmpty());
        assertArrayEquals(utf8("1"), got.get(2).orElseThrow().value());
        assertArrayEquals(utf8("3"), got.get(3).orElseThrow().value());
        assertEquals(List.of(), store.getAll(List.of()));
    }

    @Test
    void putAllWritesEveryPairAndTheLastDuplicateWins() {
        store.putAll(List.of(
                new KeyValue(utf8("a"), utf8("1")),
                new KeyValue(utf8("b"), utf8("2")),
                new KeyValue(utf8("a"), utf8("3"))), WriteOptions.ttl(Duration.ofSeconds(5)));
        assertArrayEquals(utf8("3"), store.get(utf8("a")).orElseThrow().value());
        assertArrayEquals(utf8("2"), store.get(utf8("b")).orElseThrow().value());
        clock.advance(Duration.ofSeconds(5));
        assertFalse(store.exists(utf8("a")));
        assertFalse(store.exists(utf8("b")));
    }

    @Test
    void deleteAllCountsLiveEntriesRemoved() {
        store.put(utf8("a"), utf8("1"));
        store.put(utf8("b"), utf8("2"));
        store.put(utf8("c"), utf8("3"), WriteOptions.ttl(Duration.ofSeconds(1)));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(2, store.deleteAll(List.of(utf8("a"), utf8("b"), utf8("c"), utf8("zz"))));
        assertEquals(List.of(), store.scan(KeyRange.all(), 10));
    }

    // ---- scans

    @Test
    void scanReturnsKeysInUnsignedOrder() {
        byte[][] keys = {{(byte) 0xFF}, {0x7F}, {(byte) 0x80}, {0x01}, {0x01, 0x00}, {0x00}};
        for (byte[] k : keys) {
            store.put(k, k);
        }
        List<Entry> all = store.scan(KeyRange.all(), 100);
        byte[][] expected = {{0x00}, {0x01}, {0x01, 0x00}, {0x7F}, {(byte) 0x80}, {(byte) 0xFF}};
        assertEquals(expected.length, all.size());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], all.get(i).key());
            assertArrayEquals(expected[i], all.get(i).value());
        }
    }

    @Test
    void scanHonoursInclusiveStartExclusiveEndAndLimit() {
        for (String k : List.of("a", "b", "c", "d", "e")) {
            store.put(utf8(k), utf8(k));
        }
        assertEquals(List.of("b", "c"), keysOf(store.scan(KeyRange.between(utf8("b"), utf8("d")), 10)));
        assertEquals(List.of("b", "c", "d"), keysOf(store.scan(KeyRange.between(utf8("ab"), utf8("d0")), 10)));
        assertEquals(List.of("c", "d", "e"), keysOf(store.scan(KeyRange.from(utf8("c")), 10)));
        assertEquals(List.of("a", "b"), keysOf(store.scan(KeyRange.between(null, utf8("c")), 10)));
        assertEquals(List.of("a", "b"), keysOf(store.scan(KeyRange.all(), 2)));
        assertEquals(List.of(), keysOf(store.scan(KeyRange.between(utf8("d"), utf8("b")), 10)));
        assertEquals(List.of(), keysOf(store.scan(KeyRange.from(utf8("f")), 10)));
    }

    @Test
    void scanByPrefix() {
        for (String k : List.of("user:1", "user:2", "user:10", "users", "user", "usel", "order:1")) {
            store.put(utf8(k), utf8(k));
        }
        assertEquals(List.of("user:1", "user:10", "user:2"), keysOf(store.scan(KeyRange.prefix(utf8("user:")), 10)));
        assertEquals(List.of("user", "user:1", "user:10", "user:2", "users"),
                keysOf(store.scan(KeyRange.prefix(utf8("user")), 10)));

        byte[] ff = {(byte) 0xFF, (byte) 0xFF};
        store.put(new byte[] {(byte) 0xFF, (byte) 0xFF, 1}, utf8("x"));
        store.put(new byte[] {(byte) 0xFF, (byte) 0xFE}, utf8("y"));
        List<Entry> underFf = store.scan(KeyRange.prefix(ff), 10);
        assertEquals(1, underFf.size());
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFF, 1}, underFf.get(0).key());
    }

    @Test
    void pagingWithStartingAfterVisitsEveryKeyOnce() {
        Set<String> written = new HashSet<>();
        for (int i = 0; i < 137; i++) {
            String k = String.format("key-%04d", i * 7 % 137);
            written.add(k);
            store.put(utf8(k), utf8("v"));
        }
        store.put(utf8("other"), utf8("v"));
        List<String> seen = new ArrayList<>();
        KeyRange range = KeyRange.prefix(utf8("key-"));
        while (true) {
            List<Entry> page = store.scan(range, 10);
            page.forEach(e -> seen.add(new String(e.key(), StandardCharsets.UTF_8)));
            if (page.size() < 10) {
                break;
            }
            range = range.startingAfter(page.get(page.size() - 1).key());
        }
        assertEquals(written.size(), seen.size());
        assertEquals(written, new HashSet<>(seen));
        List<String> sorted = new ArrayList<>(seen);
        sorted.sort(null);
        assertEquals(sorted, seen);
    }

    @Test
    void scanSkipsExpiredAndDeletedEntriesAndStillFillsItsLimit() {
        for (int i = 0; i < 10; i++) {
            WriteOptions options = i % 2 == 0 ? WriteOptions.ttl(Duration.ofSeconds(1)) : WriteOptions.DEFAULT;
            store.put(utf8("k" + i), utf8("v"), options);
        }
        store.delete(utf8("k1"));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of("k3", "k5", "k7"), keysOf(store.scan(KeyRange.all(), 3)));
        assertEquals(List.of("k3", "k5", "k7", "k9"), keysOf(store.scan(KeyRange.all(), 100)));
    }

    @Test
    void scanEntriesCarryVersionAndExpiry() {
        Entry a = store.put(utf8("a"), utf8("1"), WriteOptions.ttl(Duration.ofSeconds(30)));
        List<Entry> scanned = store.scan(KeyRange.all(), 10);
        assertEquals(List.of(a), scanned);
    }

    // ---- consistency, close

    @Test
    void everyConsistencyLevelWithinTheReplicationFactorIsServed() {
        for (Consistency c : List.of(Consistency.ONE, Consistency.QUORUM, Consistency.ALL,
                Consistency.replicas(replicationFactor()))) {
            store.put(utf8("k"), utf8(c.toString()), WriteOptions.consistency(c));
            assertArrayEquals(utf8(c.toString()), store.get(utf8("k"), ReadOptions.consistency(c)).orElseThrow().value());
        }
    }

    @Test
    void moreReplicasThanExistIsAQuorumNotReached() {
        Consistency tooMany = Consistency.replicas(replicationFactor() + 1);
        QuorumNotReachedException e = assertThrows(QuorumNotReachedException.class,
                () -> store.put(utf8("k"), utf8("v"), WriteOptions.consistency(tooMany)));
        assertEquals(replicationFactor() + 1, e.required());
        assertEquals(replicationFactor(), e.answered());
        assertThrows(QuorumNotReachedException.class, () -> store.get(utf8("k"), ReadOptions.consistency(tooMany)));
        assertFalse(store.exists(utf8("k")));
    }

    @Test
    void everyOperationAfterCloseFailsAndCloseIsIdempotent() {
        store.put(utf8("k"), utf8("v"));
        store.close();
        assertDoesNotThrow(store::close);
        List<Runnable> calls = List.of(
                () -> store.get(utf8("k")),
                () -> store.exists(utf8("k")),
                () -> store.put(utf8("k"), utf8("v")),
                () -> store.delete(utf8("k")),
                () -> store.putIfAbsent(utf8("k"), utf8("v")),
                () -> store.compareAndDelete(utf8("k"), Expected.version(Version.local(1))),
                () -> store.increment(utf8("k"), 1),
                () -> store.expire(utf8("k"), Duration.ofSeconds(1)),
                () -> store.persist(utf8("k")),
                () -> store.remainingTtl(utf8("k")),
                () -> store.getAll(List.of(utf8("k"))),
                () -> store.putAll(List.of(new KeyValue(utf8("k"), utf8("v")))),
                () -> store.deleteAll(List.of(utf8("k"))),
                () -> store.scan(KeyRange.all(), 1));
        for (Runnable call : calls) {
            assertThrows(StoreClosedException.class, call::run);
        }
    }

    // ---- concurrency

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentIncrementsLoseNoUpdate() throws Exception {
        int threads = 4;
        int perThread = 500;
        runConcurrently(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                store.increment(utf8("counter"), 1);
                store.increment(utf8("counter-" + (i % 3)), t + 1);
            }
        });
        assertArrayEquals(utf8(Integer.toString(threads * perThread)), store.get(utf8("counter")).orElseThrow().value());
        long sumOfSmall = 0;
        for (int j = 0; j < 3; j++) {
            sumOfSmall += Long.parseLong(new String(store.get(utf8("counter-" + j)).orElseThrow().value(), StandardCharsets.US_ASCII));
        }
        assertEquals((long) perThread * (1 + 2 + 3 + 4), sumOfSmall);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentCompareAndSetLosesNoUpdate() throws Exception {
        int threads = 4;
        int perThread = 200;
        store.put(utf8("cas"), utf8("0"));
        Set<Version> winningVersions = ConcurrentHashMap.newKeySet();
        AtomicInteger conflicts = new AtomicInteger();
        runConcurrently(threads, t -> {
            for (int done = 0; done < perThread; ) {
                Entry current = store.get(utf8("cas")).orElseThrow();
                long n = Long.parseLong(new String(current.value(), StandardCharsets.US_ASCII));
                Optional<Entry> swapped = store.compareAndSet(utf8("cas"), Expected.version(current.version()),
                        utf8(Long.toString(n + 1)));
                if (swapped.isPresent()) {
                    assertTrue(winningVersions.add(swapped.get().version()), "two writers got the same version");
                    done++;
                } else {
                    conflicts.incrementAndGet();
                }
            }
        });
        assertArrayEquals(utf8(Integer.toString(threads * perThread)), store.get(utf8("cas")).orElseThrow().value());
        assertEquals(threads * perThread, winningVersions.size());
    }

    @Test
    void anExpiredEntryIsReclaimedOnceByItsExpiredVersion() {
        store.put(utf8("k"), utf8("v"), WriteOptions.ttl(Duration.ofSeconds(1)));
        clock.advance(Duration.ofSeconds(2));
        Version expired = store.get(utf8("k"), ReadOptions.DEFAULT.includingExpired()).orElseThrow().version();
        assertFalse(store.compareAndDelete(utf8("k"), Expected.version(expired)), "an expired entry is absent to a plain version");
        assertTrue(store.compareAndDelete(utf8("k"), Expected.expiredVersion(expired)));
        assertFalse(store.compareAndDelete(utf8("k"), Expected.expiredVersion(expired)), "reclaimed once");
        store.put(utf8("k"), utf8("fresh"));
        assertFalse(store.compareAndDelete(utf8("k"), Expected.expiredVersion(expired)));
        assertArrayEquals(utf8("fresh"), store.get(utf8("k")).orElseThrow().value());
    }

    // ---- the asynchronous form

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theAsynchronousFormDoesWhatTheBlockingOneDoes() throws Exception {
        AsyncStore async = store.async();
        Entry written = async.put(utf8("a"), utf8("1"), WriteOptions.DEFAULT).get(30, TimeUnit.SECONDS);
        assertArrayEquals(utf8("1"), async.get(utf8("a"), ReadOptions.DEFAULT).get(30, TimeUnit.SECONDS).orElseThrow().value());
        assertTrue(async.compareAndSet(utf8("a"), Expected.version(written.version()), utf8("2"), WriteOptions.DEFAULT)
                .get(30, TimeUnit.SECONDS).isPresent());
        assertTrue(async.compareAndSet(utf8("a"), Expected.version(written.version()), utf8("3"), WriteOptions.DEFAULT)
                .get(30, TimeUnit.SECONDS).isEmpty(), "stale version");
        assertEquals(5L, async.increment(utf8("n"), 5, WriteOptions.DEFAULT).get(30, TimeUnit.SECONDS));
        async.putAll(List.of(new KeyValue(utf8("b"), utf8("x")), new KeyValue(utf8("c"), utf8("y"))), WriteOptions.DEFAULT)
                .get(30, TimeUnit.SECONDS);
        assertEquals(2, async.deleteAll(List.of(utf8("b"), utf8("c"), utf8("nope")), WriteOptions.DEFAULT).get(30, TimeUnit.SECONDS));
        assertTrue(async.delete(utf8("a"), WriteOptions.DEFAULT).get(30, TimeUnit.SECONDS));
        assertTrue(store.get(utf8("a")).isEmpty());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theAsynchronousFormFailsItsFutureWithTheBlockingCallsException() {
        byte[] huge = new byte[store.limits().maxValueBytes() + 1];
        java.util.concurrent.CompletableFuture<Entry> f = store.async().put(utf8("k"), huge, WriteOptions.DEFAULT);
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> f.get(30, TimeUnit.SECONDS));
        assertTrue(AsyncStore.cause(e.getCause()) instanceof ValueTooLargeException, e.toString());
        java.util.concurrent.CompletableFuture<Long> notANumber = store.async().put(utf8("s"), utf8("text"), WriteOptions.DEFAULT)
                .thenCompose(x -> store.async().increment(utf8("s"), 1, WriteOptions.DEFAULT));
        e = assertThrows(java.util.concurrent.ExecutionException.class, () -> notANumber.get(30, TimeUnit.SECONDS));
        assertTrue(AsyncStore.cause(e.getCause()) instanceof NotANumberException, e.toString());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void manyAsynchronousIncrementsInFlightLoseNone() throws Exception {
        List<java.util.concurrent.CompletableFuture<Long>> inFlight = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            inFlight.add(store.async().increment(utf8("counter"), 1, WriteOptions.DEFAULT));
        }
        Set<Long> results = new HashSet<>();
        for (java.util.concurrent.CompletableFuture<Long> f : inFlight) {
            results.add(f.get(30, TimeUnit.SECONDS));
        }
        assertEquals(500, results.size(), "every increment saw its own value");
        assertArrayEquals(utf8("500"), store.get(utf8("counter")).orElseThrow().value());
    }

    @Test
    void aKeyPutTwiceInOneBatchKeepsItsLastValueAndOthersAreUntouched() {
        store.putAll(List.of(new KeyValue(utf8("d"), utf8("first")), new KeyValue(utf8("e"), utf8("e1")),
                new KeyValue(utf8("d"), utf8("second")), new KeyValue(utf8("d"), utf8("last"))));
        assertArrayEquals(utf8("last"), store.get(utf8("d")).orElseThrow().value());
        assertArrayEquals(utf8("e1"), store.get(utf8("e")).orElseThrow().value());
        Version before = store.get(utf8("d")).orElseThrow().version();
        store.putAll(List.of(new KeyValue(utf8("d"), utf8("x")), new KeyValue(utf8("d"), utf8("y"))));
        Entry after = store.get(utf8("d")).orElseThrow();
        assertArrayEquals(utf8("y"), after.value());
        assertTrue(after.version().isNewerThan(before), "a batch still gives the key a newer version");
    }

    // ---- batches of single-key writes

    private static KeyedMutation write(String key, Mutation m) {
        return new KeyedMutation(utf8(key), m);
    }

    /** One batch of every kind of write, good and bad, with later writes depending on earlier ones. */
    private List<KeyedMutation> mixedBatch() {
        byte[] huge = new byte[store.limits().maxValueBytes() + 1];
        return List.of(
                write("a", new Mutation.Put(utf8("1"), WriteOptions.DEFAULT)),
                write("n", new Mutation.Increment(5, WriteOptions.DEFAULT)),
                write("n", new Mutation.Increment(2, WriteOptions.DEFAULT)),
                write("w", new Mutation.Put(utf8("word"), WriteOptions.DEFAULT)),
                write("w", new Mutation.Increment(1, WriteOptions.DEFAULT)),
                write("a", new Mutation.CompareAndSet(Expected.absent(), utf8("again"), WriteOptions.DEFAULT)),
                write("b", new Mutation.CompareAndSet(Expected.absent(), utf8("new"), WriteOptions.DEFAULT)),
                write("big", new Mutation.Put(huge, WriteOptions.DEFAULT)),
                write("a", new Mutation.Delete()),
                write("a", new Mutation.Delete()),
                write("m", new Mutation.Put(utf8(Long.toString(Long.MAX_VALUE)), WriteOptions.DEFAULT)),
                write("m", new Mutation.Increment(1, WriteOptions.DEFAULT)),
                write("b", new Mutation.ExpireAt(clock.millis() + 60_000)),
                write("n", new Mutation.Persist()));
    }

    /** What {@link #mixedBatch} must answer and leave, whichever way the store runs it. */
    private void checkMixedBatch(List<MutationOutcome> o) {
        assertEquals(14, o.size());
        assertFalse(o.get(0).failed());
        assertEquals(5, o.get(1).decision().number());
        assertEquals(7, o.get(2).decision().number(), "the second increment sees the first");
        assertFalse(o.get(3).failed());
        assertTrue(o.get(4).failure() instanceof NotANumberException, String.valueOf(o.get(4)));
        assertFalse(o.get(5).decision().applied(), "a was put earlier in the batch");
        assertTrue(o.get(6).decision().applied());
        assertTrue(o.get(7).failure() instanceof ValueTooLargeException, String.valueOf(o.get(7)));
        assertTrue(o.get(8).decision().applied());
        assertFalse(o.get(9).decision().applied(), "already deleted by the batch");
        assertTrue(o.get(11).failure() instanceof NumericOverflowException, String.valueOf(o.get(11)));
        assertTrue(o.get(12).decision().applied());
        assertFalse(o.get(13).decision().applied(), "n never had an expiry");
        assertTrue(store.get(utf8("a")).isEmpty());
        assertArrayEquals(utf8("7"), store.get(utf8("n")).orElseThrow().value());
        assertArrayEquals(utf8("word"), store.get(utf8("w")).orElseThrow().value(), "a failed write writes nothing");
        assertArrayEquals(utf8(Long.toString(Long.MAX_VALUE)), store.get(utf8("m")).orElseThrow().value());
        assertTrue(store.get(utf8("big")).isEmpty());
        Entry b = store.get(utf8("b")).orElseThrow();
        assertArrayEquals(utf8("new"), b.value());
        assertEquals(clock.millis() + 60_000, b.expiresAtMillis());
    }

    @Test
    void aBatchOfWritesAnswersEachAsItsOwnCallWouldAndFailsOnlyTheBadOnes() {
        checkMixedBatch(store.mutateAll(mixedBatch()));
        assertTrue(store.mutateAll(List.of()).isEmpty());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theAsynchronousBatchDoesWhatTheBlockingOneDoes() throws Exception {
        checkMixedBatch(store.async().mutateAll(mixedBatch()).get(30, TimeUnit.SECONDS));
    }

    // ---- change listeners

    @Test
    void listenersHearEveryChangeWithTheBeforeAndAfterEntries() {
        if (!reportsChanges()) {
            assertThrows(UnsupportedOperationException.class, () -> store.listen((k, b, a) -> { }));
            return;
        }
        List<String> heard = new ArrayList<>();
        StoreListener.Subscription sub = store.listen((key, before, after) -> heard.add(
                new String(key, StandardCharsets.UTF_8) + ":" + (before == null ? "-" : new String(before.value(), StandardCharsets.UTF_8))
                        + ">" + (after == null ? "-" : new String(after.value(), StandardCharsets.UTF_8))));
        store.put(utf8("k"), utf8("1"));
        store.put(utf8("k"), utf8("2"));
        assertTrue(store.compareAndSet(utf8("k"), Expected.value(utf8("nope")), utf8("3")).isEmpty());
        store.increment(utf8("n"), 5);
        store.putAll(List.of(new KeyValue(utf8("a"), utf8("x"))));
        store.delete(utf8("k"));
        store.deleteAll(List.of(utf8("a"), utf8("missing")));
        assertFalse(store.delete(utf8("k")), "nothing to delete: nothing heard");
        assertEquals(List.of("k:->1", "k:1>2", "n:->5", "a:->x", "k:2>-", "a:x>-"), heard);
        sub.close();
        store.put(utf8("k"), utf8("after"));
        assertEquals(6, heard.size(), "a closed subscription hears nothing");
    }

    // ---- count / clear

    @Test
    void countCountsLiveEntriesOnly() {
        assertEquals(0, store.count());
        for (int i = 0; i < 1500; i++) {
            store.put(utf8("c" + i), utf8("v"));
        }
        store.put(utf8("short"), utf8("v"), WriteOptions.ttl(Duration.ofSeconds(1)));
        store.delete(utf8("c7"));
        assertEquals(1500, store.count());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1499, store.count());
    }

    @Test
    void clearRemovesEverythingAndLaterVersionsStillIncrease() {
        Entry before = store.put(utf8("a"), utf8("1"));
        store.put(utf8("b"), utf8("2"));
        store.clear();
        assertTrue(store.get(utf8("a")).isEmpty());
        assertEquals(List.of(), store.scan(KeyRange.all(), 10));
        assertEquals(0, store.count());
        Entry after = store.put(utf8("a"), utf8("3"));
        assertTrue(after.version().isNewerThan(before.version()));
        assertEquals(List.of("a"), keysOf(store.scan(KeyRange.all(), 10)));
    }

    /** Batches are atomic for readers: no get, getAll or scan sees some of a putAll's keys and not the others. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void readersNeverSeePartOfABatch() throws Exception {
        int rounds = 2_000;
        List<byte[]> keys = List.of(utf8("batch-a"), utf8("batch-m"), utf8("batch-z"));
        store.putAll(batchOf(keys, 0));
        int batchRounds = readsAreSnapshots() ? rounds : rounds / 10;
        AtomicInteger torn = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        runConcurrently(3, t -> {
            if (t == 0) {
                for (int i = 1; i <= batchRounds; i++) {
                    store.putAll(batchOf(keys, i));
                }
                writing.set(false);
                return;
            }
            long[] last = new long[keys.size()];
            while (writing.get()) {
                List<Long> seen = new ArrayList<>();
                if (t == 1) {
                    store.getAll(keys).forEach(e -> seen.add(Long.parseLong(new String(e.orElseThrow().value(), StandardCharsets.UTF_8))));
                } else {
                    store.scan(KeyRange.prefix(utf8("batch-")), 10).forEach(e -> seen.add(Long.parseLong(new String(e.value(), StandardCharsets.UTF_8))));
                }
                if (readsAreSnapshots() ? new HashSet<>(seen).size() != 1 : wentBack(last, seen)) {
                    torn.incrementAndGet();
                }
            }
        });
        assertEquals(0, torn.get(), readsAreSnapshots() ? "reads that saw part of a batch" : "keys that went back in time");
    }

    /**
     * A scan is a snapshot: one writer writes "first" then "second" with the same number, round
     * after round, so at every instant first >= second; a scan that saw second ahead of first would
     * have read first before a write and second after a later one.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void scanIsASnapshotOfSuccessiveWrites() throws Exception {
        int rounds = readsAreSnapshots() ? 2_000 : 200;
        store.put(utf8("snap-1-first"), utf8("0"));
        store.put(utf8("snap-2-second"), utf8("0"));
        AtomicInteger inconsistent = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        runConcurrently(2, t -> {
            if (t == 0) {
                for (int i = 1; i <= rounds; i++) {
                    store.put(utf8("snap-1-first"), utf8(Integer.toString(i)));
                    store.put(utf8("snap-2-second"), utf8(Integer.toString(i)));
                }
                writing.set(false);
                return;
            }
            long[] last = new long[2];
            while (writing.get()) {
                List<Entry> page = store.scan(KeyRange.prefix(utf8("snap-")), 10);
                long first = Long.parseLong(new String(page.get(0).value(), StandardCharsets.UTF_8));
                long second = Long.parseLong(new String(page.get(1).value(), StandardCharsets.UTF_8));
                if (readsAreSnapshots() ? second > first : wentBack(last, List.of(first, second))) {
                    inconsistent.incrementAndGet();
                }
            }
        });
        assertEquals(0, inconsistent.get(), readsAreSnapshots() ? "scans that were not a snapshot" : "keys that went back in time");
    }

    /** Whether any key's value is older than the last one this reader saw of it; remembers the new ones. */
    private static boolean wentBack(long[] last, List<Long> seen) {
        boolean back = false;
        for (int i = 0; i < seen.size() && i < last.length; i++) {
            back |= seen.get(i) < last[i];
            last[i] = Math.max(last[i], seen.get(i));
        }
        return back;
    }

    private static List<KeyValue> batchOf(List<byte[]> keys, int round) {
        List<KeyValue> batch = new ArrayList<>();
        for (byte[] k : keys) {
            batch.add(new KeyValue(k, utf8(Integer.toString(round))));
        }
        return batch;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentPutIfAbsentHasExactlyOneWinnerPerKey() throws Exception {
        int threads = 4;
        int keys = 200;
        AtomicInteger wins = new AtomicInteger();
        runConcurrently(threads, t -> {
            for (int i = 0; i < keys; i++) {
                if (store.putIfAbsent(utf8("pia-" + i), utf8("t" + t)).isPresent()) {
                    wins.incrementAndGet();
                }
            }
        });
        assertEquals(keys, wins.get());
        assertEquals(keys, store.scan(KeyRange.prefix(utf8("pia-")), 1000).size());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentWritersAndScannersSeeOnlyWrittenValues() throws Exception {
        int threads = 4;
        runConcurrently(threads, t -> {
            for (int i = 0; i < 300; i++) {
                if (t % 2 == 0) {
                    store.put(utf8(String.format("w-%03d", i)), utf8("v" + t));
                } else {
                    for (Entry e : store.scan(KeyRange.prefix(utf8("w-")), 50)) {
                        String v = new String(e.value(), StandardCharsets.UTF_8);
                        assertTrue(v.equals("v0") || v.equals("v2"), v);
                    }
                }
            }
        });
        assertEquals(300, store.scan(KeyRange.prefix(utf8("w-")), 1000).size());
    }

    // ---- helpers

    /** Runs {@code body} on {@code threads} threads started together; rethrows the first failure. */
    protected static void runConcurrently(int threads, Consumer<Integer> body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Void>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Callable<Void> task = () -> {
                    start.await();
                    body.accept(id);
                    return null;
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            for (Future<Void> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    protected static List<String> keysOf(List<Entry> entries) {
        List<String> keys = new ArrayList<>();
        for (Entry e : entries) {
            keys.add(new String(e.key(), StandardCharsets.UTF_8));
        }
        return keys;
    }

    protected static byte[] filled(int length, byte b) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, b);
        return bytes;
    }

    protected static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
