package dev.cairn.storage.sstable;

import dev.cairn.storage.format.GrowableBuffer;
import dev.cairn.storage.format.Record;
import dev.cairn.storage.format.Varint;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Writes one SSTable from records given in {@link Record#ORDER}: data blocks, then the filter
 * block, the index block and the footer; {@link #finish} fsyncs the file. A data block's value is
 * {@code kind u8 | epoch varint | counter delta varint | millis varint | (PUT) value bytes}; an index entry maps the last internal key
 * of a data block to {@code offset varint | size varint}.
 */
public final class SsTableWriter implements Closeable {
    private static final LZ4Compressor LZ4 = LZ4Factory.fastestInstance().fastCompressor();

    private final Path file;
    private final long number;
    private final TableOptions options;
    private final FileChannel channel;
    private final ByteBuffer out = ByteBuffer.allocateDirect(256 * 1024);
    private final BlockBuilder data;
    private final BlockBuilder index;
    private final CRC32C crc = new CRC32C();
    private final byte[] valueHeader = new byte[1 + 3 * 10];
    private int[] keyHashes = new int[1024];
    private int hashCount;
    private byte[] lastUserKey;
    private byte[] lastInternalKey;
    private long offset;
    private long entries;
    private byte[] smallestKey;
    private long smallestSequence;
    private long largestSequence;
    private boolean finished;

    public SsTableWriter(Path file, long number, TableOptions options) throws IOException {
        this.file = file;
        this.number = number;
        this.options = options;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        this.data = new BlockBuilder(options.restartInterval(), options.blockSize());
        this.index = new BlockBuilder(1, 4096);
    }

    public void add(Record r) throws IOException {
        byte[] ikey = InternalKey.encode(r.key(), r.sequence());
        valueHeader[0] = r.kind();
        int headerLength = Varint.write(valueHeader, 1, r.epoch());
        headerLength = Varint.write(valueHeader, headerLength, r.counterDelta());
        headerLength = Varint.write(valueHeader, headerLength, r.millis());
        data.add(ikey, valueHeader, headerLength, r);
        if (lastUserKey == null || !Arrays.equals(lastUserKey, r.key())) {
            if (hashCount == keyHashes.length) {
                keyHashes = Arrays.copyOf(keyHashes, hashCount * 2);
            }
            keyHashes[hashCount++] = BloomFilter.hash(r.key());
            lastUserKey = r.key();
        }
        if (smallestKey == null) {
            smallestKey = r.key();
            smallestSequence = r.sequence();
        }
        largestSequence = r.sequence();
        lastInternalKey = ikey;
        entries++;
        if (data.estimatedSize() >= options.blockSize()) {
            flushDataBlock();
        }
    }

    /** Bytes written so far, including the data block being built. */
    public long estimatedSize() {
        return offset + data.estimatedSize();
    }

    public long entries() {
        return entries;
    }

    private void flushDataBlock() throws IOException {
        if (data.isEmpty()) {
            return;
        }
        GrowableBuffer block = data.finish();
        long blockOffset = offset;
        int size = writeBlock(block.array(), block.size(), options.compression());
        data.reset();
        GrowableBuffer handle = new GrowableBuffer(20);
        handle.putVarint(blockOffset);
        handle.putVarint(size);
        index.add(lastInternalKey, handle.array(), handle.size(), (byte[]) null);
    }

    /** Writes block contents plus trailer; returns the size of the contents as stored. */
    private int writeBlock(byte[] contents, int length, Compression compression) throws IOException {
        byte[] stored = contents;
        int storedLength = length;
        Compression used = Compression.NONE;
        if (compression == Compression.LZ4) {
            byte[] compressed = new byte[5 + LZ4.maxCompressedLength(length)];
            int header = Varint.write(compressed, 0, length);
            int n = LZ4.compress(contents, 0, length, compressed, header, compressed.length - header);
            if (header + n < length - length / 8) {
                stored = compressed;
                storedLength = header + n;
                used = Compression.LZ4;
            }
        }
        crc.reset();
        crc.update(stored, 0, storedLength);
        crc.update(used.id);
        write(stored, storedLength);
        byte[] trailer = {used.id, 0, 0, 0, 0};
        ByteBuffer.wrap(trailer).putInt(1, (int) crc.getValue());
        write(trailer, trailer.length);
        return storedLength;
    }

    private void write(byte[] bytes, int length) throws IOException {
        int pos = 0;
        while (pos < length) {
            if (!out.hasRemaining()) {
                drain();
            }
            int n = Math.min(out.remaining(), length - pos);
            out.put(bytes, pos, n);
            pos += n;
        }
        offset += length;
    }

    private void drain() throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        out.clear();
    }

    /** Writes filter, index and footer, fsyncs and closes the file. */
    public TableSummary finish() throws IOException {
        if (entries == 0) {
            throw new IllegalStateException("an SSTable needs at least one record: " + file);
        }
        flushDataBlock();
        byte[] filter = BloomFilter.build(keyHashes, hashCount, options.bloomBitsPerKey());
        long filterOffset = offset;
        int filterSize = writeBlock(filter, filter.length, Compression.NONE);
        GrowableBuffer indexBlock = index.finish();
        long indexOffset = offset;
        int indexSize = writeBlock(indexBlock.array(), indexBlock.size(), Compression.NONE);
        ByteBuffer footer = ByteBuffer.allocate(TableFormat.FOOTER_SIZE);
        footer.putLong(indexOffset).putInt(indexSize).putLong(filterOffset).putInt(filterSize)
                .putInt(TableFormat.FORMAT_VERSION);
        crc.reset();
        crc.update(footer.array(), 0, 28);
        footer.putInt((int) crc.getValue()).putLong(TableFormat.MAGIC);
        write(footer.array(), TableFormat.FOOTER_SIZE);
        drain();
        channel.force(true);
        channel.close();
        finished = true;
        return new TableSummary(number, offset, entries, smallestKey, smallestSequence,
                lastUserKey, largestSequence);
    }

    /** Closes; an unfinished table is deleted. */
    @Override
    public void close() throws IOException {
        if (!finished) {
            channel.close();
            Files.deleteIfExists(file);
        }
    }
}
