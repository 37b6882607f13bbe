package io.multikernel.node.bench;

import org.HdrHistogram.Histogram;

/**
 * One measured run of one system over one media.
 *
 * @param rttP50Ns             median round trip, ns.
 * @param rttP90Ns             90th percentile, ns.
 * @param rttP99Ns             99th percentile, ns.
 * @param rttP999Ns            99.9th percentile, ns.
 * @param rttMaxNs             slowest round trip, ns.
 * @param throughputMsgsPerS   one-way messages per second while streaming.
 */
public record PingPongResult(long rttP50Ns, long rttP90Ns, long rttP99Ns, long rttP999Ns, long rttMaxNs, double throughputMsgsPerS)
{
    static PingPongResult of(final Histogram rtt, final double throughputMsgsPerS)
    {
        return new PingPongResult(rtt.getValueAtPercentile(50), rtt.getValueAtPercentile(90),
            rtt.getValueAtPercentile(99), rtt.getValueAtPercentile(99.9), rtt.getMaxValue(), throughputMsgsPerS);
    }

    /**
     * The per-field median of repeated runs; the machine's noise makes single runs unreliable.
     *
     * @param runs at least one.
     * @return medians.
     */
    static PingPongResult median(final java.util.List<PingPongResult> runs)
    {
        return new PingPongResult(
            medianLong(runs, PingPongResult::rttP50Ns), medianLong(runs, PingPongResult::rttP90Ns),
            medianLong(runs, PingPongResult::rttP99Ns), medianLong(runs, PingPongResult::rttP999Ns),
            medianLong(runs, PingPongResult::rttMaxNs),
            runs.stream().mapToDouble(PingPongResult::throughputMsgsPerS).sorted().toArray()[runs.size() / 2]);
    }

    private static long medianLong(final java.util.List<PingPongResult> runs, final java.util.function.ToLongFunction<PingPongResult> field)
    {
        return runs.stream().mapToLong(field).sorted().toArray()[runs.size() / 2];
    }
}
