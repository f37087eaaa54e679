package dev.cairn.storage.sstable;

/** Block compression of SSTables. The type byte in each block's trailer says which was used. */
public enum Compression {
    NONE((byte) 0),
    LZ4((byte) 1);

    final byte id;

    Compression(byte id) {
        this.id = id;
    }
}
