package io.multikernel.node.core;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.multikernel.node.admin.PrometheusLint;
import io.multikernel.node.skb.Topology;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk_skb_peer_rtt_seconds{peer}}: the probe's RTT to each peer, registered at its first sample,
 * NaN after the peer restarts, at most one series per other core.
 */
class PeerRttGaugesTest
{
    private final Topology topology = Topology.of(new int[]{ 0, 1, 2 }, new int[]{ 0, 0, 1 });
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RttProbe probe = new RttProbe(topology, 0);
    private final PeerRttGauges gauges = new PeerRttGauges(registry, topology, 0);

    @Test
    void aPeerHasASeriesFromItsFirstSampleCarryingTheProbesWindowedMinimum()
    {
        assertThat(registry.find(PeerRttGauges.NAME).gauges()).isEmpty();

        pong(1, 8_000_000);   // the peer was parked: 8 ms
        pong(1, 5_000);       // awake: 5 us, the window's minimum from now on
        pong(1, 9_000_000);

        assertThat(registry.find(PeerRttGauges.NAME).gauges()).hasSize(1);
        assertThat(registry.get(PeerRttGauges.NAME).tag("peer", "1").gauge().value()).isEqualTo(5e-6);
        assertThat(registry.scrape()).contains("# TYPE mk_skb_peer_rtt_seconds gauge",
            "mk_skb_peer_rtt_seconds{peer=\"1\"} 5.0E-6");
        assertThat(PrometheusLint.problems(registry.scrape())).isEmpty();
    }

    @Test
    void aRestartedPeerReadsNanUntilItsNewIncarnationIsSampled()
    {
        pong(2, 40_000);
        probe.forget(2);
        gauges.forget(2);

        assertThat(registry.get(PeerRttGauges.NAME).tag("peer", "2").gauge().value()).isNaN();
        assertThat(gauges.rttSeconds(2)).isNaN();

        pong(2, 70_000);
        assertThat(registry.get(PeerRttGauges.NAME).tag("peer", "2").gauge().value()).isEqualTo(70e-6);
        assertThat(registry.find(PeerRttGauges.NAME).gauges()).hasSize(1);
    }

    @Test
    void neitherThisCoreNorACoreOutsideTheTopologyNorAnUnsampledPeerGetsASeries()
    {
        gauges.onRtt(0, 1_000);
        gauges.onRtt(7, 1_000);
        gauges.forget(1);

        assertThat(registry.find(PeerRttGauges.NAME).gauges()).isEmpty();

        for (int round = 0; round < 3; round++)
        {
            pong(1, 10_000);
            pong(2, 20_000);
        }
        assertThat(registry.find(PeerRttGauges.NAME).gauges()).as("one series per other core, however many samples")
            .hasSize(topology.coreCount() - 1);
    }

    private void pong(final int coreId, final long rttNs)
    {
        final long pingTimestampNs = 1_000_000;
        assertThat(probe.onPong(coreId, pingTimestampNs, pingTimestampNs + rttNs)).isTrue();
        gauges.onRtt(coreId, probe.rttNs(coreId));
    }
}
