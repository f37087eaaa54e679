package dev.cairn.storage.format;

import java.util.List;
import java.util.PriorityQueue;

/**
 * Merges sorted record iterators into one sorted stream. Sources are given newest first; two
 * records can only compare equal if they are the same version of the same key, and then the
 * newer source wins and the duplicate is skipped.
 */
public final class MergingIterator implements RecordIterator {
    private final List<RecordIterator> sources;
    private final PriorityQueue<Integer> heap;
    private Record current;

    public MergingIterator(List<RecordIterator> sources) {
        this.sources = sources;
        this.heap = new PriorityQueue<>(Math.max(1, sources.size()), (a, b) -> {
            int c = Record.ORDER.compare(sources.get(a).current(), sources.get(b).current());
            return c != 0 ? c : Integer.compare(a, b);
        });
    }

    @Override
    public void seek(byte[] key, long sequence) {
        heap.clear();
        for (int i = 0; i < sources.size(); i++) {
            sources.get(i).seek(key, sequence);
            if (sources.get(i).valid()) {
                heap.add(i);
            }
        }
        advance();
    }

    @Override
    public void seekToFirst() {
        heap.clear();
        for (int i = 0; i < sources.size(); i++) {
            sources.get(i).seekToFirst();
            if (sources.get(i).valid()) {
                heap.add(i);
            }
        }
        advance();
    }

    @Override
    public boolean valid() {
        return current != null;
    }

    @Override
    public Record current() {
        return current;
    }

    @Override
    public void next() {
        advance();
    }

    private void advance() {
        Record previous = current;
        current = null;
        while (!heap.isEmpty()) {
            int i = heap.poll();
            RecordIterator source = sources.get(i);
            Record r = source.current();
            source.next();
            if (source.valid()) {
                heap.add(i);
            }
            if (previous != null && Record.ORDER.compare(previous, r) == 0) {
                continue; // same version seen in a newer source
            }
            current = r;
            return;
        }
    }

    @Override
    public void close() {
        for (RecordIterator source : sources) {
            source.close();
        }
    }
}
