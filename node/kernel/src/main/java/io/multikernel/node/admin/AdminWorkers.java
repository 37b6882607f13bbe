package io.multikernel.node.admin;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admin server's threads: a fixed pool of workers with a bounded queue, and one overload
 * responder.
 *
 * <p>When the workers and their queue are full, the JDK server's dispatcher hands the exchange to
 * the overload responder instead. That thread only parses the request and answers 503 with
 * {@code Retry-After}: handlers check {@link #isOverloadResponder()} and never call a source there.
 * The dispatcher itself never runs an exchange, so a slow client cannot stall accepting. When the
 * responder's queue is full too, the connection is closed unanswered and counted.
 */
final class AdminWorkers implements Executor
{
    private static final ThreadLocal<Boolean> OVERLOAD_RESPONDER = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final ThreadPoolExecutor workers;
    private final ThreadPoolExecutor overloadResponder;

    /**
     * @param threadNamePrefix    names threads {@code prefix-1}, {@code prefix-2}, {@code prefix-overload}.
     * @param threadCount         worker threads.
     * @param queueCapacity       requests waiting for a worker.
     * @param metrics             counts connections dropped unanswered.
     */
    AdminWorkers(
        final String threadNamePrefix,
        final int threadCount,
        final int queueCapacity,
        final AdminRequestMetrics metrics)
    {
        overloadResponder = new ThreadPoolExecutor(
            1, 1, 0, TimeUnit.NANOSECONDS,
            new ArrayBlockingQueue<>(AdminConfiguration.OVERLOAD_QUEUE_CAPACITY_REQUESTS),
            overloadThreadFactory(threadNamePrefix + "-overload"),
            (task, pool) ->
            {
                metrics.onConnectionDropped();
                throw new RejectedExecutionException("admin server overloaded: connection dropped");
            });
        workers = new ThreadPoolExecutor(
            threadCount, threadCount, 0, TimeUnit.NANOSECONDS,
            new ArrayBlockingQueue<>(queueCapacity),
            workerThreadFactory(threadNamePrefix),
            (task, pool) -> overloadResponder.execute(task));
    }

    /** @return true on the overload responder thread, whose handlers must answer 503 at once. */
    static boolean isOverloadResponder()
    {
        return OVERLOAD_RESPONDER.get();
    }

    @Override
    public void execute(final Runnable exchange)
    {
        workers.execute(exchange);
    }

    /** @return requests waiting for a worker right now. */
    int queuedRequests()
    {
        return workers.getQueue().size();
    }

    /**
     * Interrupt running requests and stop the threads.
     *
     * @param timeoutNs how long to wait for each pool's threads to finish.
     * @return true when every thread finished in time.
     */
    boolean shutdown(final long timeoutNs)
    {
        workers.shutdownNow();
        overloadResponder.shutdownNow();
        try
        {
            return workers.awaitTermination(timeoutNs, TimeUnit.NANOSECONDS) &&
                overloadResponder.awaitTermination(timeoutNs, TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static ThreadFactory workerThreadFactory(final String prefix)
    {
        final AtomicInteger count = new AtomicInteger();
        return task -> daemon(task, prefix + "-" + count.incrementAndGet());
    }

    private static ThreadFactory overloadThreadFactory(final String name)
    {
        return task -> daemon(
            () ->
            {
                OVERLOAD_RESPONDER.set(Boolean.TRUE);
                task.run();
            },
            name);
    }

    private static Thread daemon(final Runnable task, final String name)
    {
        final Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
