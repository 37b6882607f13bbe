package io.multikernel.node.launcher.chaos;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChaosScheduleTest
{
    private static final List<Integer> CORES = List.of(0, 1, 2, 3);
    private static final List<ChaosFault.Kind> KINDS = List.of(ChaosFault.Kind.KILL, ChaosFault.Kind.PAUSE);

    @Test
    void theSameSeedGivesTheSameScheduleAndAnotherSeedAnother()
    {
        final List<ChaosFault> first = ChaosSchedule.plan(42, 120_000, CORES, KINDS);
        assertThat(ChaosSchedule.plan(42, 120_000, CORES, KINDS)).isEqualTo(first);
        assertThat(ChaosSchedule.plan(43, 120_000, CORES, KINDS)).isNotEqualTo(first);
    }

    @Test
    void faultsFollowEachOtherInsideTheRunWithBoundedLengthsAndGaps()
    {
        for (long seed = 0; seed < 200; seed++)
        {
            final List<ChaosFault> faults = ChaosSchedule.plan(seed, 60_000, CORES, KINDS);
            assertThat(faults).as("seed %d", seed).isNotEmpty();
            long previousEnd = 0;
            for (final ChaosFault fault : faults)
            {
                assertThat(fault.atMs() - previousEnd).as("seed %d: gap before %s", seed, fault)
                    .isBetween(ChaosSchedule.GAP_MIN_MS, ChaosSchedule.GAP_MAX_MS);
                assertThat(fault.durationMs()).isBetween(ChaosSchedule.FAULT_MIN_MS, ChaosSchedule.FAULT_MAX_MS);
                assertThat(fault.atMs() + fault.durationMs()).isLessThanOrEqualTo(60_000);
                assertThat(CORES).contains(fault.core());
                previousEnd = fault.atMs() + fault.durationMs();
            }
        }
    }

    @Test
    void onlyTheKindsAskedForAreDrawnAndEveryCoreIsHitOverManySeeds()
    {
        final java.util.Set<Integer> hit = new java.util.TreeSet<>();
        for (long seed = 0; seed < 50; seed++)
        {
            for (final ChaosFault fault : ChaosSchedule.plan(seed, 60_000, CORES, List.of(ChaosFault.Kind.PAUSE)))
            {
                assertThat(fault.kind()).isEqualTo(ChaosFault.Kind.PAUSE);
                hit.add(fault.core());
            }
        }
        assertThat(hit).containsExactlyElementsOf(CORES);
    }

    @Test
    void aRunTooShortForOneFaultHasNoneAndEmptyInputsAreRefused()
    {
        assertThat(ChaosSchedule.plan(1, ChaosSchedule.FAULT_MIN_MS, CORES, KINDS)).isEmpty();
        assertThatThrownBy(() -> ChaosSchedule.plan(1, 60_000, List.of(), KINDS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChaosSchedule.plan(1, 60_000, CORES, List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
