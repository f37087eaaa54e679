package dev.cairn.storage.sstable;

import dev.cairn.api.CorruptionException;
import dev.cairn.storage.StorageStats;
import dev.cairn.storage.format.Record;
import dev.cairn.storage.format.RecordIterator;
import dev.cairn.storage.format.Varint;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FastDecompressor;

/**
 * Reads one SSTable. Opening reads and verifies the footer, the index and the filter, which stay
 * in memory. Data blocks are read on demand in one of two ways ({@link BlockCache#mapTables}):
 * <ul>
 *   <li>mapped (the default): the file is mapped read-only and a block is copied out of the
 *       mapping at each read, checksummed, and not cached — no system call, one copy where a
 *       positional read into a heap array makes two, and the page cache is the only cache. A
 *       cached copy would be a long-lived object: filling and churning a heap cache of them cost
 *       read-only workloads 5-25% of their time in the collector, and saved less than it cost;
 *   <li>read: positional reads (any number of threads share one channel) into the
 *       {@link BlockCache}; also for a table too large for one mapping (2 GiB).
 * </ul>
 * A mapping is released when the reader is closed, which the table's reference count makes the
 * moment no version lists the table any more (see {@code TableFile}).
 *
 * <p>Every block is checksummed when read; a mismatch, a bad footer, a truncated file or a
 * malformed entry raises {@link CorruptionException} with this file and the offset of the block.
 */
public final class SsTableReader implements Closeable {
    private static final LZ4FastDecompressor LZ4 = LZ4Factory.fastestInstance().fastDecompressor();

    private final Path file;
    private final long number;
    private final FileChannel channel;
    private final BlockCache cache;
    private final StorageStats stats;
    private final BloomFilter filter;
    private final byte[][] indexKeys;
    private final long[] blockOffsets;
    private final int[] blockSizes;
    /** The whole file, mapped read-only; null for a table too large for one mapping. */
    private final MappedByteBuffer map;

    private SsTableReader(Path file, long number, FileChannel channel, MappedByteBuffer map, BlockCache cache,
                          StorageStats stats, BloomFilter filter, byte[][] indexKeys, long[] blockOffsets, int[] blockSizes) {
        this.file = file;
        this.number = number;
        this.channel = channel;
        this.map = map;
        this.cache = cache;
        this.stats = stats;
        this.filter = filter;
        this.indexKeys = indexKeys;
        this.blockOffsets = blockOffsets;
        this.blockSizes = blockSizes;
    }

    public static SsTableReader open(Path file, long number, BlockCache cache, StorageStats stats) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < TableFormat.FOOTER_SIZE) {
                throw new CorruptionException(file, 0, "file of " + size + " bytes is shorter than the footer");
            }
            long footerOffset = size - TableFormat.FOOTER_SIZE;
            ByteBuffer footer = ByteBuffer.allocate(TableFormat.FOOTER_SIZE);
            readFully(channel, footer, footerOffset);
            if (footer.getLong(32) != TableFormat.MAGIC) {
                throw new CorruptionException(file, footerOffset + 32, "bad magic number (not an SSTable, or truncated)");
            }
            CRC32C crc = new CRC32C();
            crc.update(footer.array(), 0, 28);
            if ((int) crc.getValue() != footer.getInt(28)) {
                throw new CorruptionException(file, footerOffset, "footer checksum mismatch");
            }
            if (footer.getInt(24) != TableFormat.FORMAT_VERSION) {
                throw new CorruptionException(file, footerOffset + 24, "unknown format version " + footer.getInt(24));
            }
            long indexOffset = footer.getLong(0);
            int indexSize = footer.getInt(8);
            long filterOffset = footer.getLong(12);
            int filterSize = footer.getInt(20);
            checkHandle(file, indexOffset, indexSize, footerOffset);
            checkHandle(file, filterOffset, filterSize, footerOffset);

            byte[] filterBytes = readBlockContents(file, channel, filterOffset, filterSize);
            BloomFilter filter;
            Block index;
            try {
                filter = BloomFilter.read(filterBytes);
                index = new Block(readBlockContents(file, channel, indexOffset, indexSize));
            } catch (IllegalArgumentException e) {
                throw new CorruptionException(file, filterOffset, "malformed filter or index: " + e.getMessage(), e);
            }
            java.util.ArrayList<byte[]> keys = new java.util.ArrayList<>();
            java.util.ArrayList<long[]> handles = new java.util.ArrayList<>();
            try {
                Block.Cursor c = index.new Cursor();
                for (c.seekToFirst(); c.valid(); c.next()) {
                    keys.add(java.util.Arrays.copyOf(c.key, c.keyLength));
                    ByteBuffer v = ByteBuffer.wrap(index.data, c.valueOffset, c.valueLength);
                    long off = Varint.read(v);
                    long len = Varint.read(v);
                    checkHandle(file, off, len, filterOffset);
                    handles.add(new long[] {off, len});
                }
            } catch (IllegalArgumentException e) {
                throw new CorruptionException(file, indexOffset, "malformed index block: " + e.getMessage(), e);
            }
            long[] offsets = new long[handles.size()];
            int[] sizes = new int[handles.size()];
            for (int i = 0; i < offsets.length; i++) {
                offsets[i] = handles.get(i)[0];
                sizes[i] = (int) handles.get(i)[1];
            }
            MappedByteBuffer map = cache.mapTables() && size <= Integer.MAX_VALUE
                    ? channel.map(FileChannel.MapMode.READ_ONLY, 0, size) : null;
            return new SsTableReader(file, number, channel, map, cache, stats, filter,
                    keys.toArray(new byte[0][]), offsets, sizes);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static void checkHandle(Path file, long offset, long size, long limit) {
        if (offset < 0 || size < 0 || offset + size + TableFormat.BLOCK_TRAILER > limit) {
            throw new CorruptionException(file, offset, "block handle (" + offset + ", " + size + ") outside the file");
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = channel.read(buf, position + buf.position());
            if (n < 0) {
                throw new java.io.EOFException();
            }
        }
        buf.flip();
    }

    /** Reads, verifies and decompresses the block at offset into an array of its own. */
    private static byte[] readBlockContents(Path file, FileChannel channel, long offset, int size) throws IOException {
        Contents c = readBlock(file, channel, offset, size);
        return c.length == c.data.length ? c.data : java.util.Arrays.copyOf(c.data, c.length);
    }

    /** Verified, decompressed block contents in data[0, length). */
    private record Contents(byte[] data, int length) {
    }

    /** Reads, verifies and decompresses the block at offset; an uncompressed block keeps its trailer bytes after {@code length}. */
    private static Contents readBlock(Path file, FileChannel channel, long offset, int size) throws IOException {
        return verify(file, offset, readStored(channel, offset, size), size);
    }

    /** The stored block of {@code size} bytes at {@code offset} (contents and trailer), read into an array of its own. */
    private static byte[] readStored(FileChannel channel, long offset, int size) throws IOException {
        byte[] raw = new byte[size + TableFormat.BLOCK_TRAILER];
        readFully(channel, ByteBuffer.wrap(raw), offset);
        return raw;
    }

    /** Checks the trailer of the stored block in raw[0, size + trailer) and decompresses it. */
    private static Contents verify(Path file, long offset, byte[] raw, int size) {
        ByteBuffer buf = ByteBuffer.wrap(raw);
        byte type = raw[size];
        CRC32C crc = new CRC32C();
        crc.update(raw, 0, size + 1);
        if ((int) crc.getValue() != buf.getInt(size + 1)) {
            throw new CorruptionException(file, offset, "block checksum mismatch");
        }
        if (type == Compression.NONE.id) {
            return new Contents(raw, size);
        }
        if (type != Compression.LZ4.id) {
            throw new CorruptionException(file, offset, "unknown compression type " + type);
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(raw, 0, size);
            int length = Varint.readLength(in, 64 * 1024 * 1024);
            byte[] out = new byte[length];
            LZ4.decompress(raw, in.position(), out, 0, length);
            return new Contents(out, length);
        } catch (IllegalArgumentException | LZ4Exception e) {
            throw new CorruptionException(file, offset, "cannot decompress block: " + e.getMessage(), e);
        }
    }

    private Block block(int i) {
        return block(i, null);
    }

    /**
     * Block {@code i}: copied out of the mapping (into {@code scratch} when given, else into an
     * array of its own), or, for a table that is not mapped, through the cache.
     */
    private Block block(int i, byte[] scratch) {
        if (map != null) {
            stats.blockCacheMisses.increment(); // read from the file, not from Cairn's cache
            return mapped(i, scratch);
        }
        long key = BlockCache.key(number, blockOffsets[i]);
        Block b = cache.get(key);
        if (b != null) {
            stats.blockCacheHits.increment();
            return b;
        }
        stats.blockCacheMisses.increment();
        b = parse(i, stored(i));
        cache.put(key, b);
        return b;
    }

    /** Block {@code i} from its stored bytes: checksum verified, decompressed, its restarts read. */
    private Block parse(int i, byte[] raw) {
        try {
            Contents c = verify(file, blockOffsets[i], raw, blockSizes[i]);
            return new Block(c.data(), c.length());
        } catch (IllegalArgumentException e) {
            throw new CorruptionException(file, blockOffsets[i], "malformed block: " + e.getMessage(), e);
        }
    }

    /** Index of the first block whose last key is >= (key, sequence), or the block count. */
    private int findBlock(byte[] key, long sequence) {
        int lo = 0;
        int hi = indexKeys.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (InternalKey.compare(indexKeys[mid], indexKeys[mid].length, key, sequence) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    public long number() {
        return number;
    }

    public Path file() {
        return file;
    }

    /** The newest version of {@code key} with sequence at most {@code maxSequence}, or null. */
    public Record get(byte[] key, long maxSequence) {
        if (!filter.mightContain(key)) {
            stats.bloomFilterSkips.increment();
            return null;
        }
        int i = findBlock(key, maxSequence);
        if (i == indexKeys.length) {
            return null;
        }
        // A point read of a mapped table reads the block into the thread's scratch array and
        // copies out only the value it finds: no block-sized array per read.
        boolean scratch = map != null && blockSizes[i] + TableFormat.BLOCK_TRAILER <= MAX_SCRATCH;
        Block b = block(i, scratch ? scratch(blockSizes[i] + TableFormat.BLOCK_TRAILER) : null);
        try {
            Block.Cursor c = b.new Cursor();
            c.seek(key, maxSequence);
            if (c.valid() && InternalKey.userKeyEquals(c.key, c.keyLength, key)) {
                return decode(c, b, scratch);
            }
            return null;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new CorruptionException(file, blockOffsets[i], "malformed entry: " + e.getMessage(), e);
        }
    }

    /** The largest stored block a point read copies into its thread's scratch array; larger ones get their own. */
    private static final int MAX_SCRATCH = 256 * 1024;
    private static final ThreadLocal<byte[][]> SCRATCH = ThreadLocal.withInitial(() -> new byte[1][]);

    /**
     * The calling thread's scratch array, at least {@code size} bytes. A point read holds it only
     * until it returns ({@link #decode} copies the value out), and a thread reads one block at a time.
     */
    private static byte[] scratch(int size) {
        byte[][] holder = SCRATCH.get();
        byte[] a = holder[0];
        if (a == null || a.length < size) {
            a = new byte[Math.max(size, a == null ? 8 * 1024 : Math.min(MAX_SCRATCH, a.length * 2))];
            holder[0] = a;
        }
        return a;
    }

    /** The record at the cursor; its value copied out of the block when {@code copyValue} (a scratch block). */
    private Record decode(Block.Cursor c, Block b, boolean copyValue) {
        byte[] ukey = InternalKey.userKey(c.key, c.keyLength);
        long seq = InternalKey.sequence(c.key, c.keyLength);
        byte kind = b.data[c.valueOffset];
        ByteBuffer v = ByteBuffer.wrap(b.data, c.valueOffset + 1, c.valueLength - 1);
        long epoch = Varint.read(v);
        long counter = Record.counter(seq, Varint.read(v));
        long millis = Varint.read(v);
        if (kind == Record.PUT) { // the value stays in the block until someone reads it
            int at = v.position();
            int length = c.valueOffset + c.valueLength - at;
            if (copyValue) {
                return Record.decoded(kind, ukey, seq, epoch, counter, millis, Arrays.copyOfRange(b.data, at, at + length));
            }
            return Record.decodedPut(ukey, seq, epoch, counter, millis, b.data, at, length);
        }
        return Record.decoded(kind, ukey, seq, epoch, counter, millis, null);
    }

    /**
     * Block {@code i} as stored (contents and trailer) in an array of its own: copied from the
     * mapping, or read from the channel when the table is not mapped.
     */
    private byte[] stored(int i) {
        long offset = blockOffsets[i];
        if (map == null) {
            try {
                return readStored(channel, offset, blockSizes[i]);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + " at " + offset, e);
            }
        }
        return storedInto(i, new byte[blockSizes[i] + TableFormat.BLOCK_TRAILER]);
    }

    /** Copies block {@code i} as stored from the mapping into the start of {@code raw}. */
    private byte[] storedInto(int i, byte[] raw) {
        map.get((int) blockOffsets[i], raw, 0, blockSizes[i] + TableFormat.BLOCK_TRAILER);
        return raw;
    }

    /**
     * Block {@code i} of a mapped table. A fault in mapped memory (SIGBUS: the file shrank under
     * the mapping, or the disk failed) reaches Java as an {@link InternalError} at the thread's
     * next safepoint check after the copy — in practice within the checksum that follows it — so
     * the copy and the parse are guarded together. Copied into {@code into} when given (a
     * thread's scratch array), else into an array of its own.
     */
    private Block mapped(int i, byte[] into) {
        try {
            return parse(i, into == null ? stored(i) : storedInto(i, into));
        } catch (InternalError e) {
            throw new CorruptionException(file, blockOffsets[i], "cannot read the block from the mapped file "
                    + "(truncated, or an I/O error): " + e.getMessage(), e);
        }
    }

    /**
     * Reads consecutive blocks for one sequential pass (a compaction): 1 MiB reads ahead, and
     * blocks do not go through the cache, so a compaction neither issues one small read per block
     * nor evicts the blocks that point reads need.
     */
    private final class Readahead {
        private static final int SIZE = 1 << 20;
        private ByteBuffer buffer; // only for a table that is not mapped
        private long start = -1;
        private int filled;

        Block block(int i) {
            long offset = blockOffsets[i];
            if (map != null) { // the mapping needs no read-ahead: the kernel reads ahead of page faults
                return mapped(i, null);
            }
            int stored = blockSizes[i] + TableFormat.BLOCK_TRAILER;
            if (start < 0 || offset < start || offset + stored > start + filled) {
                if (buffer == null || buffer.capacity() < stored) {
                    buffer = ByteBuffer.allocate(Math.max(SIZE, stored));
                }
                buffer.clear();
                try {
                    int n;
                    while (buffer.hasRemaining() && (n = channel.read(buffer, offset + buffer.position())) > 0) {
                        // keep filling
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file + " at " + offset, e);
                }
                start = offset;
                filled = buffer.position();
                if (filled < stored) {
                    throw new CorruptionException(file, offset, "block runs past the end of the file");
                }
            }
            byte[] raw = java.util.Arrays.copyOfRange(buffer.array(), (int) (offset - start), (int) (offset - start) + stored);
            try {
                Contents c = verify(file, offset, raw, blockSizes[i]);
                return new Block(c.data(), c.length());
            } catch (IllegalArgumentException e) {
                throw new CorruptionException(file, offset, "malformed block: " + e.getMessage(), e);
            }
        }
    }

    /** A cursor over the whole table, reading through the block cache. */
    public RecordIterator iterator() {
        return iterator(false);
    }

    /** A cursor for one sequential pass over the table, reading ahead and bypassing the cache. */
    public RecordIterator sequentialIterator() {
        return iterator(true);
    }

    private RecordIterator iterator(boolean sequential) {
        Readahead readahead = sequential ? new Readahead() : null;
        return new RecordIterator() {
            private int blockIndex;
            private Block block;
            private Block.Cursor cursor;
            private Record current;

            @Override
            public void seek(byte[] key, long sequence) {
                blockIndex = findBlock(key, sequence);
                if (openBlock()) {
                    guarded(() -> cursor.seek(key, sequence));
                    settle();
                }
            }

            @Override
            public void seekToFirst() {
                blockIndex = 0;
                if (openBlock()) {
                    guarded(cursor::seekToFirst);
                    settle();
                }
            }

            private boolean openBlock() {
                current = null;
                if (blockIndex >= indexKeys.length) {
                    return false;
                }
                block = readahead != null ? readahead.block(blockIndex) : block(blockIndex);
                cursor = block.new Cursor();
                return true;
            }

            /** Moves to the next block while the cursor is exhausted, then decodes the current entry. */
            private void settle() {
                while (!cursor.valid()) {
                    blockIndex++;
                    if (!openBlock()) {
                        return;
                    }
                    guarded(cursor::seekToFirst);
                }
                guarded(() -> current = decode(cursor, block, false));
            }

            private void guarded(Runnable step) {
                try {
                    step.run();
                } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                    throw new CorruptionException(file, blockOffsets[blockIndex], "malformed entry: " + e.getMessage(), e);
                }
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
                guarded(cursor::next);
                settle();
            }
        };
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            if (map != null) {
                Unmapper.unmap(map);
            }
        }
    }
}
