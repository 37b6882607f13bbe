package io.multikernel.node.replication;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.common.Bounds;
import io.multikernel.node.service.ServiceException;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * How threads other than the kernel loop (admin HTTP workers) reach the core's replication: they
 * offer {@link ReplicationCommand}s onto a bounded queue that the kernel loop drains, at most
 * {@link CoreReplicationConfiguration#COMMANDS_PER_DUTY_CYCLE_MAX} per duty cycle. A full queue
 * refuses the offer, counted in {@code mk_2pc_proxy_offer_failures_total}. Thread safe.
 */
public final class ReplicationProxy
{
    private final ManyToOneConcurrentArrayQueue<ReplicationCommand<?>> queue;
    private final Counter offerFailures;
    private final int capacity;
    /** Wakes a dozing kernel loop once a command is queued; does nothing unless set. */
    private volatile Runnable kernelWaker = () -> { };

    /**
     * @param capacity commands that may wait, 1..{@value CoreReplicationConfiguration#COMMAND_QUEUE_CAPACITY_MAX}.
     * @param registry the core's registry.
     * @throws IllegalArgumentException naming a capacity out of range.
     */
    public ReplicationProxy(final int capacity, final MeterRegistry registry)
    {
        Bounds.check(CoreReplicationConfiguration.COMMAND_QUEUE_CAPACITY_PROP, capacity, 1,
            CoreReplicationConfiguration.COMMAND_QUEUE_CAPACITY_MAX);
        this.capacity = capacity;
        this.queue = new ManyToOneConcurrentArrayQueue<>(capacity);
        this.offerFailures = Counter.builder("mk.2pc.proxy.offer.failures")
            .description("Commands for the kernel loop's replication refused because its queue was full")
            .register(registry);
    }

    /**
     * @return true when queued; false (counted) when the queue is full.
     */
    public boolean offer(final ReplicationCommand<?> command)
    {
        if (queue.offer(command))
        {
            kernelWaker.run();
            return true;
        }
        offerFailures.increment();
        return false;
    }

    /**
     * Offers a command and waits for its answer; for commands whose answer is all the caller needs
     * (queries). Admin worker threads.
     *
     * @param command   the command.
     * @param timeoutNs longest wait.
     * @return its answer.
     * @throws ServiceException     503 when the queue is full or the kernel loop did not answer in time.
     * @throws InterruptedException when the waiting thread is interrupted.
     */
    public <T> T call(final ReplicationCommand<T> command, final long timeoutNs)
        throws InterruptedException, ServiceException
    {
        if (!offer(command))
        {
            throw new ServiceException(503, "the kernel loop's command queue is full (" + capacity +
                " commands); retry shortly");
        }
        if (ReplicationCommand.Wait.ANSWERED != command.await(timeoutNs))
        {
            throw new ServiceException(503, "the kernel loop did not answer within " +
                TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms; the core may be overloaded or frozen (see /health)");
        }
        return command.answer();
    }

    /**
     * Kernel loop (or a test standing in for it): run up to {@code limit} queued commands.
     *
     * @return commands run.
     */
    public int drain(final CoreReplication replication, final int limit)
    {
        int drained = 0;
        ReplicationCommand<?> command;
        while (drained < limit && null != (command = queue.poll()))
        {
            command.run(replication);
            drained++;
        }
        return drained;
    }

    /**
     * @param kernelWaker run after each command is queued (the core's doorbell wakeup); must not block.
     */
    public void kernelWaker(final Runnable kernelWaker)
    {
        this.kernelWaker = Objects.requireNonNull(kernelWaker, "kernelWaker");
    }

    public int capacity()
    {
        return capacity;
    }

    public long offerFailures()
    {
        return (long)offerFailures.count();
    }
}
