package dev.cairn.storage.wal;

import dev.cairn.storage.FileNames;
import dev.cairn.storage.StorageStats;
import dev.cairn.storage.SyncMode;
import dev.cairn.storage.format.GrowableBuffer;
import dev.cairn.storage.format.Record;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Appends batches to one WAL segment and makes them durable.
 *
 * <p>Group commit: in {@code SYNC} mode {@link #append} only encodes the record into an in-memory
 * buffer and returns the offset where it ends; the writer then calls {@link #syncTo} with that
 * offset, outside the store's write lock. The first caller into {@code syncTo} becomes the leader:
 * it hands the whole buffer (its own record and every record appended since the last sync) to
 * the OS in one {@code write}, then fsyncs. Writers that arrive meanwhile keep appending to the
 * buffer — they never touch the file while an fsync runs, which on Linux could stall them on
 * pages under writeback — and the next leader syncs them all at once. Callers whose offset is
 * already covered return without an fsync of their own.
 *
 * <p>In the other modes every append is written to the OS before it returns (so it survives the
 * death of the process); only the fsync is deferred.
 */
public final class WalWriter implements Closeable {
    private final Path file;
    private final long number;
    private final FileChannel channel;
    private final StorageStats stats;
    private final AtomicBoolean leader = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();
    private final GrowableBuffer pending = new GrowableBuffer(64 * 1024); // guarded by this
    private final boolean deferWrites;
    private long appendedTo; // guarded by this
    private volatile long writtenTo;
    private volatile long syncedTo;
    /** The first write or fsync error; once set, nothing not yet synced is ever reported durable. */
    private volatile RuntimeException failure;
    /** The segment before this one, until one fsync of this segment has first synced it. */
    private volatile WalWriter predecessor;

    private WalWriter(Path file, long number, FileChannel channel, StorageStats stats, boolean deferWrites) {
        this.deferWrites = deferWrites;
        this.file = file;
        this.number = number;
        this.channel = channel;
        this.stats = stats;
    }

    /**
     * Creates segment {@code number} in {@code dir} and fsyncs the directory so it is found after a
     * crash. In {@code SYNC} mode writes are deferred to the group commit leader.
     */
    public static WalWriter create(Path dir, long number, StorageStats stats, SyncMode mode) throws IOException {
        Path file = dir.resolve(FileNames.wal(number));
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileNames.fsyncDirectory(dir);
        return new WalWriter(file, number, channel, stats, mode == SyncMode.SYNC);
    }

    /**
     * The segment that follows {@code previous}: its first fsync syncs {@code previous} first, so
     * a sync of this segment also covers every record of the earlier one (the store publishes
     * writes in sequence order on that promise), and fails if that one's fsync failed.
     */
    public static WalWriter next(WalWriter previous, Path dir, long number, StorageStats stats, SyncMode mode)
            throws IOException {
        WalWriter w = create(dir, number, stats, mode);
        w.predecessor = previous;
        return w;
    }

    public long number() {
        return number;
    }

    public Path file() {
        return file;
    }

    public synchronized long size() {
        return appendedTo;
    }

    /** Appends one batch as one record; returns the offset just past it. */
    public synchronized long append(List<Record> batch) {
        if (failure != null) {
            throw new UncheckedIOException(new IOException("WAL " + file + " failed before", failure));
        }
        int size = WalFormat.size(batch);
        stats.walBytes.add(size);
        appendedTo += size;
        if (deferWrites) {
            WalFormat.encode(batch, size, pending.append(size));
        } else {
            ByteBuffer buf = scratch(size);
            WalFormat.encode(batch, size, buf);
            buf.flip();
            write(buf);
            writtenTo = appendedTo;
        }
        return appendedTo;
    }

    /** The most bytes the writer keeps in its direct buffer; a larger batch is encoded into one of its own. */
    private static final int MAX_SCRATCH = 1 << 20;
    private ByteBuffer scratch; // guarded by this

    /**
     * A cleared direct buffer of at least {@code size} bytes: a batch is encoded straight into
     * memory the OS reads from, instead of into a new heap array that the channel then copies.
     */
    private ByteBuffer scratch(int size) {
        if (size > MAX_SCRATCH) {
            return ByteBuffer.allocate(size);
        }
        if (scratch == null || scratch.capacity() < size) {
            scratch = ByteBuffer.allocateDirect(Math.max(size, scratch == null ? 64 * 1024 : Math.min(MAX_SCRATCH, scratch.capacity() * 2)));
        }
        scratch.clear();
        return scratch;
    }

    /** Hands the buffered records to the OS; caller holds this monitor. */
    private void writePending() {
        if (pending.size() == 0) {
            return;
        }
        write(ByteBuffer.wrap(pending.array(), 0, pending.size()));
        pending.reset();
        writtenTo = appendedTo;
    }

    private void write(ByteBuffer buf) {
        try {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        } catch (IOException e) {
            throw fail(new UncheckedIOException("cannot append to " + file, e));
        }
    }

    private RuntimeException fail(RuntimeException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
    }

    /**
     * Returns once every byte up to {@code offset} is on stable storage. One caller at a time is
     * the leader and fsyncs; the others park and are all woken together when it finishes, so a
     * group of N writers pays one fsync and one round of wake-ups rather than a chain of handoffs.
     */
    public void syncTo(long offset) {
        while (syncedTo < offset) {
            RuntimeException failed = failure;
            if (failed != null) {
                // Every waiter of a failed group fails; none retries the fsync.
                throw new UncheckedIOException(new IOException("fsync of " + file + " failed; bytes up to "
                        + offset + " are not known to be durable", failed));
            }
            if (leader.compareAndSet(false, true)) {
                try {
                    if (syncedTo < offset) {
                        forceAll();
                    }
                } finally {
                    leader.set(false);
                    wakeWaiters();
                }
            } else {
                Thread me = Thread.currentThread();
                waiters.add(me);
                if (leader.get() && syncedTo < offset && failure == null) {
                    LockSupport.parkNanos(this, 1_000_000L); // woken by the leader; the timeout is a safety net
                }
                waiters.remove(me);
            }
        }
    }

    private void wakeWaiters() {
        for (Thread t; (t = waiters.poll()) != null; ) {
            LockSupport.unpark(t);
        }
    }

    private void forceAll() {
        WalWriter previous = predecessor;
        if (previous != null) {
            try {
                previous.sync();
            } catch (RuntimeException e) {
                throw fail(e);
            }
            predecessor = null;
        }
        long target;
        synchronized (this) {
            writePending();
            target = writtenTo;
        }
        try {
            fsync();
        } catch (IOException e) {
            throw fail(new UncheckedIOException("fsync of " + file + " failed", e));
        }
        stats.walSyncs.increment();
        syncedTo = target;
    }

    /** The one place the segment is fsynced (tests inject failures here). */
    private void fsync() throws IOException {
        channel.force(false);
    }

    /** Fsyncs everything appended so far. */
    public void sync() {
        syncTo(size());
    }

    /** Syncs per {@code mode} (NONE still syncs on close) and closes the segment. */
    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            try {
                sync();
            } finally {
                channel.close();
            }
        }
    }
}
