package io.multikernel.node.core;

import io.multikernel.node.skb.RttMatrix;
import io.multikernel.node.skb.Topology;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RttProbeTest
{
    private final Topology topology = Topology.of(new int[]{0, 1, 2}, new int[]{0, 0, 1});
    private final RttProbe probe = new RttProbe(topology, 0);

    @Test
    void unknownUntilTheFirstPongAndZeroToSelf()
    {
        assertThat(probe.rttNs(1)).isEqualTo(RttMatrix.RTT_UNKNOWN_NS);
        assertThat(probe.rttNs(0)).isZero();
        assertThat(probe.rttNs(99)).isEqualTo(RttMatrix.RTT_UNKNOWN_NS);
        final long[] row = new long[3];
        probe.copyRow(row);
        assertThat(row).containsExactly(0, RttMatrix.RTT_UNKNOWN_NS, RttMatrix.RTT_UNKNOWN_NS);
    }

    @Test
    void aProbeThatFoundItsPeerParkedDoesNotHideTheInterconnect()
    {
        assertThat(probe.onPong(1, 1_000, 1_000 + 8_000_000)).isTrue();   // peer parked 8 ms
        assertThat(probe.rttNs(1)).isEqualTo(8_000_000);
        assertThat(probe.onPong(1, 2_000, 2_000 + 5_000)).isTrue();       // peer awake: 5 us
        assertThat(probe.rttNs(1)).isEqualTo(5_000);
        assertThat(probe.onPong(1, 3_000, 3_000 + 9_000_000)).isTrue();
        assertThat(probe.rttNs(1)).isEqualTo(5_000);
        final long[] row = new long[3];
        probe.copyRow(row);
        assertThat(row).containsExactly(0, 5_000, RttMatrix.RTT_UNKNOWN_NS);
    }

    @Test
    void theMinimumAgesOutAfterTheWindow()
    {
        probe.onPong(2, 0, 4_000);
        for (int i = 0; i < RttProbe.WINDOW_SAMPLES - 1; i++)
        {
            probe.onPong(2, 0, 50_000 + i);
            assertThat(probe.rttNs(2)).isEqualTo(4_000);
        }
        probe.onPong(2, 0, 70_000);
        assertThat(probe.rttNs(2)).isEqualTo(50_000);
    }

    @Test
    void badSamplesAreIgnoredAndARestartForgetsThePeer()
    {
        assertThat(probe.onPong(1, 10, 5)).isFalse();                                   // from the future
        assertThat(probe.onPong(1, 0, RttProbe.SAMPLE_AGE_MAX_NS + 1)).isFalse();      // too late
        assertThat(probe.onPong(0, 0, 5)).isFalse();                                    // self
        assertThat(probe.onPong(42, 0, 5)).isFalse();                                   // not in the map
        assertThat(probe.rttNs(1)).isEqualTo(RttMatrix.RTT_UNKNOWN_NS);

        probe.onPong(1, 0, 3_000);
        probe.forget(1);
        assertThat(probe.rttNs(1)).isEqualTo(RttMatrix.RTT_UNKNOWN_NS);
        probe.onPong(1, 0, 7_000);
        assertThat(probe.rttNs(1)).isEqualTo(7_000);
        probe.forget(0);
        assertThat(probe.rttNs(0)).isZero();
    }
}
