package io.multikernel.node.skb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import org.junit.jupiter.api.Test;

class TopologyTest
{
    @Test
    void ordersCoresByIdAndKnowsTheirPackages()
    {
        final Topology topology = Topology.of(new int[]{9, 2, 5, 0}, new int[]{1, 0, 1, 3});

        assertThat(topology.coreIds()).containsExactly(0, 2, 5, 9);
        assertThat(topology.coreCount()).isEqualTo(4);
        assertThat(topology.indexOf(5)).isEqualTo(2);
        assertThat(topology.indexOf(4)).isEqualTo(Topology.NO_INDEX);
        assertThat(topology.packageOf(9)).isEqualTo(1);
        assertThat(topology.packageIds()).containsExactly(0, 1, 3);
        assertThat(topology.coresInPackage(1)).containsExactly(5, 9);
        assertThat(topology.coresInPackage(2)).isEmpty();
        assertThat(topology).hasToString("Topology{0:[2], 1:[5, 9], 3:[0]}");
    }

    @Test
    void derivesFromTheClusterMap()
    {
        final Topology topology = Topology.from(ClusterMap.local(6, 3, TransportKind.IPC));

        assertThat(topology).isEqualTo(Topology.of(new int[]{0, 1, 2, 3, 4, 5}, new int[]{0, 0, 1, 1, 2, 2}));
    }

    @Test
    void equalFactsInAnyOrderAreEqual()
    {
        final Topology listed = Topology.of(new int[]{1, 0}, new int[]{7, 8});
        final Topology reordered = Topology.of(new int[]{0, 1}, new int[]{8, 7});

        assertThat(listed).isEqualTo(reordered).hasSameHashCodeAs(reordered);
    }

    @Test
    void refusesInconsistentFacts()
    {
        assertThatThrownBy(() -> Topology.of(new int[]{1, 1}, new int[]{0, 0})).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> Topology.of(new int[]{-1}, new int[]{0})).hasMessageContaining("negative");
        assertThatThrownBy(() -> Topology.of(new int[]{1}, new int[]{0, 1})).hasMessageContaining("length");
        assertThatThrownBy(() -> Topology.of(new int[0], new int[0])).hasMessageContaining("non-zero");
        assertThatThrownBy(() -> Topology.of(new int[]{0, 3}, new int[]{0, 0}).packageOf(2))
            .hasMessage("core 2 is not in the topology (2 cores, ids 0..3)");
    }
}
