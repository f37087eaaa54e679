package dev.cairn.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a replica of a key range needs from the engine that holds it, beside {@link Store}:
 * records applied at the version someone else assigned, and records read back with their versions
 * and tombstones (for state transfer and anti-entropy).
 *
 * <h2>Newer wins</h2>
 * {@link #applyIfNewer} stores a record only if its version is greater than the version of
 * whatever the store holds for the key — a value, an expired value or a tombstone — and does the
 * comparison and the write as one atomic step, so replicated writes arriving in any order and any
 * number of times leave the newest. Applying is idempotent.
 *
 * <h2>Tombstones</h2>
 * A delete leaves a tombstone that remembers the key's version. It is kept for
 * {@link #tombstoneGrace()} after it was written (and an expired value for as long after it
 * expired), so that a write older than the delete, arriving late, is still recognised as older.
 * After the grace period the engine may drop it; a replica that was away longer than the grace
 * period must be rebuilt by full state transfer rather than repaired.
 *
 * <p>Records applied here are visible to {@link Store} reads of the same store, with their
 * versions. The durability of an apply is that of the store's writes ({@code SYNC}: on disk when
 * the call returns).
 */
public interface ReplicaStore {

    /**
     * Stores {@code record} if its version is greater than the stored version of its key (or
     * nothing is stored). Returns true when it was stored.
     */
    boolean applyIfNewer(ReplicaRecord record);

    /**
     * Applies every record as {@link #applyIfNewer} would, as one batch (atomic for readers, one
     * durable write). Returns how many were stored. Records are checked against the store's limits
     * first: one bad record refuses the batch.
     */
    int applyAllIfNewer(List<ReplicaRecord> records);

    /**
     * The newest record the store holds for {@code key}, tombstones and expired values included,
     * or empty when it holds none (never written, or dropped after the grace period).
     */
    Optional<ReplicaRecord> readRecord(byte[] key);

    /**
     * Up to {@code limit} records in {@code range}, in key order, one per key (its newest),
     * tombstones and expired values included; a consistent snapshot like {@link Store#scan}.
     */
    List<ReplicaRecord> scanRecords(KeyRange range, int limit);

    /** How long tombstones are kept after they are written (and expired values after they expire). */
    Duration tombstoneGrace();
}
