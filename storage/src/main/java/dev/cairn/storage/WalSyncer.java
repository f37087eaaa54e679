package dev.cairn.storage;

import dev.cairn.storage.wal.WalWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Group commit for writers that do not wait ({@code AsyncStore}): each asks for its WAL offset to
 * be synced and goes on; one daemon thread takes every request that has arrived, syncs once per
 * segment up to the furthest offset asked for (taking part in the segment's own group commit with
 * the writers that do wait), and runs the requests' callbacks in arrival order. So a thousand
 * non-blocking writes that arrive together still cost one fsync, and no caller's thread is held.
 *
 * <p>A caller that is about to issue more writes can {@link #hold} the next fsync: while any hold
 * is taken, the thread waits for it to be let go (at most {@value #MAX_HOLD_MICROS} µs) before it
 * takes the queue, so the fsync covers everything issued under the hold, not only the first
 * request. Event loops hold for one round of ready connections.
 *
 * <p>The thread starts with the first request and exits when the queue stays empty for a while.
 */
final class WalSyncer {
    private record Request(WalWriter writer, long end, Runnable done, Consumer<RuntimeException> failed) {
    }

    private final List<Request> queue = new ArrayList<>(); // guarded by this
    private boolean running; // guarded by this
    private int holds; // guarded by this

    /** The longest the thread waits for holds to be let go once requests are queued. */
    static final long MAX_HOLD_MICROS = 1000;
    private final long maxHoldNanos;

    WalSyncer() {
        this(MAX_HOLD_MICROS * 1000);
    }

    /** A syncer that waits at most {@code maxHoldNanos} for holds (tests use a long one). */
    WalSyncer(long maxHoldNanos) {
        this.maxHoldNanos = maxHoldNanos;
    }

    /** Takes a hold on the next fsync; the handle lets it go (once). */
    synchronized Runnable hold() {
        holds++;
        boolean[] released = new boolean[1];
        return () -> {
            synchronized (this) {
                if (!released[0]) {
                    released[0] = true;
                    if (--holds == 0) {
                        notifyAll();
                    }
                }
            }
        };
    }

    /** Calls {@code done} once {@code writer} is synced to {@code end}, or {@code failed} if that fsync fails. */
    synchronized void request(WalWriter writer, long end, Runnable done, Consumer<RuntimeException> failed) {
        queue.add(new Request(writer, end, done, failed));
        if (!running) {
            running = true;
            Thread t = new Thread(this::run, "cairn-wal-syncer");
            t.setDaemon(true);
            t.start();
        } else if (queue.size() == 1) {
            // the thread waits for the queue to fill only when it is empty; one waiting for holds
            // to be let go is woken by the last of them, not by every write issued under them
            notifyAll();
        }
    }

    private void run() {
        while (true) {
            List<Request> batch;
            synchronized (this) {
                if (queue.isEmpty()) {
                    try {
                        wait(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (queue.isEmpty()) {
                        running = false;
                        return;
                    }
                }
                long deadline = System.nanoTime() + maxHoldNanos;
                while (holds > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        wait(Math.max(1, (left + 999_999) / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                batch = new ArrayList<>(queue);
                queue.clear();
            }
            syncAll(batch);
        }
    }

    private static void syncAll(List<Request> batch) {
        // Requests arrive in WAL order; a segment's furthest offset covers all of its requests.
        WalWriter current = null;
        long furthest = 0;
        int from = 0;
        for (int i = 0; i <= batch.size(); i++) {
            Request r = i < batch.size() ? batch.get(i) : null;
            if (r != null && r.writer == current) {
                furthest = Math.max(furthest, r.end);
                continue;
            }
            if (current != null) {
                RuntimeException failure = null;
                try {
                    current.syncTo(furthest);
                } catch (RuntimeException e) {
                    failure = e;
                }
                for (int j = from; j < i; j++) {
                    if (failure == null) {
                        batch.get(j).done.run();
                    } else {
                        batch.get(j).failed.accept(failure);
                    }
                }
            }
            if (r != null) {
                current = r.writer;
                furthest = r.end;
                from = i;
            }
        }
    }
}
