package dev.cairn.api;

import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The shared threads on which {@link AsyncStore#offloading} runs blocking calls by default. */
final class StoreThreads {
    private static final AtomicInteger NEXT = new AtomicInteger();

    /**
     * Up to 256 daemon threads, created on demand and dropped after a minute idle: many writers
     * may wait on one fsync or quorum at once, and waiting together is what lets them share it.
     * Beyond that, the caller runs the call itself (back-pressure rather than an unbounded queue).
     */
    static final Executor BLOCKING = new ThreadPoolExecutor(0, 256, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
            r -> {
                Thread t = new Thread(r, "cairn-store-" + NEXT.incrementAndGet());
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.CallerRunsPolicy());

    private StoreThreads() {
    }
}
