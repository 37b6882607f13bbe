package io.multikernel.node.chaos;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.transport.LinkFaults;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * How admin threads reach the kernel loop's {@link LinkFaults}: a bounded queue of commands the loop
 * drains each duty cycle. A full queue refuses the offer, counted in
 * {@code mk_chaos_proxy_offer_failures_total}. Thread safe.
 */
public final class LinkFaultsProxy
{
    /** Commands that may wait for the kernel loop. */
    public static final int COMMAND_QUEUE_CAPACITY = 16;
    /** Commands the kernel loop runs in one duty cycle: all a full queue holds. */
    public static final int COMMANDS_PER_DUTY_CYCLE_MAX = COMMAND_QUEUE_CAPACITY;

    private final ManyToOneConcurrentArrayQueue<LinkFaultsCommand<?>> queue =
        new ManyToOneConcurrentArrayQueue<>(COMMAND_QUEUE_CAPACITY);
    private final Counter offerFailures;

    /**
     * @param registry the core's registry.
     */
    public LinkFaultsProxy(final MeterRegistry registry)
    {
        this.offerFailures = Counter.builder("mk.chaos.proxy.offer.failures")
            .description("Link fault commands from the admin API refused because the kernel loop's queue was full")
            .register(registry);
    }

    /**
     * @return true when queued; false (counted) when the queue is full.
     */
    boolean offer(final LinkFaultsCommand<?> command)
    {
        if (queue.offer(command))
        {
            return true;
        }
        offerFailures.increment();
        return false;
    }

    /**
     * Kernel loop: run up to {@link #COMMANDS_PER_DUTY_CYCLE_MAX} queued commands.
     *
     * @param linkFaults the core's link fault point.
     * @return commands run.
     */
    public int drain(final LinkFaults linkFaults)
    {
        int drained = 0;
        LinkFaultsCommand<?> command;
        while (drained < COMMANDS_PER_DUTY_CYCLE_MAX && null != (command = queue.poll()))
        {
            command.run(linkFaults);
            drained++;
        }
        return drained;
    }

    public long offerFailures()
    {
        return (long)offerFailures.count();
    }
}
