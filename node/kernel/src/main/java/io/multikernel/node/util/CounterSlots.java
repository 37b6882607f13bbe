package io.multikernel.node.util;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed set of counters and gauges with one writer (the kernel loop that owns the component) and
 * readers on other threads (Micrometer's scrape, tests). A write is a plain read and an ordered store:
 * no atomic read-modify-write on the hot path. Each slot is published as one Micrometer series.
 */
public final class CounterSlots
{
    private final AtomicLongArray values;

    /**
     * @param slots how many values.
     */
    public CounterSlots(final int slots)
    {
        values = new AtomicLongArray(slots);
    }

    /** Adds one; single writer only. */
    public void increment(final int slot)
    {
        add(slot, 1);
    }

    /** Adds {@code delta}; single writer only. */
    public void add(final int slot, final long delta)
    {
        values.lazySet(slot, values.get(slot) + delta);
    }

    /** Sets the value (for a gauge, or a counter whose total is kept elsewhere); single writer only. */
    public void set(final int slot, final long value)
    {
        values.lazySet(slot, value);
    }

    /** @return the value, from any thread. */
    public long get(final int slot)
    {
        return values.get(slot);
    }

    /**
     * Publish a slot as a counter.
     *
     * @param registry    where.
     * @param name        dotted meter name, e.g. {@code mk.lrpc.requests}.
     * @param description help text.
     * @param slot        which value.
     * @param tags        tag keys and values, alternating; none for an untagged series.
     */
    public void counter(final MeterRegistry registry, final String name, final String description, final int slot,
        final String... tags)
    {
        FunctionCounter.builder(name, values, array -> array.get(slot))
            .description(description)
            .tags(tags)
            .register(registry);
    }

    /**
     * Publish a slot as a gauge.
     *
     * @param registry    where.
     * @param name        dotted meter name.
     * @param description help text.
     * @param slot        which value.
     * @param tags        tag keys and values, alternating.
     */
    public void gauge(final MeterRegistry registry, final String name, final String description, final int slot,
        final String... tags)
    {
        Gauge.builder(name, values, array -> array.get(slot))
            .description(description)
            .tags(tags)
            .strongReference(true)
            .register(registry);
    }
}
