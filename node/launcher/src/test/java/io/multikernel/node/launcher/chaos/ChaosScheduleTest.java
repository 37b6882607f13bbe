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

    @Test
    void linkFaultsAreDrawnWithTheirParametersInsideTheirBoundsAndReplay()
    {
        final List<ChaosFault.Kind> all = List.of(ChaosFault.Kind.values());
        final java.util.Map<ChaosFault.Kind, Integer> counts = new java.util.EnumMap<>(ChaosFault.Kind.class);
        final java.util.Set<String> directions = new java.util.TreeSet<>();
        final java.util.Set<Integer> partitionSizes = new java.util.TreeSet<>();
        for (long seed = 0; seed < 200; seed++)
        {
            final List<ChaosFault> faults = ChaosSchedule.plan(seed, 60_000, CORES, all);
            assertThat(ChaosSchedule.plan(seed, 60_000, CORES, all)).as("seed %d replays", seed).isEqualTo(faults);
            for (final ChaosFault fault : faults)
            {
                counts.merge(fault.kind(), 1, Integer::sum);
                assertThat(fault.atMs() + fault.durationMs()).as("seed %d: %s", seed, fault).isLessThanOrEqualTo(60_000);
                assertThat(CORES).containsAll(fault.cores());
                switch (fault.kind())
                {
                    case PARTITION:
                        assertThat(fault.cores()).as("seed %d: %s", seed, fault).doesNotHaveDuplicates()
                            .hasSizeBetween(1, CORES.size() / 2);
                        assertThat(fault.drop()).isEqualTo(1.0);
                        directions.add(fault.direction());
                        partitionSizes.add(fault.cores().size());
                        break;
                    case LOSSY:
                        assertThat(fault.cores()).hasSize(1);
                        assertThat(fault.drop()).as("seed %d: %s", seed, fault)
                            .isBetween(ChaosSchedule.LOSSY_DROP_MIN, ChaosSchedule.LOSSY_DROP_MAX);
                        assertThat(fault.delayMs()).isZero();
                        break;
                    case SLOW:
                        assertThat(fault.cores()).hasSize(1);
                        assertThat(fault.delayMs()).as("seed %d: %s", seed, fault)
                            .isBetween(ChaosSchedule.SLOW_DELAY_MIN_MS, ChaosSchedule.SLOW_DELAY_MAX_MS);
                        assertThat(fault.drop()).isZero();
                        break;
                    default:
                        assertThat(fault.cores()).hasSize(1);
                        assertThat(fault.direction()).isEqualTo(ChaosFault.NO_DIRECTION);
                        break;
                }
            }
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrder(ChaosFault.Kind.values());
        assertThat(directions).containsExactlyInAnyOrder("both", "inbound", "outbound");
        assertThat(partitionSizes).containsExactly(1, 2);
    }

    @Test
    void onlyLinkKindsAskedForAreDrawnAndLinkFaultsNeedTwoCores()
    {
        final List<ChaosFault.Kind> linkKinds = List.of(ChaosFault.Kind.PARTITION, ChaosFault.Kind.SLOW);
        for (long seed = 0; seed < 50; seed++)
        {
            assertThat(ChaosSchedule.plan(seed, 60_000, CORES, linkKinds)).isNotEmpty()
                .allSatisfy(fault -> assertThat(linkKinds).contains(fault.kind()));
        }
        assertThatThrownBy(() -> ChaosSchedule.plan(1, 60_000, List.of(0), linkKinds))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least two cores");
        assertThat(ChaosSchedule.plan(1, 60_000, List.of(0), List.of(ChaosFault.Kind.KILL))).isNotEmpty();
    }
}
