package dev.cairn.storage.format;

import java.util.List;

/**
 * Merges sorted record iterators into one sorted stream. Sources are given newest first; two
 * records can only compare equal if they are the same version of the same key, and then the
 * newer source wins and the duplicate is skipped.
 *
 * <p>A binary min-heap of source indexes in an {@code int[]} (no boxing): the top is the source
 * whose current record comes first, ties broken by source order. Each source's current record is
 * kept beside it ({@code heads}), so a comparison in the heap reads two array slots instead of
 * making two interface calls into the sources.
 */
public final class MergingIterator implements RecordIterator {
    private final RecordIterator[] sources;
    private final int[] heap;
    /** The current record of each source in the heap. */
    private final Record[] heads;
    private int size;
    private Record current;

    public MergingIterator(List<RecordIterator> sources) {
        this.sources = sources.toArray(new RecordIterator[0]);
        this.heap = new int[this.sources.length];
        this.heads = new Record[this.sources.length];
    }

    @Override
    public void seek(byte[] key, long sequence) {
        size = 0;
        for (int i = 0; i < sources.length; i++) {
            sources[i].seek(key, sequence);
            push(i);
        }
        advance();
    }

    @Override
    public void seekToFirst() {
        size = 0;
        for (int i = 0; i < sources.length; i++) {
            sources[i].seekToFirst();
            push(i);
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
        while (size > 0) {
            int i = heap[0];
            RecordIterator source = sources[i];
            Record r = heads[i];
            source.next();
            if (source.valid()) {
                heads[i] = source.current();
                siftDown(0);
            } else {
                heads[i] = null;
                heap[0] = heap[--size];
                if (size > 0) {
                    siftDown(0);
                }
            }
            if (previous != null && Record.ORDER.compare(previous, r) == 0) {
                continue; // the same version, already returned from a newer source
            }
            current = r;
            return;
        }
    }

    private boolean less(int a, int b) {
        int c = Record.ORDER.compare(heads[a], heads[b]);
        return c < 0 || (c == 0 && a < b);
    }

    private void push(int source) {
        if (!sources[source].valid()) {
            heads[source] = null;
            return;
        }
        heads[source] = sources[source].current();
        int pos = size++;
        heap[pos] = source;
        while (pos > 0) {
            int parent = (pos - 1) >>> 1;
            if (!less(heap[pos], heap[parent])) {
                break;
            }
            int t = heap[pos];
            heap[pos] = heap[parent];
            heap[parent] = t;
            pos = parent;
        }
    }

    private void siftDown(int pos) {
        while (true) {
            int left = 2 * pos + 1;
            if (left >= size) {
                return;
            }
            int smallest = left;
            int right = left + 1;
            if (right < size && less(heap[right], heap[left])) {
                smallest = right;
            }
            if (!less(heap[smallest], heap[pos])) {
                return;
            }
            int t = heap[pos];
            heap[pos] = heap[smallest];
            heap[smallest] = t;
            pos = smallest;
        }
    }

    @Override
    public void close() {
        for (RecordIterator source : sources) {
            source.close();
        }
    }
}
