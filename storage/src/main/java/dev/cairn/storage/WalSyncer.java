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
 * <p>The thread starts with the first request and exits when the queue stays empty for a while.
 */
final class WalSyncer {
    private record Request(WalWriter writer, long end, Runnable done, Consumer<RuntimeException> failed) {
    }

    private final List<Request> queue = new ArrayList<>(); // guarded by this
    private boolean running; // guarded by this

    /** Calls {@code done} once {@code writer} is synced to {@code end}, or {@code failed} if that fsync fails. */
    synchronized void request(WalWriter writer, long end, Runnable done, Consumer<RuntimeException> failed) {
        queue.add(new Request(writer, end, done, failed));
        if (!running) {
            running = true;
            Thread t = new Thread(this::run, "cairn-wal-syncer");
            t.setDaemon(true);
            t.start();
        } else {
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
