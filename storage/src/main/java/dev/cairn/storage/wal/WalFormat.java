package dev.cairn.storage.wal;

import dev.cairn.storage.format.Record;
import dev.cairn.storage.format.Varint;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The WAL record codec. One WAL record holds one write batch (one or more records with consecutive
 * sequence numbers), so a batch is replayed all or nothing:
 *
 * <pre>
 * header  : crc32c u32 | payload length u32 | first sequence u64 | header crc32c u32
 *           (20 bytes, big-endian; the header checksum covers length and sequence)
 * payload : count varint, then per record:
 *           kind u8 | key length varint | key | epoch varint | counter delta varint | millis varint
 *           | (PUT only) value length varint | value
 * </pre>
 *
 * The first checksum covers everything after itself; the header checksum covers the length and
 * sequence alone, so a damaged length is recognised as damage instead of being taken for a record
 * cut short at the end of the log.
 */
final class WalFormat {
    static final int HEADER_SIZE = 20;

    private WalFormat() {
    }

    /** The bytes {@link #encode} writes for {@code batch}. */
    static int size(List<Record> batch) {
        int size = HEADER_SIZE + Varint.size(batch.size());
        for (Record r : batch) {
            size += 1 + Varint.size(r.key().length) + r.key().length
                    + Varint.size(r.epoch()) + Varint.size(r.counterDelta()) + Varint.size(r.millis());
            if (!r.isDelete()) {
                size += Varint.size(r.valueLength()) + r.valueLength();
            }
        }
        return size;
    }

    /**
     * Encodes a batch whose records carry sequences firstSequence, firstSequence + 1, ... at
     * {@code buf}'s position, which must have {@code size} ({@link #size}) bytes left and moves
     * past them. The buffer may be direct: the WAL writer encodes into one it keeps, which the OS
     * then reads without another copy.
     */
    static void encode(List<Record> batch, int size, ByteBuffer buf) {
        int start = buf.position();
        buf.position(start + 4);
        buf.putInt(size - HEADER_SIZE);
        buf.putLong(batch.get(0).sequence());
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        update(crc, buf, start + 4, start + 16);
        buf.putInt((int) crc.getValue());
        Varint.write(buf, batch.size());
        for (Record r : batch) {
            buf.put(r.kind());
            Varint.write(buf, r.key().length);
            buf.put(r.key());
            Varint.write(buf, r.epoch());
            Varint.write(buf, r.counterDelta());
            Varint.write(buf, r.millis());
            if (!r.isDelete()) {
                Varint.write(buf, r.value().length);
                buf.put(r.value());
            }
        }
        crc.reset();
        update(crc, buf, start + 4, start + size);
        buf.putInt(start, (int) crc.getValue());
    }

    /** Adds buf[from, to) to {@code crc}, leaving buf's position and limit as they were (no duplicate per record). */
    private static void update(java.util.zip.CRC32C crc, ByteBuffer buf, int from, int to) {
        int position = buf.position();
        int limit = buf.limit();
        buf.limit(to).position(from);
        crc.update(buf);
        buf.limit(limit).position(position);
    }

    /** Decodes a payload; throws IllegalArgumentException if it is malformed. */
    static List<Record> decodePayload(ByteBuffer payload, long firstSequence) {
        int count = Varint.readLength(payload, payload.remaining());
        if (count == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        List<Record> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte kind = payload.get();
            byte[] key = new byte[Varint.readLength(payload, payload.remaining())];
            payload.get(key);
            long epoch = Varint.read(payload);
            long counter = Record.counter(firstSequence + i, Varint.read(payload));
            long millis = Varint.read(payload);
            byte[] value = null;
            if (kind == Record.PUT) {
                value = new byte[Varint.readLength(payload, payload.remaining())];
                payload.get(value);
            }
            records.add(Record.decoded(kind, key, firstSequence + i, epoch, counter, millis, value));
        }
        if (payload.hasRemaining()) {
            throw new IllegalArgumentException(payload.remaining() + " trailing bytes after the batch");
        }
        return records;
    }
}
