package io.multikernel.node.core;

import io.multikernel.node.skb.RttMatrix;
import io.multikernel.node.skb.Topology;

import java.util.Arrays;

/**
 * This core's smoothed round-trip times to every other core, measured with Ping/Pong. Smoothing is
 * TCP's: {@code srtt = 7/8 srtt + 1/8 sample}, the first sample taken as is. Owned by the agent.
 */
final class RttProbe
{
    /** Pongs whose Ping is older than this are ignored, ns: a late answer says nothing current. */
    static final long SAMPLE_AGE_MAX_NS = 10_000_000_000L;

    private final Topology topology;
    private final int selfIndex;
    private final long[] smoothedNs;

    RttProbe(final Topology topology, final int selfCoreId)
    {
        this.topology = topology;
        this.selfIndex = topology.indexOf(selfCoreId);
        this.smoothedNs = new long[topology.coreCount()];
        Arrays.fill(smoothedNs, RttMatrix.RTT_UNKNOWN_NS);
        smoothedNs[selfIndex] = 0;
    }

    /**
     * @param coreId          that answered.
     * @param pingTimestampNs our clock when the Ping left, echoed by the Pong.
     * @param nowNs           our clock now.
     * @return true if the sample was taken.
     */
    boolean onPong(final int coreId, final long pingTimestampNs, final long nowNs)
    {
        final int index = topology.indexOf(coreId);
        final long sampleNs = nowNs - pingTimestampNs;
        if (Topology.NO_INDEX == index || index == selfIndex || sampleNs < 0 || sampleNs > SAMPLE_AGE_MAX_NS)
        {
            return false;
        }
        final long previous = smoothedNs[index];
        smoothedNs[index] = RttMatrix.RTT_UNKNOWN_NS == previous ? sampleNs : previous - (previous >> 3) + (sampleNs >> 3);
        return true;
    }

    long smoothedNs(final int coreId)
    {
        final int index = topology.indexOf(coreId);
        return Topology.NO_INDEX == index ? RttMatrix.RTT_UNKNOWN_NS : smoothedNs[index];
    }

    /**
     * @param row receives this core's row, indexed like the topology.
     */
    void copyRow(final long[] row)
    {
        System.arraycopy(smoothedNs, 0, row, 0, smoothedNs.length);
    }
}
