package dev.cairn.storage.manifest;

import dev.cairn.api.CorruptionException;
import dev.cairn.storage.FileNames;
import dev.cairn.storage.format.GrowableBuffer;
import dev.cairn.storage.format.Varint;
import dev.cairn.storage.sstable.TableSummary;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The persisted description of a store: one record holding the whole live file set. Small (a few
 * dozen bytes per table), so it is rewritten whole on every change, which makes each change
 * atomic without an edit log: write {@code MANIFEST.tmp}, fsync it, rename it over
 * {@code MANIFEST}, fsync the directory.
 *
 * <pre>
 * record  : crc32c u32 (over everything after it) | payload length u32 | payload
 * payload : magic u32 "CMF2" | next file number varint | last sequence varint | log number varint
 *           | table count varint | per table: level u8 | number varint | size varint | entries varint
 *           | smallest key length varint | smallest key | smallest sequence varint
 *           | largest key length varint | largest key | largest sequence varint
 *           | next namespace id varint | namespace count varint
 *           | per namespace: id varint | name length varint | name (UTF-8)
 * </pre>
 */
public final class Manifest {
    private static final int MAGIC = 0x434D4632; // "CMF2": with the namespace catalog

    /** A table and the level it lives on. */
    public record LeveledTable(int level, TableSummary table) {
    }

    /**
     * The state the manifest holds.
     *
     * @param nextFileNumber the next number to give a WAL segment or table
     * @param lastSequence the highest sequence number in any table (the WAL may add more)
     * @param logNumber WAL segments numbered below this are fully flushed and not replayed
     * @param nextNamespaceId the next id to give a namespace (ids are never reused)
     * @param namespaces the live namespaces: name to id
     */
    public record State(long nextFileNumber, long lastSequence, long logNumber, List<LeveledTable> tables,
                        int nextNamespaceId, java.util.SortedMap<String, Integer> namespaces) {
    }

    private Manifest() {
    }

    public static boolean exists(Path dir) {
        return Files.exists(dir.resolve(FileNames.MANIFEST));
    }

    public static void write(Path dir, State state) throws IOException {
        GrowableBuffer payload = new GrowableBuffer(256);
        payload.putInt(MAGIC);
        payload.putVarint(state.nextFileNumber());
        payload.putVarint(state.lastSequence());
        payload.putVarint(state.logNumber());
        payload.putVarint(state.tables().size());
        for (LeveledTable lt : state.tables()) {
            TableSummary t = lt.table();
            payload.put((byte) lt.level());
            payload.putVarint(t.number());
            payload.putVarint(t.size());
            payload.putVarint(t.entries());
            payload.putVarint(t.smallestKey().length);
            payload.put(t.smallestKey());
            payload.putVarint(t.smallestSequence());
            payload.putVarint(t.largestKey().length);
            payload.put(t.largestKey());
            payload.putVarint(t.largestSequence());
        }
        payload.putVarint(state.nextNamespaceId());
        payload.putVarint(state.namespaces().size());
        for (java.util.Map.Entry<String, Integer> ns : state.namespaces().entrySet()) {
            byte[] name = ns.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            payload.putVarint(ns.getValue());
            payload.putVarint(name.length);
            payload.put(name);
        }
        ByteBuffer record = ByteBuffer.allocate(8 + payload.size());
        record.putInt(0).putInt(payload.size()).put(payload.array(), 0, payload.size());
        CRC32C crc = new CRC32C();
        crc.update(record.array(), 4, record.capacity() - 4);
        record.putInt(0, (int) crc.getValue());
        record.flip();

        Path temp = dir.resolve(FileNames.MANIFEST_TEMP);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (record.hasRemaining()) {
                ch.write(record);
            }
            ch.force(true);
        }
        Files.move(temp, dir.resolve(FileNames.MANIFEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        FileNames.fsyncDirectory(dir);
    }

    public static State read(Path dir) throws IOException {
        Path file = dir.resolve(FileNames.MANIFEST);
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        if (in.remaining() < 8) {
            throw new CorruptionException(file, 0, "manifest of " + in.remaining() + " bytes is shorter than its header");
        }
        int stored = in.getInt(0);
        int length = in.getInt(4);
        if (length < 0 || 8L + length != in.limit()) {
            throw new CorruptionException(file, 4, "payload length " + length + " does not match the file size " + in.limit());
        }
        CRC32C crc = new CRC32C();
        crc.update(in.array(), 4, in.limit() - 4);
        if ((int) crc.getValue() != stored) {
            throw new CorruptionException(file, 0, "manifest checksum mismatch");
        }
        in.position(8);
        try {
            if (in.getInt() != MAGIC) {
                throw new CorruptionException(file, 8, "bad manifest magic");
            }
            long nextFile = Varint.read(in);
            long lastSeq = Varint.read(in);
            long logNumber = Varint.read(in);
            int count = Varint.readLength(in, in.remaining());
            List<LeveledTable> tables = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int level = in.get();
                if (level < 0 || level >= TableSet.LEVELS) {
                    throw new IllegalArgumentException("level " + level);
                }
                long number = Varint.read(in);
                long size = Varint.read(in);
                long entries = Varint.read(in);
                byte[] smallest = new byte[Varint.readLength(in, in.remaining())];
                in.get(smallest);
                long smallestSeq = Varint.read(in);
                byte[] largest = new byte[Varint.readLength(in, in.remaining())];
                in.get(largest);
                long largestSeq = Varint.read(in);
                tables.add(new LeveledTable(level, new TableSummary(number, size, entries, smallest, smallestSeq, largest, largestSeq)));
            }
            int nextNamespace = Varint.readLength(in, Integer.MAX_VALUE);
            int namespaceCount = Varint.readLength(in, in.remaining());
            java.util.SortedMap<String, Integer> namespaces = new java.util.TreeMap<>();
            for (int i = 0; i < namespaceCount; i++) {
                int id = Varint.readLength(in, nextNamespace - 1);
                byte[] name = new byte[Varint.readLength(in, in.remaining())];
                in.get(name);
                namespaces.put(new String(name, java.nio.charset.StandardCharsets.UTF_8), id);
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " trailing bytes");
            }
            return new State(nextFile, lastSeq, logNumber, tables, nextNamespace, namespaces);
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            throw new CorruptionException(file, in.position(), "malformed manifest: " + e.getMessage(), e);
        }
    }
}
