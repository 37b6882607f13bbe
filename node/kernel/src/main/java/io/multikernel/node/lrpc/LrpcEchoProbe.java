package io.multikernel.node.lrpc;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Measures echo round trips through an attached client, one call at a time: what {@code mk lrpc ping}
 * and {@code mk bench lrpc} report.
 */
public final class LrpcEchoProbe
{
    /** Longest round trip the histogram records, ns. */
    public static final long RTT_MAX_NS = 60_000_000_000L;

    private LrpcEchoProbe()
    {
    }

    /**
     * @param client  attached.
     * @param clock   to time with.
     * @param count   echoes to time.
     * @param warmup  echoes before timing.
     * @param payload bytes per echo.
     * @return round trips in ns.
     * @throws LrpcException with the first call's outcome that was not SUCCESS, or a wrong echo.
     */
    public static Histogram run(final LrpcClient client, final NanoClock clock, final int count, final int warmup,
        final int payload)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[payload]);
        final Histogram histogram = new Histogram(RTT_MAX_NS, 3);
        for (int i = 0; i < warmup + count; i++)
        {
            if (payload >= Integer.BYTES)
            {
                buffer.putInt(0, i);
            }
            final long startNs = clock.nanoTime();
            final LrpcResult result = client.call(LrpcOperations.ECHO, buffer, 0, payload);
            final long rttNs = clock.nanoTime() - startNs;
            if (!result.isSuccess())
            {
                throw new LrpcException("echo " + (i + 1) + " to core " + client.coreId() + " failed (" +
                    result.outcome().name().toLowerCase() + "): " + result.message());
            }
            if (result.payload().length != payload || (payload >= Integer.BYTES && result.intResult() != i))
            {
                throw new LrpcException("echo " + (i + 1) + " to core " + client.coreId() + " came back different");
            }
            if (i >= warmup)
            {
                histogram.recordValue(Math.min(rttNs, RTT_MAX_NS));
            }
        }
        return histogram;
    }
}
