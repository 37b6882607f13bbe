package io.multikernel.node.bench;

import org.HdrHistogram.Histogram;

/**
 * Commit latency of writes issued one at a time.
 *
 * @param p50Ns median, ns.
 * @param p99Ns 99th percentile, ns.
 */
public record LatencyPercentiles(long p50Ns, long p99Ns)
{
    /**
     * @param histogram of latencies in ns, not empty.
     * @return its median and 99th percentile.
     */
    public static LatencyPercentiles of(final Histogram histogram)
    {
        return new LatencyPercentiles(histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99));
    }

    /** One write that returns once it committed, or throws saying why not. */
    @FunctionalInterface
    interface Write
    {
        void commit() throws java.io.IOException, InterruptedException;
    }

    /**
     * The latency phase of a peer system: writes one at a time, {@code warmupOps} unmeasured, then
     * {@code ops} measured.
     *
     * @param latencyMaxNs   the highest latency recorded, ns (longer ones count as this).
     * @param phaseTimeoutS  how long the whole phase may take, s.
     * @return the measured writes' percentiles.
     * @throws java.io.IOException when a write fails or the phase overruns.
     */
    static LatencyPercentiles oneAtATime(final org.agrona.concurrent.NanoClock clock, final int warmupOps,
        final int ops, final long latencyMaxNs, final long phaseTimeoutS, final Write write)
        throws java.io.IOException, InterruptedException
    {
        final long deadlineNs = clock.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(phaseTimeoutS);
        final Histogram histogram = new Histogram(latencyMaxNs, 3);
        for (int i = 0; i < warmupOps + ops; i++)
        {
            final long startNs = clock.nanoTime();
            write.commit();
            final long endNs = clock.nanoTime();
            if (i >= warmupOps)
            {
                histogram.recordValue(Math.min(endNs - startNs, latencyMaxNs));
            }
            if (endNs - deadlineNs >= 0)
            {
                throw new java.io.IOException("the latency phase did not finish within " + phaseTimeoutS + " s (" + i +
                    " of " + (warmupOps + ops) + " writes done)");
            }
        }
        return of(histogram);
    }
}
