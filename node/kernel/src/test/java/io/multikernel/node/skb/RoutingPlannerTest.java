package io.multikernel.node.skb;

import static io.multikernel.node.skb.RttMatrix.RTT_UNKNOWN_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Hand-checked plans on three packages: {0, 1}, {2, 3, 4} and {5, 6, 7}.
 */
class RoutingPlannerTest
{
    private static final long U = RTT_UNKNOWN_NS;
    private static final int[] ALL_BUT_0 = {1, 2, 3, 4, 5, 6, 7};

    private final Topology topology = Topology.of(new int[]{0, 1, 2, 3, 4, 5, 6, 7}, new int[]{0, 0, 1, 1, 1, 2, 2, 2});
    private final RttMatrix rtt = new RttMatrix(topology);
    private final RoutingPlanner planner = new RoutingPlanner(topology, rtt);

    RoutingPlannerTest()
    {
        rtt.publishOwnRow(0, 1, new long[]{0, 200, 2_000, 1_500, 2_500, 5_000, 4_000, 4_500});
        rtt.publishOwnRow(3, 1, new long[]{1_500, U, 100, 0, 300, U, U, U});
        rtt.publishOwnRow(6, 1, new long[]{4_000, U, U, U, U, 100, 0, U});
    }

    @Test
    void unicastSendsToEachTargetDirectly()
    {
        final SendPlan plan = planner.plan(RoutingProtocol.UNICAST, 0, new int[]{7, 3, 1, 3, 0});

        assertThat(plan).hasToString("UNICAST from 0: 0->[1, 3, 7]");
        assertThat(plan.targets()).containsExactly(1, 3, 7);
        assertThat(plan.initiatorMessages()).isEqualTo(3);
        assertThat(plan.totalMessages()).isEqualTo(3);
        assertThat(plan.depth()).isEqualTo(1);
    }

    @Test
    void broadcastWritesOnceToAChannelAllTargetsRead()
    {
        final SendPlan plan = planner.plan(RoutingProtocol.BROADCAST, 0, new int[]{7, 3, 1});

        assertThat(plan).hasToString("BROADCAST from 0: 0=>[1, 3, 7]");
        assertThat(plan.writesSharedChannel(0)).isTrue();
        assertThat(plan.childrenOf(0)).containsExactly(1, 3, 7);
        assertThat(plan.initiatorMessages()).isEqualTo(1);
        assertThat(plan.totalMessages()).isEqualTo(1);
        assertThat(plan.depth()).isEqualTo(1);
    }

    @Test
    void multicastSendsOncePerPackageToItsLowestTarget()
    {
        final SendPlan plan = planner.plan(RoutingProtocol.MULTICAST, 0, ALL_BUT_0);

        assertThat(plan).hasToString("MULTICAST from 0: 0->[1, 2, 5] 2->[3, 4] 5->[6, 7]");
        assertThat(plan.initiatorMessages()).isEqualTo(3);
        assertThat(plan.totalMessages()).isEqualTo(7);
        assertThat(plan.depth()).isEqualTo(2);
        assertThat(plan.parentOf(4)).isEqualTo(2);
        assertThat(plan.hopsTo(4)).isEqualTo(2);
        assertThat(plan.parentOf(0)).isEqualTo(SendPlan.NO_PARENT);
        assertThat(plan.messagesSentBy(2)).isEqualTo(2);
        assertThat(plan.messagesSentBy(7)).isZero();
    }

    @Test
    void multicastTreatsTheInitiatorsOwnPackageLikeAnyOther()
    {
        final SendPlan plan = planner.plan(RoutingProtocol.MULTICAST, 3, new int[]{0, 1, 2, 4, 6});

        assertThat(plan).hasToString("MULTICAST from 3: 3->[0, 2, 6] 0->[1] 2->[4]");
    }

    @Test
    void topologyAwareMulticastSendsToTheFarthestPackageFirstThroughItsNearestCore()
    {
        final SendPlan plan = planner.plan(RoutingProtocol.TOPOLOGY_AWARE_MULTICAST, 0, ALL_BUT_0);

        // Package 2 (nearest core 6, 4 us) before package 1 (nearest core 3, 1.5 us) before package 0 (core 1).
        // Core 6 has not measured core 7: unknown counts as farthest, so 7 goes before 5.
        assertThat(plan).hasToString("TOPOLOGY_AWARE_MULTICAST from 0: 0->[6, 3, 1] 6->[7, 5] 3->[4, 2]");
        assertThat(plan.initiatorMessages()).isEqualTo(3);
        assertThat(plan.depth()).isEqualTo(2);
    }

    @Test
    void topologyAwareMulticastUsesTheReverseMeasurementWhenOneIsMissing()
    {
        // Core 1 has no row: core 0 measured 1 at 200 ns, but nobody measured 1 to 3 or 4, so package 1
        // counts as farthest and goes first.
        final SendPlan plan = planner.plan(RoutingProtocol.TOPOLOGY_AWARE_MULTICAST, 1, new int[]{0, 3, 4});

        assertThat(plan).hasToString("TOPOLOGY_AWARE_MULTICAST from 1: 1->[3, 0] 3->[4]");
    }

    @Test
    void topologyAwareWithoutMeasurementsFallsBackToPackageOrder()
    {
        final RttMatrix empty = new RttMatrix(topology);
        final RoutingPlanner blind = new RoutingPlanner(topology, empty);

        final SendPlan topo = blind.plan(RoutingProtocol.TOPOLOGY_AWARE_MULTICAST, 0, ALL_BUT_0);

        assertThat(topo).hasToString("TOPOLOGY_AWARE_MULTICAST from 0: 0->[1, 2, 5] 2->[3, 4] 5->[6, 7]");
    }

    @Test
    void planWithoutTargetsSendsNothing()
    {
        for (final RoutingProtocol protocol : RoutingProtocol.values())
        {
            final SendPlan plan = planner.plan(protocol, 4, new int[]{4, 4});

            assertThat(plan.targets()).isEmpty();
            assertThat(plan.nodes()).containsExactly(4);
            assertThat(plan.initiatorMessages()).isZero();
            assertThat(plan.totalMessages()).isZero();
            assertThat(plan.depth()).isZero();
            assertThat(plan.writesSharedChannel(4)).isFalse();
        }
    }

    @Test
    void refusesCoresOutsideTheTopology()
    {
        assertThatThrownBy(() -> planner.plan(RoutingProtocol.UNICAST, 9, new int[]{1}))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("core 9 is not in the topology (8 cores, ids 0..7)");
        assertThatThrownBy(() -> planner.plan(RoutingProtocol.UNICAST, 0, new int[]{1, 12}))
            .hasMessage("core 12 is not in the topology (8 cores, ids 0..7)");
        assertThatThrownBy(() -> planner.plan(RoutingProtocol.UNICAST, 0, new int[]{1}).childrenOf(5))
            .hasMessage("core 5 is not in the plan UNICAST from 0 to 1 targets");
        assertThatThrownBy(() -> new RoutingPlanner(Topology.of(new int[]{0}, new int[]{0}), rtt))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesProtocolsAsTheBenchmarkCliDoes()
    {
        assertThat(RoutingProtocol.fromCliName("topo")).isEqualTo(RoutingProtocol.TOPOLOGY_AWARE_MULTICAST);
        assertThat(RoutingProtocol.fromCliName("Unicast")).isEqualTo(RoutingProtocol.UNICAST);
        assertThatThrownBy(() -> RoutingProtocol.fromCliName("anycast"))
            .hasMessage("protocol=anycast is not one of unicast, broadcast, multicast, topo");
    }

    @Test
    void builderRefusesPlansThatAreNotTrees()
    {
        final int[] targets = {1, 2};

        assertThatThrownBy(() -> new SendPlan.Builder(topology, RoutingProtocol.UNICAST, 0, targets)
            .send(0, 1).send(0, 1))
            .isInstanceOf(IllegalStateException.class).hasMessage("UNICAST plan from 0: core 1 is reached twice");
        assertThatThrownBy(() -> new SendPlan.Builder(topology, RoutingProtocol.UNICAST, 0, targets).send(2, 1))
            .hasMessage("UNICAST plan from 0: core 2 sends before it is reached");
        assertThatThrownBy(() -> new SendPlan.Builder(topology, RoutingProtocol.UNICAST, 0, targets).send(0, 3))
            .hasMessage("UNICAST plan from 0: core 3 is not a target");
        assertThatThrownBy(() -> new SendPlan.Builder(topology, RoutingProtocol.UNICAST, 0, targets).send(1, 0))
            .hasMessage("UNICAST plan from 0: core 1 sends before it is reached");
        assertThatThrownBy(() -> new SendPlan.Builder(topology, RoutingProtocol.UNICAST, 0, targets).send(0, 1).build())
            .hasMessage("UNICAST plan from 0: reached 1 of 2 targets");
        assertThatThrownBy(() -> new SendPlan.Builder(topology, RoutingProtocol.BROADCAST, 0, targets)
            .sharedWrite(0, new int[]{1}).send(0, 2))
            .hasMessage("BROADCAST plan from 0: core 0 writes a shared channel and cannot also send to 2");
    }
}
