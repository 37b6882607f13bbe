package io.multikernel.node.launcher.chaos;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinkInjectorTest
{
    private static final List<Integer> CORES = List.of(0, 1, 2, 3);

    @Test
    void aPartitionBothWaysCutsEveryLinkBetweenTheSidesAtBothEnds()
    {
        final ChaosFault fault = new ChaosFault(0, ChaosFault.Kind.PARTITION, List.of(0, 2), 4_000, "both", 1, 0);
        assertThat(LinkInjector.rules(fault, CORES)).containsExactlyInAnyOrder(
            new LinkInjector.Rule(0, 1, "both", 1, 0), new LinkInjector.Rule(1, 0, "both", 1, 0),
            new LinkInjector.Rule(0, 3, "both", 1, 0), new LinkInjector.Rule(3, 0, "both", 1, 0),
            new LinkInjector.Rule(2, 1, "both", 1, 0), new LinkInjector.Rule(1, 2, "both", 1, 0),
            new LinkInjector.Rule(2, 3, "both", 1, 0), new LinkInjector.Rule(3, 2, "both", 1, 0));
    }

    @Test
    void aOneWayPartitionCutsTheSameDirectionAtBothEnds()
    {
        final ChaosFault outbound = new ChaosFault(0, ChaosFault.Kind.PARTITION, List.of(3), 4_000, "outbound", 1, 0);
        assertThat(LinkInjector.rules(outbound, CORES)).containsExactlyInAnyOrder(
            new LinkInjector.Rule(3, 0, "outbound", 1, 0), new LinkInjector.Rule(0, 3, "inbound", 1, 0),
            new LinkInjector.Rule(3, 1, "outbound", 1, 0), new LinkInjector.Rule(1, 3, "inbound", 1, 0),
            new LinkInjector.Rule(3, 2, "outbound", 1, 0), new LinkInjector.Rule(2, 3, "inbound", 1, 0));
        final ChaosFault inbound = new ChaosFault(0, ChaosFault.Kind.PARTITION, List.of(3), 4_000, "inbound", 1, 0);
        assertThat(LinkInjector.rules(inbound, CORES)).contains(
            new LinkInjector.Rule(3, 0, "inbound", 1, 0), new LinkInjector.Rule(0, 3, "outbound", 1, 0)).hasSize(6);
    }

    @Test
    void lossyAndSlowLinksAreRulesOnTheCoreItselfTowardsEveryPeer()
    {
        final ChaosFault lossy = new ChaosFault(0, ChaosFault.Kind.LOSSY, List.of(1), 4_000, "both", 0.3, 0);
        assertThat(LinkInjector.rules(lossy, CORES)).containsExactly(new LinkInjector.Rule(1, 0, "both", 0.3, 0),
            new LinkInjector.Rule(1, 2, "both", 0.3, 0), new LinkInjector.Rule(1, 3, "both", 0.3, 0));
        final ChaosFault slow = new ChaosFault(0, ChaosFault.Kind.SLOW, List.of(0), 4_000, "both", 0, 120);
        assertThat(LinkInjector.rules(slow, CORES)).containsExactly(new LinkInjector.Rule(0, 1, "both", 0, 120),
            new LinkInjector.Rule(0, 2, "both", 0, 120), new LinkInjector.Rule(0, 3, "both", 0, 120));
        assertThatThrownBy(() -> LinkInjector.rules(ChaosFault.process(0, ChaosFault.Kind.KILL, 1, 4_000), CORES))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
