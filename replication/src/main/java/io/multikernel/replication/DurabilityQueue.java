package io.multikernel.replication;

import java.util.ArrayDeque;

/**
 * Protocol steps waiting for their log record to be durable (a vote, a COMMIT broadcast, an ack),
 * in log order. One fsync releases every step whose record it covers: this is group commit.
 * <p>
 * A step waits urgently (someone is waiting on it: a vote, a commit decision) or lazily (an ack
 * after COMMITTED: only the coordinator's bookkeeping waits). Urgent steps ask for a force in the
 * same duty cycle; lazy ones ride on the next force anyone asks for, and ask for one themselves
 * only once the oldest has waited {@code ackDelayMaxNs}.
 */
final class DurabilityQueue
{
    private record Waiter(long position, Runnable action, boolean lazy, long sinceNs)
    {
    }

    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int urgentWaiters;

    /**
     * Runs {@code action} once the log is durable up to {@code position}; asks for a force now.
     */
    void await(final long position, final Runnable action)
    {
        add(new Waiter(position, action, false, 0));
        urgentWaiters++;
    }

    /**
     * Runs {@code action} once the log is durable up to {@code position}, sharing a later force.
     *
     * @param nowNs when the step started waiting.
     */
    void awaitLazily(final long position, final Runnable action, final long nowNs)
    {
        add(new Waiter(position, action, true, nowNs));
    }

    private void add(final Waiter waiter)
    {
        final Waiter last = waiters.peekLast();
        if (null != last && last.position() > waiter.position())
        {
            throw new IllegalStateException("log position " + waiter.position() + " awaited after " + last.position());
        }
        waiters.addLast(waiter);
    }

    boolean isEmpty()
    {
        return waiters.isEmpty();
    }

    /**
     * @param nowNs        the current time.
     * @param lazyDelayMaxNs how long a lazy waiter may wait for a force it can share.
     * @return true when a waiter is urgent, or the oldest lazy one has waited long enough.
     */
    boolean needsForce(final long nowNs, final long lazyDelayMaxNs)
    {
        if (urgentWaiters > 0)
        {
            return true;
        }
        final Waiter oldest = waiters.peekFirst();
        return null != oldest && nowNs - oldest.sinceNs() >= lazyDelayMaxNs;
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
            if (!head.lazy())
            {
                urgentWaiters--;
            }
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
        urgentWaiters = 0;
    }
}
