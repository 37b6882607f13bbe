package io.multikernel.node.util;

/**
 * Periodic deadlines on a shared grid. A timer that fires at the next multiple of its interval on
 * the monotonic clock fires at the same moment in every core process of a host (the JVM's
 * {@code System.nanoTime()} reads the system-wide monotonic clock), so the periodic traffic of many
 * idle cores arrives in one burst per interval instead of spread over it. Each core then wakes once
 * for the burst and parks for the rest of the interval, where spread-out arrivals would reset every
 * core's idle backoff many times per interval. Correctness never depends on the alignment: on
 * another host, or with another clock, the ticks are merely at other phases, and where the clock
 * wraps (2^64 ns is no multiple of an interval) the grid shifts once.
 */
public final class Ticks
{
    private Ticks()
    {
    }

    /**
     * @param nowNs      current time.
     * @param intervalNs the timer's period, positive.
     * @return the first multiple of {@code intervalNs} strictly after {@code nowNs}.
     */
    public static long nextTick(final long nowNs, final long intervalNs)
    {
        if (intervalNs <= 0)
        {
            throw new IllegalArgumentException("tick interval " + intervalNs + " ns is not positive");
        }
        return nowNs - Math.floorMod(nowNs, intervalNs) + intervalNs;
    }
}
