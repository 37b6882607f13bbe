package io.multikernel.node.vm;

import io.multikernel.node.util.QuietEngineLog;
import io.multikernel.replication.sim.ForwardingStateMachine;
import io.multikernel.replication.sim.Simulation;
import io.multikernel.replication.sim.SimulationConfig;
import io.multikernel.replication.sim.SimulationFailure;
import io.multikernel.replication.sim.SimulationResult;
import io.multikernel.replication.sim.SimulationRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Domains' page tables replicated on each domain's cores by the real two-phase-commit engine, under
 * the simulator's failure schedules (crashes, pauses, partitions, lost and reordered messages), with
 * each core proposing from its own, possibly lagging, replica as the address-space service does; see
 * {@link AddressSpaceSimulatedState}. A failure prints its seed; {@code -Dsim.seed=N} with
 * {@code -Dtest=} naming the test replays it with a trace, {@code -Dvm.sim.seeds=COUNT} changes how
 * many seeds run.
 */
@ExtendWith(QuietEngineLog.class)
class AddressSpaceSimulationTest
{
    /** SEEDS: about 10 s on two cores. */
    static final int SEEDS = Integer.getInteger("vm.sim.seeds", 600);
    static final int THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    /**
     * BROKEN_SEEDS: seeds the replicas without the version check run. The race it guards needs a
     * follow-up change whose first change moved the domain's cores, so it must be caught in at least
     * one seed in ten (seeds 1..60 catch it in 13).
     */
    static final int BROKEN_SEEDS = 60;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyDomainsReplicasAgreeAcrossHundredsOfSeeds() throws InterruptedException
    {
        final AddressSpaceSimulatedState.Coverage coverage = new AddressSpaceSimulatedState.Coverage();
        final Long replay = Long.getLong("sim.seed");
        if (null != replay)
        {
            System.out.println("replayed " + Simulation.run(SimulationConfig.forSeed(replay).trace(true),
                AddressSpaceSimulatedState.factory(AddressSpaceSimulatedState.Breakage.NONE, coverage)) + "\n  " + coverage);
            return;
        }
        final SimulationRunner.Summary summary = SimulationRunner.runSeeds(1, SEEDS, THREADS, config -> config,
            AddressSpaceSimulatedState.factory(AddressSpaceSimulatedState.Breakage.NONE, coverage));
        System.out.printf("address space simulation: %d seeds on %d threads in %d ms: %d committed, %d aborted, " +
            "%d crashes, %d restarts, %d failures%n  %s%n", summary.seeds(), THREADS, summary.elapsedMs(),
            summary.committed(), summary.aborted(), summary.crashes(), summary.restarts(), summary.failures().size(),
            coverage);
        summary.failures().forEach(failure -> System.out.println(failure.getMessage()));

        assertThat(summary.failures()).as("failing seeds; replay one with mvn -B -o test -pl node/kernel -am " +
            "-Dsurefire.failIfNoSpecifiedTests=false -Dtest='AddressSpaceSimulationTest#" +
            "everyDomainsReplicasAgreeAcrossHundredsOfSeeds' -Dsim.seed=N").isEmpty();
        assertThat(summary.crashes()).isGreaterThan(SEEDS / 2);
        for (final Class<? extends VmOperation> kind : List.of(VmOperation.Create.class, VmOperation.Map.class,
            VmOperation.Unmap.class, VmOperation.Protect.class, VmOperation.Span.class, VmOperation.Shrink.class,
            VmOperation.Destroy.class))
        {
            assertThat(coverage.committed(kind)).as("committed " + kind.getSimpleName()).isGreaterThan(SEEDS / 4);
        }
        assertThat(coverage.staleRefused.sum()).as("changes proposed from a lagging replica, refused")
            .isGreaterThan(SEEDS / 20);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aSeedReplaysExactly()
    {
        final SimulationResult first = Simulation.run(SimulationConfig.forSeed(4242), AddressSpaceSimulatedState.factory(
            AddressSpaceSimulatedState.Breakage.NONE, new AddressSpaceSimulatedState.Coverage()));
        final SimulationResult second = Simulation.run(SimulationConfig.forSeed(4242), AddressSpaceSimulatedState.factory(
            AddressSpaceSimulatedState.Breakage.NONE, new AddressSpaceSimulatedState.Coverage()));

        assertThat(second).isEqualTo(first);
        assertThat(first.committed()).isPositive();
    }

    /**
     * Replicas that take every change as proposed against their version: a change proposed from a
     * replica that lagged a span or shrink commits on a stale set of cores, and the domain's replicas
     * differ, or name other cores than hold them.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withoutTheVersionCheckAChangeFromALaggingReplicaLeavesReplicasThatDifferAndIsCaught()
        throws InterruptedException
    {
        final SimulationRunner.Summary summary = SimulationRunner.runSeeds(1, BROKEN_SEEDS, THREADS, config -> config,
            AddressSpaceSimulatedState.factory((core, replica) -> new IgnoresVersions(replica),
                new AddressSpaceSimulatedState.Coverage()));

        assertThat(summary.failures()).as("seeds in which the missing check was caught")
            .hasSizeGreaterThanOrEqualTo(BROKEN_SEEDS / 10);
        for (final SimulationFailure failure : summary.failures())
        {
            assertThat(failure.getMessage()).matches("(?s)seed=" + failure.seed() + " step=\\d+: .*(differ once quiet|" +
                "is held by cores .* but its replicas name cores).*");
        }
    }

    /** The real replica, except that a change's {@link VmOperation.AtVersion} is always valid. */
    private static final class IgnoresVersions extends ForwardingStateMachine<VmOperation>
    {
        IgnoresVersions(final AddressSpaces replica)
        {
            super(replica);
        }

        @Override
        public String validate(final VmOperation operation)
        {
            return operation instanceof VmOperation.AtVersion ? VALID : delegate.validate(operation);
        }
    }
}
