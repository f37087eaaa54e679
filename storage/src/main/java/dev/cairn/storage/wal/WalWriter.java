package dev.cairn.storage.wal;

import dev.cairn.storage.FileNames;
import dev.cairn.storage.StorageStats;
import dev.cairn.storage.SyncMode;
import dev.cairn.storage.format.Record;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Appends batches to one WAL segment and makes them durable.
 *
 * <p>Group commit: {@link #append} writes the record to the OS and returns the offset where it
 * ends; a {@code SYNC} writer then calls {@link #syncTo} with that offset, outside the store's
 * write lock. The first caller into {@code syncTo} fsyncs everything written so far; callers that
 * were queued behind it find their offset already covered and return without an fsync of their
 * own. So N concurrent writers cost far fewer than N fsyncs.
 */
public final class WalWriter implements Closeable {
    private final Path file;
    private final long number;
    private final FileChannel channel;
    private final StorageStats stats;
    private final Object syncLock = new Object();
    private volatile long writtenTo;
    private volatile long syncedTo;

    private WalWriter(Path file, long number, FileChannel channel, StorageStats stats) {
        this.file = file;
        this.number = number;
        this.channel = channel;
        this.stats = stats;
    }

    /** Creates segment {@code number} in {@code dir} and fsyncs the directory so it is found after a crash. */
    public static WalWriter create(Path dir, long number, StorageStats stats) throws IOException {
        Path file = dir.resolve(FileNames.wal(number));
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileNames.fsyncDirectory(dir);
        return new WalWriter(file, number, channel, stats);
    }

    public long number() {
        return number;
    }

    public Path file() {
        return file;
    }

    public long size() {
        return writtenTo;
    }

    /** Appends one batch as one record; returns the offset just past it. Callers serialize appends. */
    public synchronized long append(List<Record> batch) {
        ByteBuffer buf = WalFormat.encode(batch);
        try {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
        stats.walBytes.add(buf.limit());
        writtenTo += buf.limit();
        return writtenTo;
    }

    /** Returns once every byte up to {@code offset} is on stable storage. */
    public void syncTo(long offset) {
        if (syncedTo >= offset) {
            return;
        }
        synchronized (syncLock) {
            if (syncedTo >= offset) {
                return;
            }
            long target = writtenTo;
            try {
                channel.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException("fsync of " + file + " failed", e);
            }
            stats.walSyncs.increment();
            syncedTo = target;
        }
    }

    /** Fsyncs everything written so far. */
    public void sync() {
        syncTo(writtenTo);
    }

    /** Syncs per {@code mode} (NONE still syncs on close) and closes the segment. */
    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            sync();
            channel.close();
        }
    }

    /** Whether {@code mode} asks writers to wait for their own fsync. */
    public static boolean writersWait(SyncMode mode) {
        return mode == SyncMode.SYNC;
    }
}
