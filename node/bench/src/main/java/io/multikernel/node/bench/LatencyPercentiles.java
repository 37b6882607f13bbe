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
}
