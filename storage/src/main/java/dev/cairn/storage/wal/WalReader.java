package dev.cairn.storage.wal;

import dev.cairn.api.CorruptionException;
import dev.cairn.storage.WalRecovery;
import dev.cairn.storage.format.Record;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Replays one WAL segment on recovery.
 *
 * <p>The newest segment's records end where only zeros follow to the end of the file: zeros a
 * {@code SYNC} writer wrote ahead of its records, which a crash leaves in place (the writer cuts
 * them off a finished segment), or a file a crash left extended but unwritten.
 *
 * <p>What counts as a torn tail: only the last record of the newest segment, and only if nothing
 * but zeros follows the part of it that is there: it is cut short (its header, or the payload its
 * checksummed header announces, runs past the end of the file), or its header is damaged and only
 * zeros follow the header, or it fails its checksum and only zeros (or nothing) follow it — what a
 * crash in the middle of an append leaves. That record was never acknowledged (a SYNC write
 * returns after its fsync), so it is dropped and reported. Anything else that fails a check is
 * corruption: {@link CorruptionException} with the file and the record's offset, unless salvage
 * is on, in which case the record (or, if its length cannot be trusted, the rest of the segment)
 * is skipped and reported.
 */
public final class WalReader {
    private WalReader() {
    }

    /**
     * The outcome of replaying one segment. {@code stopped}: replay stopped at a damaged record
     * and, in {@link WalRecovery#POINT_IN_TIME} mode, later segments must not be replayed.
     */
    public record Replay(long records, long maxSequence, String dropped, boolean stopped) {
    }

    private static boolean headerIntact(ByteBuffer data, int pos, CRC32C crc) {
        crc.reset();
        crc.update(data.array(), pos + 4, 12);
        return (int) crc.getValue() == data.getInt(pos + 16);
    }

    private static boolean allZero(ByteBuffer data, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code file} is empty or holds nothing but zeros. */
    public static boolean blank(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] != 0) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    /**
     * Feeds each batch of {@code file} to {@code sink}, in order.
     *
     * @param newestSegment whether this is the newest segment with any records (later ones hold
     *     nothing but zeros), which may end in zeros and whose final record may be torn
     * @param mode what to do with a damaged record
     * @param report receives one line per dropped or skipped record
     */
    public static Replay replay(Path file, boolean newestSegment, WalRecovery mode,
                                Consumer<List<Record>> sink, Consumer<String> report) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file));
        int size = data.limit();
        int pos = 0;
        long records = 0;
        long maxSequence = 0;
        String dropped = null;
        CRC32C crc = new CRC32C();
        while (pos < size) {
            if (newestSegment && allZero(data, pos, size)) {
                break; // the end of the records: zeros written ahead, or an extension a crash left unwritten
            }
            String problem = null;
            boolean torn = false;
            boolean rotOrTorn = false;
            int end = -1;
            if (size - pos < WalFormat.HEADER_SIZE) {
                problem = "record header cut short (" + (size - pos) + " of " + WalFormat.HEADER_SIZE + " bytes)";
                torn = true;
            } else if (!headerIntact(data, pos, crc)) {
                problem = "record header checksum mismatch";
                torn = allZero(data, pos + WalFormat.HEADER_SIZE, size); // only part of the header landed
            } else {
                int stored = data.getInt(pos);
                int length = data.getInt(pos + 4);
                long firstSequence = data.getLong(pos + 8);
                long longEnd = (long) pos + WalFormat.HEADER_SIZE + length;
                if (length < 0 || longEnd > size) {
                    problem = "record of " + length + " bytes runs past the end of the file (" + size + " bytes)";
                    torn = true;
                } else {
                    end = (int) longEnd;
                    crc.reset();
                    crc.update(data.array(), pos + 4, end - pos - 4);
                    if ((int) crc.getValue() != stored) {
                        problem = "checksum mismatch";
                        torn = allZero(data, end, size);
                        rotOrTorn = torn;
                    } else {
                        List<Record> batch = null;
                        try {
                            batch = WalFormat.decodePayload(data.slice(pos + WalFormat.HEADER_SIZE, length), firstSequence);
                        } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
                            problem = "malformed batch: " + e.getMessage();
                        }
                        if (batch != null) {
                            sink.accept(batch);
                            records += batch.size();
                            maxSequence = Math.max(maxSequence, firstSequence + batch.size() - 1);
                        }
                    }
                }
            }
            if (problem != null) {
                String what = describe(data, pos, size, end, crc) + ": " + problem;
                if (torn && newestSegment && mode == WalRecovery.TOLERATE_TORN_TAIL) {
                    dropped = "dropped the last record of " + file + " at offset " + pos + ", " + what
                            + (rotOrTorn ? " (a torn write or bit rot: the bytes cannot tell)" : " (a torn write)");
                    report.accept(dropped);
                    break;
                }
                switch (mode) {
                    case TOLERATE_TORN_TAIL, ABSOLUTE_CONSISTENCY -> throw new CorruptionException(file, pos, what);
                    case POINT_IN_TIME -> {
                        dropped = "point-in-time recovery: dropped " + file + " from offset " + pos + " ("
                                + (size - pos) + " bytes) and every later segment; first damaged record: " + what;
                        report.accept(dropped);
                        return new Replay(records, maxSequence, dropped, true);
                    }
                    case SKIP_CORRUPTED -> {
                        if (end < 0) {
                            report.accept("skipped the rest of " + file + " from offset " + pos + " (" + (size - pos)
                                    + " bytes): " + what);
                            return new Replay(records, maxSequence, dropped, false);
                        }
                        report.accept("skipped the record at " + file + " offset " + pos + ", " + what);
                    }
                }
            }
            pos = end;
        }
        return new Replay(records, maxSequence, dropped, false);
    }

    /** The damaged record's extent and, when its header can be trusted, its sequence numbers. */
    private static String describe(ByteBuffer data, int pos, int size, int end, CRC32C crc) {
        int bytes = (end < 0 ? size : end) - pos;
        if (size - pos >= WalFormat.HEADER_SIZE && headerIntact(data, pos, crc)) {
            return bytes + " bytes, the batch from sequence " + data.getLong(pos + 8);
        }
        return bytes + " bytes";
    }
}
