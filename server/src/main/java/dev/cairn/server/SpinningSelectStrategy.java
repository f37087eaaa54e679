package dev.cairn.server;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.internal.ThreadExecutorMap;

/**
 * An event loop's choice between polling and sleeping: when a round of work ends, the loop polls
 * its sockets without blocking for up to {@code spinNanos} before it goes to sleep in
 * {@code epoll_wait}. A request that arrives in that window is picked up by a thread that is
 * already running, so the client's send does not have to wake a sleeping one (on a virtual
 * machine an inter-processor interrupt). A task handed to the loop from another thread (a reply
 * whose fsync completed) ends the window at once. A loop with nothing to do sleeps after one
 * window, so an idle server stays idle.
 */
final class SpinningSelectStrategy implements SelectStrategy {
    private final long spinNanos;
    /** The loop this strategy serves, found on its first call (made on that loop's thread). */
    private SingleThreadEventExecutor loop;

    SpinningSelectStrategy(long spinNanos) {
        this.spinNanos = spinNanos;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return selectNow.get();
        }
        if (loop == null) {
            EventExecutor current = ThreadExecutorMap.currentExecutor();
            if (!(current instanceof SingleThreadEventExecutor single)) {
                return SelectStrategy.SELECT;
            }
            loop = single;
        }
        long start = System.nanoTime();
        do {
            int ready = selectNow.get();
            if (ready > 0) {
                return ready;
            }
            if (loop.pendingTasks() > 0 || loop.isShuttingDown()) {
                return 0; // the loop runs its tasks
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - start < spinNanos);
        return SelectStrategy.SELECT;
    }
}
