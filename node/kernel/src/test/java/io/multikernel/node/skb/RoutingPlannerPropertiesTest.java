package io.multikernel.node.skb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Invariants every plan of every protocol keeps, over random topologies, RTTs and target sets.
 * jqwik prints the failing {@link RoutingScenario} (with its seed) and the seed to replay the run.
 */
class RoutingPlannerPropertiesTest
{
    private static final int CORE_COUNT_MAX = 40;
    private static final int PACKAGE_COUNT_MAX = 8;

    @Provide
    Arbitrary<RoutingScenario> scenarios()
    {
        return Combinators.combine(
                Arbitraries.longs(),
                Arbitraries.integers().between(1, CORE_COUNT_MAX),
                Arbitraries.integers().between(1, PACKAGE_COUNT_MAX))
            .as(RoutingScenario::generate);
    }

    @Property(tries = 500)
    void reachesEveryTargetExactlyOnceAndNothingElse(
        @ForAll("scenarios") final RoutingScenario scenario, @ForAll final RoutingProtocol protocol)
    {
        final SendPlan plan = plan(scenario, protocol);
        final int[] expected = scenario.expectedTargets();

        assertThat(plan.targets()).containsExactly(expected);
        assertThat(plan.nodes()).doesNotHaveDuplicates().hasSize(expected.length + 1);
        assertThat(plan.nodes()[0]).isEqualTo(scenario.initiator);
        assertThat(Arrays.stream(plan.nodes()).skip(1).sorted().toArray()).containsExactly(expected);
        assertThat(plan.targets()).doesNotContain(scenario.initiator);
    }

    @Property(tries = 500)
    void isATreeRootedAtTheInitiator(
        @ForAll("scenarios") final RoutingScenario scenario, @ForAll final RoutingProtocol protocol)
    {
        final SendPlan plan = plan(scenario, protocol);
        final int[] nodes = plan.nodes();
        int edges = 0;
        for (final int node : nodes)
        {
            // Walking up must reach the initiator in fewer steps than there are nodes: no cycles.
            int current = node;
            int steps = 0;
            while (current != scenario.initiator && steps < nodes.length)
            {
                current = plan.parentOf(current);
                steps++;
            }
            assertThat(current).as("ancestor of %d", node).isEqualTo(scenario.initiator);
            assertThat(plan.hopsTo(node)).isEqualTo(steps);
            for (final int child : plan.childrenOf(node))
            {
                assertThat(plan.parentOf(child)).isEqualTo(node);
            }
            edges += plan.childrenOf(node).length;
        }
        assertThat(edges).isEqualTo(nodes.length - 1);
        assertThat(plan.parentOf(scenario.initiator)).isEqualTo(SendPlan.NO_PARENT);
    }

    @Property(tries = 500)
    void keepsTheProtocolsDepthBound(
        @ForAll("scenarios") final RoutingScenario scenario, @ForAll final RoutingProtocol protocol)
    {
        final SendPlan plan = plan(scenario, protocol);
        final int targetCount = scenario.expectedTargets().length;

        switch (protocol)
        {
            case UNICAST, BROADCAST -> assertThat(plan.depth()).isEqualTo(Math.min(targetCount, 1));
            case MULTICAST, TOPOLOGY_AWARE_MULTICAST -> assertThat(plan.depth())
                .isLessThanOrEqualTo(2)
                .isEqualTo(targetCount == 0 ? 0 : targetCount > packagesHoldingTargets(scenario) ? 2 : 1);
            default -> throw new AssertionError(protocol);
        }
    }

    @Property(tries = 500)
    void sendsTheProtocolsNumberOfMessages(
        @ForAll("scenarios") final RoutingScenario scenario, @ForAll final RoutingProtocol protocol)
    {
        final SendPlan plan = plan(scenario, protocol);
        final int targetCount = scenario.expectedTargets().length;

        switch (protocol)
        {
            case UNICAST ->
            {
                assertThat(plan.initiatorMessages()).isEqualTo(targetCount);
                assertThat(plan.totalMessages()).isEqualTo(targetCount);
            }
            case BROADCAST ->
            {
                assertThat(plan.initiatorMessages()).isEqualTo(Math.min(targetCount, 1));
                assertThat(plan.totalMessages()).isEqualTo(Math.min(targetCount, 1));
                assertThat(plan.childrenOf(scenario.initiator)).containsExactly(scenario.expectedTargets());
            }
            case MULTICAST, TOPOLOGY_AWARE_MULTICAST ->
            {
                assertThat(plan.initiatorMessages()).isEqualTo(packagesHoldingTargets(scenario));
                assertThat(plan.totalMessages()).isEqualTo(targetCount);
            }
            default -> throw new AssertionError(protocol);
        }
    }

    @Property(tries = 500)
    void multicastForwardsOnlyInsideAPackage(
        @ForAll("scenarios") final RoutingScenario scenario, @ForAll final boolean topologyAware)
    {
        final SendPlan plan = plan(scenario,
            topologyAware ? RoutingProtocol.TOPOLOGY_AWARE_MULTICAST : RoutingProtocol.MULTICAST);
        final Topology topology = scenario.topology;

        final int[] aggregators = plan.childrenOf(scenario.initiator);
        assertThat(Arrays.stream(aggregators).map(topology::packageOf).toArray()).doesNotHaveDuplicates();
        for (final int aggregator : aggregators)
        {
            for (final int forwarded : plan.childrenOf(aggregator))
            {
                assertThat(topology.packageOf(forwarded)).isEqualTo(topology.packageOf(aggregator));
            }
        }
    }

    @Property(tries = 500)
    void topologyAwareSendsFarthestFirstThroughTheNearestCore(@ForAll("scenarios") final RoutingScenario scenario)
    {
        final SendPlan plan = plan(scenario, RoutingProtocol.TOPOLOGY_AWARE_MULTICAST);
        final int[] aggregators = plan.childrenOf(scenario.initiator);

        for (int i = 1; i < aggregators.length; i++)
        {
            assertThat(distance(scenario, scenario.initiator, aggregators[i]))
                .as("package of %d is sent to after the package of %d", aggregators[i], aggregators[i - 1])
                .isLessThanOrEqualTo(distance(scenario, scenario.initiator, aggregators[i - 1]));
        }
        for (final int aggregator : aggregators)
        {
            for (final int forwarded : plan.childrenOf(aggregator))
            {
                assertThat(distance(scenario, scenario.initiator, aggregator))
                    .isLessThanOrEqualTo(distance(scenario, scenario.initiator, forwarded));
            }
        }
    }

    @Property(tries = 500)
    void isTheSameWhateverOrderTheFactsArriveIn(
        @ForAll("scenarios") final RoutingScenario scenario, @ForAll final RoutingProtocol protocol)
    {
        final RoutingScenario rebuilt = scenario.rebuiltInAnotherOrder();

        assertThat(rebuilt.rttMatrix.sameContent(scenario.rttMatrix)).isTrue();
        assertThat(plan(rebuilt, protocol)).isEqualTo(plan(scenario, protocol));
    }

    private static SendPlan plan(final RoutingScenario scenario, final RoutingProtocol protocol)
    {
        return new RoutingPlanner(scenario.topology, scenario.rttMatrix)
            .plan(protocol, scenario.initiator, scenario.targets);
    }

    private static int packagesHoldingTargets(final RoutingScenario scenario)
    {
        return (int)Arrays.stream(scenario.expectedTargets()).map(scenario.topology::packageOf).distinct().count();
    }

    private static long distance(final RoutingScenario scenario, final int from, final int to)
    {
        final long distanceNs = scenario.rttMatrix.distanceNs(from, to);
        return distanceNs == RttMatrix.RTT_UNKNOWN_NS ? Long.MAX_VALUE : distanceNs;
    }
}
