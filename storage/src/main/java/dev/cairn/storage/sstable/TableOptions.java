package dev.cairn.storage.sstable;

/** How SSTables are written: block size, restart interval, Bloom bits per key, compression. */
public record TableOptions(int blockSize, int restartInterval, int bloomBitsPerKey, Compression compression) {
    public static final TableOptions DEFAULT = new TableOptions(4096, 16, 10, Compression.NONE);

    public TableOptions {
        if (blockSize < 256 || restartInterval < 1 || bloomBitsPerKey < 1) {
            throw new IllegalArgumentException("bad table options: block " + blockSize
                    + ", restart " + restartInterval + ", bloom " + bloomBitsPerKey);
        }
    }
}
