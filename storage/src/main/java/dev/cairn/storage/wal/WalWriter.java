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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
    /** Threads in {@link #syncTo} behind the leader, in arrival order; also the lock for {@link #leading}. */
    private final List<Waiter> waiting = new ArrayList<>();
    private boolean leading; // guarded by waiting
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
     * Returns once every byte up to {@code offset} is on stable storage.
     *
     * <p>One caller at a time leads and fsyncs; the others wait in {@link #waiting}, each for its
     * own offset. When the leader's fsync returns it hands the lead straight to the first waiter
     * the fsync did not cover, so the next fsync starts at once, and wakes only the waiters it did
     * cover: nobody is woken to find its bytes still unsynced and park again. With many writers
     * each thread parks once and is woken once per write.
     */
    public void syncTo(long offset) {
        if (syncedTo >= offset) {
            return;
        }
        Waiter me = null;
        synchronized (waiting) {
            checkNotFailed(offset);
            if (syncedTo >= offset) {
                return;
            }
            if (leading) {
                me = new Waiter(Thread.currentThread(), offset);
                waiting.add(me);
            } else {
                leading = true;
            }
        }
        if (me == null || me.await()) {
            try {
                if (syncedTo < offset) {
                    forceAll();
                }
            } finally {
                handOn();
            }
        }
    }

    /**
     * The leader's last step, whether its fsync succeeded or not: wakes the waiters it covered
     * (all of them, to fail, if the segment has failed) and hands the lead to the first it did not.
     */
    private void handOn() {
        Waiter next = null;
        List<Waiter> released = new ArrayList<>();
        boolean failed;
        synchronized (waiting) {
            long synced = syncedTo;
            failed = failure != null;
            for (Iterator<Waiter> it = waiting.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (failed || w.offset <= synced) {
                    it.remove();
                    released.add(w);
                } else if (next == null) {
                    it.remove();
                    next = w;
                }
            }
            leading = next != null;
        }
        if (next != null) {
            next.wake(Waiter.LEAD);
        }
        for (Waiter w : released) {
            // Every waiter of a failed group fails; none retries the fsync.
            w.wake(failed ? Waiter.FAILED : Waiter.DONE);
        }
    }

    private void checkNotFailed(long offset) {
        RuntimeException failed = failure;
        if (failed != null && syncedTo < offset) {
            throw new UncheckedIOException(new IOException("fsync of " + file + " failed; bytes up to "
                    + offset + " are not known to be durable", failed));
        }
    }

    /** A thread in {@link #syncTo} waiting for a leader's fsync to cover {@link #offset}, or for the lead. */
    private final class Waiter {
        static final int WAITING = 0;
        static final int DONE = 1;
        static final int LEAD = 2;
        static final int FAILED = 3;

        final Thread thread;
        final long offset;
        volatile int state;

        Waiter(Thread thread, long offset) {
            this.thread = thread;
            this.offset = offset;
        }

        void wake(int outcome) {
            state = outcome;
            LockSupport.unpark(thread);
        }

        /** Parks until woken; true when this thread now leads, false when its bytes are synced. */
        boolean await() {
            boolean interrupted = false;
            int s;
            while ((s = state) == WAITING) {
                LockSupport.park(WalWriter.this);
                // A waiter cannot leave the queue (the lead may be handed to it), so an interrupt
                // is kept for the caller instead of ending the wait.
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (s == FAILED) {
                checkNotFailed(offset);
            }
            return s == LEAD;
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
