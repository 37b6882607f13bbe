package io.multikernel.node.util;

import java.time.Duration;

/**
 * Histogram bucket bounds for the OS operations' latency timers (capabilities, page tables, TLB
 * shootdowns), whose series are many (one timer per operation or protocol): three bounds a decade,
 * 1, 2 and 5, from {@link #SMALLEST} to {@link #LARGEST}. A quantile read from them with
 * {@code histogram_quantile} is off by at most the bucket's width (a factor of 2 or 2.5), where one
 * bound a decade put a p99 near the next power of ten whatever the samples were.
 */
public final class LatencyBuckets
{
    /** SMALLEST: the first bound; faster operations all fall in it. */
    public static final Duration SMALLEST = Duration.ofNanos(10_000);
    /** LARGEST: the last bound below +Inf. */
    public static final Duration LARGEST = Duration.ofSeconds(10);
    private static final long[] STEPS = { 1, 2, 5 };

    private LatencyBuckets()
    {
    }

    /** @return the bounds, ascending: 10 us, 20 us, 50 us, 100 us, ..., 5 s, 10 s. */
    public static Duration[] bounds()
    {
        final java.util.List<Duration> bounds = new java.util.ArrayList<>();
        for (long decadeNs = SMALLEST.toNanos(); decadeNs <= LARGEST.toNanos(); decadeNs *= 10)
        {
            for (final long step : STEPS)
            {
                final long boundNs = decadeNs * step;
                if (boundNs <= LARGEST.toNanos())
                {
                    bounds.add(Duration.ofNanos(boundNs));
                }
            }
        }
        return bounds.toArray(new Duration[0]);
    }
}
