package dev.cairn.storage.sstable;

/**
 * Constants of the SSTable layout.
 *
 * <pre>
 * block on disk : contents | compression type u8 | crc32c u32 (over contents and type)
 * footer (40 B) : index offset u64 | index size u32 | filter offset u64 | filter size u32
 *                 | format version u32 | crc32c u32 (over the 28 bytes before it) | magic u64
 * </pre>
 */
final class TableFormat {
    static final int BLOCK_TRAILER = 5;
    static final int FOOTER_SIZE = 40;
    static final int FORMAT_VERSION = 2; // 2: entries carry a version and a tombstone instant
    /** "CAIRNSST" in ASCII. */
    static final long MAGIC = 0x434149524E535354L;

    private TableFormat() {
    }
}
