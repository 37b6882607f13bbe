package io.multikernel.node.core;

import io.multikernel.node.skb.RttMatrix;
import io.multikernel.node.skb.Topology;

import java.util.Arrays;

/**
 * This core's round-trip times to every other core, measured with Ping/Pong: per peer, the minimum
 * of its last {@link #WINDOW_SAMPLES} samples. A core at rest parks between duty cycles, so a Ping
 * that finds its peer parked measures the park as well as the interconnect; probes of one round
 * land while most peers are awake, and the minimum over a window keeps the interconnect's RTT and
 * drops the parks (the estimator of link latency also used by TCP's min RTT). A peer that restarts
 * starts a new window. Owned by the agent.
 */
final class RttProbe
{
    /** Pongs whose Ping is older than this are ignored, ns: a late answer says nothing current. */
    static final long SAMPLE_AGE_MAX_NS = 10_000_000_000L;
    /** Samples per peer the RTT is the minimum of: at the default 1 s probe interval, 8 s. */
    static final int WINDOW_SAMPLES = 8;

    private final Topology topology;
    private final int selfIndex;
    /** Per peer index, a ring of the last samples; {@link RttMatrix#RTT_UNKNOWN_NS} where empty. */
    private final long[][] samplesNs;
    private final int[] nextSample;
    private final long[] minimumNs;

    RttProbe(final Topology topology, final int selfCoreId)
    {
        this.topology = topology;
        this.selfIndex = topology.indexOf(selfCoreId);
        final int cores = topology.coreCount();
        this.samplesNs = new long[cores][WINDOW_SAMPLES];
        this.nextSample = new int[cores];
        this.minimumNs = new long[cores];
        for (final long[] ring : samplesNs)
        {
            Arrays.fill(ring, RttMatrix.RTT_UNKNOWN_NS);
        }
        Arrays.fill(minimumNs, RttMatrix.RTT_UNKNOWN_NS);
        minimumNs[selfIndex] = 0;
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
        final long[] ring = samplesNs[index];
        ring[nextSample[index]] = sampleNs;
        nextSample[index] = (nextSample[index] + 1) % WINDOW_SAMPLES;
        long minimum = sampleNs;
        for (final long sample : ring)
        {
            if (sample >= 0 && sample < minimum)
            {
                minimum = sample;
            }
        }
        minimumNs[index] = minimum;
        return true;
    }

    /**
     * A peer restarted: its old samples say nothing about the new process.
     *
     * @param coreId of the peer.
     */
    void forget(final int coreId)
    {
        final int index = topology.indexOf(coreId);
        if (Topology.NO_INDEX != index && index != selfIndex)
        {
            Arrays.fill(samplesNs[index], RttMatrix.RTT_UNKNOWN_NS);
            nextSample[index] = 0;
            minimumNs[index] = RttMatrix.RTT_UNKNOWN_NS;
        }
    }

    long rttNs(final int coreId)
    {
        final int index = topology.indexOf(coreId);
        return Topology.NO_INDEX == index ? RttMatrix.RTT_UNKNOWN_NS : minimumNs[index];
    }

    /**
     * @param row receives this core's row, indexed like the topology.
     */
    void copyRow(final long[] row)
    {
        System.arraycopy(minimumNs, 0, row, 0, minimumNs.length);
    }
}
