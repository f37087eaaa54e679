package dev.cairn.storage.sstable;

import dev.cairn.storage.format.GrowableBuffer;
import dev.cairn.storage.format.Record;
import java.util.Arrays;

/**
 * Builds one block: entries with prefix-compressed keys, then the restart array.
 *
 * <pre>
 * entry   : shared varint | unshared varint | value length varint | key[shared..] | value
 * trailer : restart offset u32 * n | n u32
 * </pre>
 *
 * Invariant: every {@code restartInterval}-th entry starts a restart point and stores its whole
 * key ({@code shared == 0}), so a reader can binary-search the restart points and decode forward.
 */
public final class BlockBuilder {
    private final int restartInterval;
    private final GrowableBuffer buffer;
    private final GrowableBuffer restarts = new GrowableBuffer(64);
    private int restartCount;
    private int sinceRestart;
    private byte[] lastKey = new byte[64];
    private int lastKeyLength;
    private int entries;

    public BlockBuilder(int restartInterval, int expectedSize) {
        this.restartInterval = restartInterval;
        this.buffer = new GrowableBuffer(expectedSize + expectedSize / 4);
        reset();
    }

    public void reset() {
        buffer.reset();
        restarts.reset();
        restarts.putInt(0);
        restartCount = 1;
        sinceRestart = 0;
        lastKeyLength = 0;
        entries = 0;
    }

    /** Adds key (whole array) with a value assembled from a header and a body (none if null); keys must ascend. */
    public void add(byte[] key, byte[] valueHeader, int valueHeaderLength, byte[] valueBody) {
        int bodyLength = valueBody == null ? 0 : valueBody.length;
        addHead(key, valueHeader, valueHeaderLength, bodyLength);
        if (bodyLength > 0) {
            buffer.put(valueBody);
        }
    }

    /**
     * {@link #add(byte[], byte[], int, byte[])} with {@code record}'s value as the body, written
     * straight from the memtable's arena or the block it was read from.
     */
    public void add(byte[] key, byte[] valueHeader, int valueHeaderLength, Record record) {
        addHead(key, valueHeader, valueHeaderLength, record.valueLength());
        record.putValue(buffer);
    }

    /** Writes an entry up to its value's body, which the caller appends ({@code bodyLength} bytes). */
    private void addHead(byte[] key, byte[] valueHeader, int valueHeaderLength, int bodyLength) {
        int shared = 0;
        if (sinceRestart < restartInterval) {
            int max = Math.min(lastKeyLength, key.length);
            int mismatch = Arrays.mismatch(lastKey, 0, max, key, 0, max);
            shared = mismatch < 0 ? max : mismatch;
        } else {
            restarts.putInt(buffer.size());
            restartCount++;
            sinceRestart = 0;
        }
        buffer.putVarint(shared);
        buffer.putVarint(key.length - shared);
        buffer.putVarint(valueHeaderLength + bodyLength);
        buffer.put(key, shared, key.length - shared);
        buffer.put(valueHeader, 0, valueHeaderLength);
        if (lastKey.length < key.length) {
            lastKey = new byte[Math.max(key.length, lastKey.length * 2)];
        }
        System.arraycopy(key, 0, lastKey, 0, key.length);
        lastKeyLength = key.length;
        sinceRestart++;
        entries++;
    }

    public boolean isEmpty() {
        return entries == 0;
    }

    /** Bytes the finished block would take, before compression. */
    public int estimatedSize() {
        return buffer.size() + restarts.size() + 4;
    }

    /** Appends the restart array and returns the buffer holding the whole block. */
    public GrowableBuffer finish() {
        buffer.put(restarts.array(), 0, restarts.size());
        buffer.putInt(restartCount);
        return buffer;
    }
}
