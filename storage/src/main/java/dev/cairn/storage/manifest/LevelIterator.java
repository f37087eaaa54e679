package dev.cairn.storage.manifest;

import dev.cairn.storage.format.Record;
import dev.cairn.storage.format.RecordIterator;
import java.util.List;

/**
 * One cursor over a level below 0, whose tables hold disjoint key ranges in key order: it reads
 * one table at a time and opens the next only when the one before is exhausted. A scan of a few
 * entries then seeks one table of the level, where a cursor per table would seek every table
 * after the start key — a block read and a search each, for entries the scan never reaches.
 */
public final class LevelIterator implements RecordIterator {
    private final List<TableFile> tables;
    private int table = -1;
    private RecordIterator cursor;

    /** @param tables one level's tables, in key order, with disjoint key ranges */
    public LevelIterator(List<TableFile> tables) {
        this.tables = tables;
    }

    @Override
    public void seek(byte[] key, long sequence) {
        if (open(TableSet.firstNotBefore(tables, key))) {
            cursor.seek(key, sequence);
            skipExhausted();
        }
    }

    @Override
    public void seekToFirst() {
        if (open(0)) {
            cursor.seekToFirst();
            skipExhausted();
        }
    }

    @Override
    public boolean valid() {
        return cursor != null && cursor.valid();
    }

    @Override
    public Record current() {
        return cursor.current();
    }

    @Override
    public void next() {
        cursor.next();
        skipExhausted();
    }

    /** Moves on to the next tables while the current one has nothing left. */
    private void skipExhausted() {
        while (!cursor.valid() && open(table + 1)) {
            cursor.seekToFirst();
        }
    }

    /** Makes table {@code i} the current one; false, with no cursor, past the last table. */
    private boolean open(int i) {
        if (cursor != null && table == i) {
            return true;
        }
        closeCursor();
        table = i;
        if (i >= tables.size()) {
            return false;
        }
        cursor = tables.get(i).reader().iterator();
        return true;
    }

    private void closeCursor() {
        if (cursor != null) {
            cursor.close();
            cursor = null;
        }
    }

    @Override
    public void close() {
        closeCursor();
    }
}
