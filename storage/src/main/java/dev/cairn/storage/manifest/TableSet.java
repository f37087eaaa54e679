package dev.cairn.storage.manifest;

import dev.cairn.api.ByteStrings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable snapshot of the live SSTables, per level. Level 0 holds flushed memtables, newest
 * first, whose key ranges may overlap; every deeper level holds tables sorted by key with disjoint
 * ranges.
 *
 * <p>Reference counting: a version starts with one reference (held by the store while it is
 * current). Readers {@link #tryRetain} it and {@link #release} it when done; when the count reaches
 * zero the version releases its tables. {@code tryRetain} fails on a version already released, and
 * the reader then retries with the newer current version.
 */
public final class TableSet {
    public static final int LEVELS = 7;

    private final List<List<TableFile>> levels;
    private final AtomicInteger refs = new AtomicInteger(1);

    public TableSet(List<List<TableFile>> levels) {
        if (levels.size() != LEVELS) {
            throw new IllegalArgumentException("a version has " + LEVELS + " levels");
        }
        List<List<TableFile>> copy = new ArrayList<>(LEVELS);
        for (int i = 0; i < LEVELS; i++) {
            List<TableFile> level = new ArrayList<>(levels.get(i));
            if (i > 0) {
                level.sort((a, b) -> ByteStrings.compare(a.summary().smallestKey(), b.summary().smallestKey()));
            }
            copy.add(Collections.unmodifiableList(level));
        }
        this.levels = Collections.unmodifiableList(copy);
        for (List<TableFile> level : this.levels) {
            level.forEach(TableFile::retain);
        }
    }

    public static TableSet empty() {
        List<List<TableFile>> levels = new ArrayList<>();
        for (int i = 0; i < LEVELS; i++) {
            levels.add(List.of());
        }
        return new TableSet(levels);
    }

    public List<TableFile> level(int level) {
        return levels.get(level);
    }

    public List<List<TableFile>> levels() {
        return levels;
    }

    public long levelBytes(int level) {
        long total = 0;
        for (TableFile t : levels.get(level)) {
            total += t.size();
        }
        return total;
    }

    /** The one table of a sorted level (>= 1) whose range may hold {@code key}, or null. */
    public TableFile tableFor(int level, byte[] key) {
        List<TableFile> tables = levels.get(level);
        int lo = firstNotBefore(tables, key);
        if (lo < tables.size() && ByteStrings.compare(tables.get(lo).summary().smallestKey(), key) <= 0) {
            return tables.get(lo);
        }
        return null;
    }

    /**
     * The index of the first of {@code tables} (key-ordered, disjoint, as a level below 0) whose
     * largest key is not below {@code key}: the only one that may hold it, since every version of
     * a key is in one table of a level. {@code tables.size()} if none.
     */
    static int firstNotBefore(List<TableFile> tables, byte[] key) {
        int lo = 0;
        int hi = tables.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ByteStrings.compare(tables.get(mid).summary().largestKey(), key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Tables of {@code level} whose range intersects [start, end] (null bounds are open). */
    public List<TableFile> overlapping(int level, byte[] start, byte[] end) {
        List<TableFile> out = new ArrayList<>();
        for (TableFile t : levels.get(level)) {
            if (t.overlaps(start, end)) {
                out.add(t);
            }
        }
        return out;
    }

    public boolean tryRetain() {
        while (true) {
            int n = refs.get();
            if (n == 0) {
                return false;
            }
            if (refs.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void release() {
        if (refs.decrementAndGet() == 0) {
            for (List<TableFile> level : levels) {
                level.forEach(TableFile::release);
            }
        }
    }
}
