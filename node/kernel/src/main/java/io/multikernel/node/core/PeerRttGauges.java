package io.multikernel.node.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.node.skb.RttMatrix;
import io.multikernel.node.skb.Topology;

/**
 * This core's round trip to each peer as the SKB holds it, published per peer as
 * {@code mk_skb_peer_rtt_seconds{peer="N"}}: the value of {@link RttProbe}, the minimum of the last
 * {@link RttProbe#WINDOW_SAMPLES} samples, which is this core's row of the SKB's RTT matrix. The
 * scraping core is the {@code core} label every series carries, so the series of all cores together
 * are the matrix, core by peer.
 * <p>
 * A peer's gauge is registered when its first sample is taken, so a peer never reached has no series;
 * there is at most one per other core of the topology. After the peer restarts ({@link #forget}) the
 * gauge reads NaN until a sample of the new incarnation is taken: an old process's RTT says nothing
 * about the new one. A peer that stops answering keeps its last value, as the SKB's matrix does.
 * <p>
 * The kernel loop is the only writer: {@link #onRtt} is an ordered store and allocates nothing once
 * the peer's gauge exists. Micrometer reads the values on the scrape's thread.
 */
final class PeerRttGauges
{
    /** Name of the gauge; the registry adds {@code _seconds}. */
    static final String NAME = "mk.skb.peer.rtt";
    /** Label naming the peer a round trip went to. */
    static final String PEER_TAG = "peer";
    private static final double NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final MeterRegistry registry;
    private final Topology topology;
    private final int selfIndex;
    /** By topology index, {@link RttMatrix#RTT_UNKNOWN_NS} where there is no current sample. */
    private final AtomicLongArray rttNs;
    private final boolean[] registered;

    /**
     * @param registry   the core's registry.
     * @param topology   every core of the cluster.
     * @param selfCoreId this core, which gets no gauge.
     */
    PeerRttGauges(final MeterRegistry registry, final Topology topology, final int selfCoreId)
    {
        this.registry = registry;
        this.topology = topology;
        this.selfIndex = topology.indexOf(selfCoreId);
        this.rttNs = new AtomicLongArray(topology.coreCount());
        this.registered = new boolean[topology.coreCount()];
        for (int i = 0; i < rttNs.length(); i++)
        {
            rttNs.lazySet(i, RttMatrix.RTT_UNKNOWN_NS);
        }
    }

    /**
     * @param coreId of the peer.
     * @param rttNs  the peer's RTT as the probe holds it now, or {@link RttMatrix#RTT_UNKNOWN_NS}.
     */
    void onRtt(final int coreId, final long rttNs)
    {
        final int index = topology.indexOf(coreId);
        if (Topology.NO_INDEX == index || index == selfIndex)
        {
            return;
        }
        this.rttNs.lazySet(index, rttNs);
        if (!registered[index] && RttMatrix.RTT_UNKNOWN_NS != rttNs)
        {
            registered[index] = true;
            Gauge.builder(NAME, this.rttNs, values -> seconds(values.get(index)))
                .description("Round trip to a peer as the SKB holds it: the minimum of the last " +
                    RttProbe.WINDOW_SAMPLES + " Ping samples, NaN after the peer restarted until a new sample")
                .baseUnit("seconds")
                .tag(PEER_TAG, Integer.toString(coreId))
                .strongReference(true)
                .register(registry);
        }
    }

    /**
     * The peer restarted: its gauge reads NaN until the next sample.
     *
     * @param coreId of the peer.
     */
    void forget(final int coreId)
    {
        onRtt(coreId, RttMatrix.RTT_UNKNOWN_NS);
    }

    /**
     * @param coreId of a peer.
     * @return what its gauge reads, in seconds: NaN when unknown.
     */
    double rttSeconds(final int coreId)
    {
        final int index = topology.indexOf(coreId);
        return Topology.NO_INDEX == index ? Double.NaN : seconds(rttNs.get(index));
    }

    private static double seconds(final long rttNs)
    {
        return RttMatrix.RTT_UNKNOWN_NS == rttNs ? Double.NaN : rttNs / NANOS_PER_SECOND;
    }
}
