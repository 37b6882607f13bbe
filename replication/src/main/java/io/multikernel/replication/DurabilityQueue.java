package io.multikernel.replication;

import java.util.ArrayDeque;

/**
 * Protocol steps waiting for their log record to be durable (a vote, a COMMIT broadcast, an ack),
 * in log order. One fsync releases every step whose record it covers: this is group commit.
 */
final class DurabilityQueue
{
    private record Waiter(long position, Runnable action)
    {
    }

    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    /**
     * Runs {@code action} once the log is durable up to {@code position}.
     */
    void await(final long position, final Runnable action)
    {
        final Waiter last = waiters.peekLast();
        if (null != last && last.position() > position)
        {
            throw new IllegalStateException("log position " + position + " awaited after " + last.position());
        }
        waiters.addLast(new Waiter(position, action));
    }

    boolean isEmpty()
    {
        return waiters.isEmpty();
    }

    /**
     * Runs, in order, every action whose position is at or below {@code durablePosition}. Actions
     * may add waiters; those need a later release.
     *
     * @return how many actions ran.
     */
    int release(final long durablePosition)
    {
        int released = 0;
        Waiter head;
        while (null != (head = waiters.peekFirst()) && head.position() <= durablePosition)
        {
            waiters.pollFirst();
            head.action().run();
            released++;
        }
        return released;
    }

    /**
     * Forgets every waiter: their records' durability is unknown after a log failure.
     */
    void clear()
    {
        waiters.clear();
    }
}
