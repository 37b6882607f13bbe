package io.multikernel.node.launcher.chaos;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How many writes a chaos run makes and how it spreads them over its length. */
class ChaosRunTest
{
    @Test
    void writesArePacedToLastTheWholeRunAtMostTheRatePerCore()
    {
        final long shortest = TimeUnit.SECONDS.toNanos(1) / ChaosRun.WRITES_PER_SECOND_PER_CORE;
        assertThat(ChaosRun.writeIntervalNs(60_000, 4, ChaosRun.WRITES_MAX)).as("a short run: the full rate")
            .isEqualTo(shortest);

        final long interval = ChaosRun.writeIntervalNs(600_000, 4, ChaosRun.WRITES_MAX);
        assertThat(interval).isGreaterThan(shortest);
        final long writesInTheRun = 4 * TimeUnit.MILLISECONDS.toNanos(600_000) / interval;
        assertThat(writesInTheRun).as("four writers for 600 s spread the run's writes over all of it")
            .isBetween((long)ChaosRun.WRITES_MAX - 4, (long)ChaosRun.WRITES_MAX);

        assertThat(ChaosRun.writeIntervalNs(3_600_000, 64, 100)).as("more writers than writes")
            .isEqualTo(TimeUnit.MILLISECONDS.toNanos(3_600_000));
    }

    @Test
    void aRunMakesOnlyTheWritesThatFitOneListingBesideWhatTheReplicasHold()
    {
        assertThat(ChaosRun.writesMax(0, 0)).isEqualTo(ChaosRun.WRITES_MAX);
        assertThat(ChaosRun.writesMax(0, ChaosRun.LISTING_LIMIT_ENTRIES - 500)).isEqualTo(500);
        assertThat(ChaosRun.writesMax(0, ChaosRun.LISTING_LIMIT_ENTRIES - ChaosRun.WRITES_MIN))
            .isEqualTo(ChaosRun.WRITES_MIN);
        assertThatThrownBy(() -> ChaosRun.writesMax(2, ChaosRun.LISTING_LIMIT_ENTRIES - ChaosRun.WRITES_MIN + 1))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("core 2's replica holds 9901 entries already, leaving room for 99 writes in one listing of " +
                "10000 (a run needs 100): start from a new cluster (mk down, remove the run directory's data, mk up)");
    }
}
