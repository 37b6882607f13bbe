package io.multikernel.node.util;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TicksTest
{
    @Test
    void nextTickIsTheFirstMultipleStrictlyAfterNow()
    {
        assertThat(Ticks.nextTick(0, 100)).isEqualTo(100);
        assertThat(Ticks.nextTick(1, 100)).isEqualTo(100);
        assertThat(Ticks.nextTick(99, 100)).isEqualTo(100);
        assertThat(Ticks.nextTick(100, 100)).isEqualTo(200);
        assertThat(Ticks.nextTick(-1, 100)).isEqualTo(0);
        assertThat(Ticks.nextTick(-100, 100)).isEqualTo(0);
        assertThat(Ticks.nextTick(-101, 100)).isEqualTo(-100);
    }

    @Test
    void twoClocksWithDifferentStartsShareTheGrid()
    {
        final long intervalNs = 100_000_000L;
        final long a = Ticks.nextTick(5_123_456_789L, intervalNs);
        final long b = Ticks.nextTick(5_187_654_321L, intervalNs);
        assertThat(a).isEqualTo(b).isEqualTo(5_200_000_000L);
    }

    @Test
    void deadlinesStayAheadAcrossTheWrapOfTheClock()
    {
        final long intervalNs = 100_000_000L;
        final long nowNs = Long.MAX_VALUE - 10;
        final long nextNs = Ticks.nextTick(nowNs, intervalNs);
        // Compared by difference, as every deadline is: the tick is ahead and at most one interval on.
        assertThat(nextNs - nowNs).isPositive().isLessThanOrEqualTo(intervalNs);
    }

    @Test
    void rejectsAnIntervalThatIsNotPositive()
    {
        assertThatThrownBy(() -> Ticks.nextTick(0, 0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("tick interval 0 ns is not positive");
    }
}
