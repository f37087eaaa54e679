package dev.cairn.storage;

import java.util.Arrays;

/**
 * Each key's latest state in a batch (the entry a write left, null if deleted; or the last
 * value of a putAll), in the order keys were first written: what the LSM tree's and the memory
 * store's batches decide their writes on. Batches are mostly a pipeline's few writes: a scan of
 * the keys written beats hashing each key, until there are more than {@value #SCANNED} of them
 * and a hash index takes over.
 */
public final class BatchOverlay<V> {
    public BatchOverlay() {
    }

    private static final int SCANNED = 16;
    private byte[][] keys = new byte[4][];
    private Object[] entries = new Object[4];
    private int size;
    private java.util.HashMap<dev.cairn.api.ByteKey, Integer> index;

    /** The slot of {@code key}, or -1 if the batch has not written it. */
    public int find(byte[] key) {
        if (index != null) {
            Integer i = index.get(new dev.cairn.api.ByteKey(key));
            return i == null ? -1 : i;
        }
        for (int i = size - 1; i >= 0; i--) {
            if (Arrays.equals(keys[i], key)) {
                return i;
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    public V entry(int slot) {
        return (V) entries[slot];
    }

    public byte[] key(int slot) {
        return keys[slot];
    }

    public int size() {
        return size;
    }

    /** Records {@code entry} for {@code key}, whose slot {@link #find} gave. */
    public void put(int slot, byte[] key, V entry) {
        if (slot >= 0) {
            entries[slot] = entry;
            return;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            entries = Arrays.copyOf(entries, size * 2);
        }
        keys[size] = key;
        entries[size] = entry;
        if (index != null) {
            index.put(new dev.cairn.api.ByteKey(key), size);
        } else if (size == SCANNED) {
            index = new java.util.HashMap<>();
            for (int i = 0; i <= size; i++) {
                index.put(new dev.cairn.api.ByteKey(keys[i]), i);
            }
        }
        size++;
    }
}
