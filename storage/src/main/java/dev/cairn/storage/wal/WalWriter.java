package dev.cairn.storage.wal;

import dev.cairn.storage.FileNames;
import dev.cairn.storage.StorageStats;
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
 * <p>{@link #append} only encodes the record into an in-memory buffer and returns the offset
 * where it ends; it runs under the store's write lock, so it must be quick. The writer then,
 * outside that lock, calls {@link #writeTo} with the offset (its bytes reach the OS, so they
 * survive the death of the process) or, in {@code SYNC} mode, {@link #syncTo} (they reach the
 * disk). One thread at a time hands bytes to the OS: it takes the whole buffer (its own record
 * and every record appended since) and writes it in one {@code write}, while writers go on
 * appending to a second buffer; a caller whose bytes an earlier write covered returns at once.
 * So the store's lock covers the encoding and the memtable insert, and the system call of one
 * writer overlaps the next writer's insert.
 *
 * <p>Group commit: the first caller into {@code syncTo} becomes the leader: it writes what is
 * buffered, then fsyncs. Writers that arrive meanwhile keep appending to the buffer — they never
 * touch the file while an fsync runs, which on Linux could stall them on pages under writeback —
 * and the next leader syncs them all at once. Callers whose offset is already covered return
 * without an fsync of their own.
 *
 * <p>Zeros written ahead ({@code prefillBytes}, for {@code SYNC} mode): after each write the
 * writer keeps up to that many bytes of zeros written past the end of the records, so most
 * fsyncs find the file's size and blocks unchanged. An fdatasync after an append that grows the
 * file writes the data and then the inode (on ext4 without a journal, two dependent device
 * writes); one within the zeros writes the data alone. The zeros are real writes, not
 * {@code fallocate}: unwritten extents would turn each append into an extent change, which is
 * again an inode write. {@link #seal} cuts the file back to its records when the segment is done,
 * so only the newest segment, after a crash, ends in zeros (see {@code storage/FORMAT.md}).
 */
public final class WalWriter implements Closeable {
    /** The buffer size the writer starts with and returns to after a larger batch. */
    private static final int BUFFER_BYTES = 64 * 1024;
    /** What the zeros written ahead are copied from (read through duplicates). */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    private final Path file;
    private final long number;
    private final FileChannel channel;
    private final StorageStats stats;
    /** Threads in {@link #syncTo} behind the leader, in arrival order; also the lock for {@link #leading}. */
    private final List<Waiter> waiting = new ArrayList<>();
    private boolean leading; // guarded by waiting
    /** Encoded records not yet handed to the OS, from position 0 to the buffer's position. */
    private ByteBuffer pending = ByteBuffer.allocateDirect(BUFFER_BYTES); // guarded by this
    /** The other buffer; null while {@link #writeOut} writes it, or after it wrote a larger one. */
    private ByteBuffer spare = ByteBuffer.allocateDirect(BUFFER_BYTES); // guarded by this
    /** Held while bytes go to the file, so they go in the order they were appended. */
    private final Object fileWrite = new Object();
    private long appendedTo; // guarded by this
    private volatile long writtenTo;
    /** Where the write under way (if {@code > writtenTo}) ends: the bytes it took, up to their end. */
    private volatile long writingTo;
    private volatile long syncedTo;
    /** The first write or fsync error; once set, nothing not yet synced is ever reported durable. */
    private volatile RuntimeException failure;
    /** The segment before this one, until one fsync of this segment has first synced it. */
    private volatile WalWriter predecessor;
    /** The segment before this one, until one write of this segment has first written it. */
    private volatile WalWriter unwrittenPredecessor;
    /** How many bytes of zeros to keep written past the records (0: none). */
    private final long prefillBytes;
    /** The end of the zeros written ahead, or of the file if none are; guarded by {@link #fileWrite}. */
    private long prefilledTo;
    /** Set by {@link #seal}: the zeros are cut off and no more are written; guarded by {@link #fileWrite}. */
    private boolean sealed;
    /** Held by {@link #seal} and {@link #retire}, so a segment is never sealed as it is closed unsynced. */
    private final Object sealing = new Object();
    /** Set by {@link #retire}: closed without an fsync, its records durable in a table; guarded by {@link #sealing}. */
    private boolean retired;
    /** Set when writing zeros failed (a full disk): no more are written; guarded by {@link #fileWrite}. */
    private boolean prefillFailed;

    private WalWriter(Path file, long number, FileChannel channel, StorageStats stats, long prefillBytes) {
        if (prefillBytes < 0) {
            throw new IllegalArgumentException("prefillBytes must not be negative: " + prefillBytes);
        }
        this.file = file;
        this.number = number;
        this.channel = channel;
        this.stats = stats;
        this.prefillBytes = prefillBytes;
    }

    /** Creates segment {@code number} in {@code dir} and fsyncs the directory so it is found after a crash. */
    public static WalWriter create(Path dir, long number, StorageStats stats) throws IOException {
        return create(dir, number, stats, 0);
    }

    /** {@link #create(Path, long, StorageStats)}, keeping {@code prefillBytes} of zeros written ahead of the records. */
    public static WalWriter create(Path dir, long number, StorageStats stats, long prefillBytes) throws IOException {
        Path file = dir.resolve(FileNames.wal(number));
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileNames.fsyncDirectory(dir);
        return new WalWriter(file, number, channel, stats, prefillBytes);
    }

    /**
     * The segment that follows {@code previous}: its first write hands {@code previous}'s
     * buffered bytes to the OS first and its first fsync syncs {@code previous} first, so a write
     * or sync of this segment also covers every record of the earlier one (the store publishes
     * writes in sequence order on that promise), and fails if that one's failed. That first fsync
     * also {@link #seal}s {@code previous}, so once a write of a later segment is durable, no
     * segment but the newest ends in zeros.
     */
    public static WalWriter next(WalWriter previous, Path dir, long number, StorageStats stats, long prefillBytes)
            throws IOException {
        WalWriter w = create(dir, number, stats, prefillBytes);
        w.predecessor = previous;
        w.unwrittenPredecessor = previous;
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

    /** Appends one batch as one record to the buffer; returns the offset just past it. */
    public synchronized long append(List<Record> batch) {
        if (failure != null) {
            throw failedBefore();
        }
        int size = WalFormat.size(batch);
        if (pending.remaining() < size) {
            // A larger buffer for as long as it is needed; writeOut puts back a small one.
            ByteBuffer larger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + size));
            larger.put(pending.flip());
            pending = larger;
        }
        stats.walBytes.add(size);
        appendedTo += size;
        WalFormat.encode(batch, size, pending);
        return appendedTo;
    }

    /**
     * Returns once every byte up to {@code offset} has been handed to the OS (it survives the
     * death of the process, not of the machine).
     */
    public void writeTo(long offset) {
        if (writtenTo < offset && !writtenWhileSpinning(offset)) {
            writeOut();
        }
        checkNotWritten(offset);
    }

    /** How long {@link #writtenWhileSpinning} waits for the write under way, at most. */
    private static final long WRITE_SPIN_NANOS = 20_000;

    /**
     * Waits, spinning, for a write under way to end, if there is one, and says whether it took
     * the bytes up to {@code offset}. Another thread's {@code write} of a few kilobytes takes a
     * few microseconds; queueing on {@link #fileWrite} behind it parks this thread and wakes it
     * through the kernel, which costs more than the write, and mostly finds the bytes written by
     * then. Bounded by {@value #WRITE_SPIN_NANOS} ns; after it (or when no write is under way, or
     * the write did not take these bytes) the caller writes them itself.
     */
    private boolean writtenWhileSpinning(long offset) {
        long deadline = 0;
        for (int i = 0; writingTo > writtenTo && failure == null; i++) {
            if (writtenTo >= offset) {
                return true;
            }
            if ((i & 15) == 15) {
                long now = System.nanoTime();
                if (deadline == 0) {
                    deadline = now + WRITE_SPIN_NANOS;
                } else if (now > deadline) {
                    break;
                }
            }
            Thread.onSpinWait();
        }
        return writtenTo >= offset;
    }

    /** Hands every buffered byte to the OS (after the predecessor's); returns the offset written to. */
    private long writeOut() {
        WalWriter previous = unwrittenPredecessor;
        if (previous != null) {
            try {
                previous.writeOut();
                previous.checkNotWritten(Long.MAX_VALUE);
            } catch (RuntimeException e) {
                throw fail(e);
            }
            unwrittenPredecessor = null; // it takes no appends any more: everything it had is written
        }
        synchronized (fileWrite) {
            ByteBuffer out;
            long target;
            synchronized (this) {
                if (writtenTo == appendedTo || failure != null) {
                    return writtenTo;
                }
                out = pending;
                pending = spare != null ? spare : ByteBuffer.allocateDirect(BUFFER_BYTES);
                spare = null;
                target = appendedTo;
                writingTo = target;
            }
            try {
                write(out.flip());
                prefillAhead(target);
            } finally {
                out.clear();
                synchronized (this) {
                    spare = out.capacity() > BUFFER_BYTES ? null : out; // a larger one is not kept
                }
            }
            writtenTo = target;
            return target;
        }
    }

    private UncheckedIOException failedBefore() {
        return new UncheckedIOException(new IOException("WAL " + file + " failed before", failure));
    }

    private void checkNotWritten(long offset) {
        RuntimeException failed = failure;
        if (failed != null && writtenTo < offset) {
            throw new UncheckedIOException(new IOException("write to " + file + " failed; bytes up to "
                    + offset + " did not reach the OS", failed));
        }
    }

    private void write(ByteBuffer buf) {
        try {
            writeFile(buf);
        } catch (IOException e) {
            throw fail(new UncheckedIOException("cannot append to " + file, e));
        }
    }

    /**
     * Keeps zeros written from {@code end} to {@code end + prefillBytes}, topping them up once
     * less than a quarter of them is left, so a top-up comes once per about
     * {@code 3/4 * prefillBytes} of records. The fsync that follows makes them durable with the
     * records. A failure here loses nothing (the file still ends in zeros or in records), so it
     * only stops the prefill. Holds {@link #fileWrite}.
     */
    private void prefillAhead(long end) {
        if (prefillBytes == 0 || sealed || prefillFailed || prefilledTo - end >= prefillBytes / 4) {
            return;
        }
        long from = Math.max(prefilledTo, end);
        long to = end + prefillBytes;
        try {
            writeZeros(from, to);
            prefilledTo = to;
        } catch (IOException e) {
            prefillFailed = true; // no more zeros (the seal still cuts off any written); records go on
        }
    }

    /** The one place zeros go to the file, at {@code [from, to)} (tests inject failures here). */
    private void writeZeros(long from, long to) throws IOException {
        for (long at = from; at < to; ) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), to - at));
            at += channel.write(zeros, at);
        }
    }

    /**
     * Makes every appended record durable and cuts off the zeros written ahead of them (once), so
     * the file ends with its last record. Called when the segment takes no more appends: by the
     * next segment's first fsync and by {@link #close}. Appends after it are still written and
     * synced, without zeros ahead.
     */
    public void seal() {
        synchronized (sealing) {
            if (retired) {
                return; // its records are in a durable table and the file is closed
            }
            sync();
            cutZeros();
        }
    }

    private void cutZeros() {
        synchronized (fileWrite) {
            if (sealed) {
                return;
            }
            sealed = true;
            if (prefillBytes == 0) {
                return;
            }
            try {
                if (channel.size() > writtenTo) { // zeros, or part of them if writing them failed
                    channel.truncate(writtenTo);
                    fsync();
                }
            } catch (IOException e) {
                throw fail(new UncheckedIOException("cannot cut the zeros written ahead off " + file, e));
            }
        }
    }

    /**
     * Closes a segment that takes no more appends and whose every record is durable elsewhere (its
     * memtable's table is written, fsynced and installed), without an fsync: the file is about to
     * be deleted, and an fsync would only write it to the disk first. Buffered bytes still go to
     * the OS, so a writer that appended before the segment was frozen and has not yet written its
     * bytes finds them written. A later {@link #seal} (the next segment's first fsync) does
     * nothing. Idempotent; also after {@link #close}.
     */
    public void retire() throws IOException {
        synchronized (sealing) {
            if (retired) {
                return;
            }
            try {
                writeOut();
            } finally {
                retired = true;
                channel.close();
            }
        }
    }

    /** The one place bytes go to the file (tests inject failures here). */
    private void writeFile(ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            channel.write(buf);
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
                previous.seal();
            } catch (RuntimeException e) {
                throw fail(e);
            }
            predecessor = null;
        }
        long target = writeOut();
        if (failure != null) {
            throw failedBefore();
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
                seal();
            } finally {
                channel.close();
            }
        }
    }
}
