package dev.cairn.storage.format;

import java.util.Arrays;

/** An append-only byte array that grows as needed, for building blocks and records. */
public final class GrowableBuffer {
    private byte[] bytes;
    private int size;

    public GrowableBuffer(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int extra) {
        if (size + extra > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + extra));
        }
    }

    public void put(byte b) {
        ensure(1);
        bytes[size++] = b;
    }

    public void put(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, bytes, size, len);
        size += len;
    }

    /** The next {@code length} bytes, appended now, to be filled through the buffer returned (positioned at them). */
    public java.nio.ByteBuffer append(int length) {
        ensure(length);
        java.nio.ByteBuffer view = java.nio.ByteBuffer.wrap(bytes, size, length);
        size += length;
        return view;
    }

    public void put(byte[] src) {
        put(src, 0, src.length);
    }

    public void putVarint(long v) {
        ensure(10);
        size = Varint.write(bytes, size, v);
    }

    public void putInt(int v) {
        ensure(4);
        bytes[size++] = (byte) (v >>> 24);
        bytes[size++] = (byte) (v >>> 16);
        bytes[size++] = (byte) (v >>> 8);
        bytes[size++] = (byte) v;
    }

    public void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    public int size() {
        return size;
    }

    /** The backing array; valid bytes are [0, size()). */
    public byte[] array() {
        return bytes;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    public void reset() {
        size = 0;
    }
}
