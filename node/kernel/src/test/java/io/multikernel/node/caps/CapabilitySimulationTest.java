package io.multikernel.node.caps;

import io.multikernel.node.caps.CapabilityOperation.Allocate;
import io.multikernel.node.caps.CapabilityOperation.Copy;
import io.multikernel.node.caps.CapabilityOperation.Delete;
import io.multikernel.node.caps.CapabilityOperation.Mint;
import io.multikernel.node.caps.CapabilityOperation.Retype;
import io.multikernel.node.caps.CapabilityOperation.Revoke;
import io.multikernel.replication.StateMachine;
import io.multikernel.node.util.QuietEngineLog;
import io.multikernel.replication.sim.ForwardingStateMachine;
import io.multikernel.replication.sim.SimulatedState;
import io.multikernel.replication.sim.Simulation;
import io.multikernel.replication.sim.SimulationConfig;
import io.multikernel.replication.sim.SimulationFailure;
import io.multikernel.replication.sim.SimulationResult;
import io.multikernel.replication.sim.SimulationRunner;
import io.multikernel.replication.wal.FsyncPolicy;
import io.multikernel.replication.wal.MemoryStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The capability database replicated on every core by the real two-phase-commit engine, under the
 * simulator's failure schedules (coordinator and participant crashes, in the middle of writes too,
 * pauses, partitions, lost and reordered messages), with cores racing each other on purpose:
 * overlapping retypes of copies of one RAM object, deletes of an object's last two copies. See
 * {@link CapabilitySimulatedState} for the workload and the checks.
 *
 * <p>A failure prints its seed and step, and the command that replays that seed with a trace of its
 * last events ({@code -Dsim.seed=N}, with {@code -Dtest=} naming the failing test, since each runs
 * the seeds under its own settings); {@code -Dcaps.sim.seeds=COUNT} changes how many seeds run.
 */
@ExtendWith(QuietEngineLog.class)
class CapabilitySimulationTest
{
    /**
     * SEEDS: about 35 s on two cores, and the fsync-none tenth about 9 s more (a seed takes about 35 ms
     * of one core, the key-value store's about 20: every core takes part in every transaction).
     */
    static final int SEEDS = Integer.getInteger("caps.sim.seeds", 2000);
    static final int THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    /** Seeds of the broken databases: each must be caught in most of them. */
    static final int BROKEN_SEEDS = 16;
    private static final String REPLAY = "mvn -B -o test -pl node/kernel -am -Dsurefire.failIfNoSpecifiedTests=false " +
        "-Dtest='CapabilitySimulationTest#%s' -Dsim.seed=N";

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void everyInvariantHoldsAcrossThousandsOfSeeds() throws InterruptedException
    {
        final CapabilitySimulatedState.Coverage coverage = new CapabilitySimulatedState.Coverage();
        final SimulationRunner.Summary summary = runOrReplay("everyInvariantHoldsAcrossThousandsOfSeeds",
            "group/always fsync, process and machine crashes", 1, SEEDS, (config) -> config, coverage);
        if (null == summary)
        {
            return;
        }
        assertThat(summary.crashes()).isGreaterThan(SEEDS);
        assertThat(summary.tornTails()).as("crashes in the middle of a write").isGreaterThan(SEEDS / 4);
        for (final Class<? extends CapabilityOperation> kind :
            List.of(Allocate.class, Retype.class, Copy.class, Mint.class, Delete.class, Revoke.class))
        {
            assertThat(coverage.committed(kind)).as("committed " + kind.getSimpleName()).isGreaterThan(SEEDS);
        }
        assertThat(coverage.racesProposed.sum()).isGreaterThan(SEEDS);
        assertThat(coverage.racesOneCommitted.sum()).as("races one retype won").isGreaterThan(SEEDS / 10);
        assertThat(coverage.racesNoneCommitted.sum()).as("races both retypes lost").isGreaterThan(SEEDS / 10);
        assertThat(coverage.deletePairsBothCommitted.sum()).as("both of the last two copies deleted")
            .isGreaterThan(SEEDS / 10);
        assertThat(coverage.rootsReturned.sum()).isGreaterThan(SEEDS);
        assertThat(coverage.committed(CapabilityOperation.MapFrame.class)).as("committed maps").isGreaterThan(SEEDS);
        assertThat(coverage.committed(CapabilityOperation.Unmapped.class)).as("committed unmaps").isGreaterThan(SEEDS / 4);
        assertThat(coverage.revokesThatUnmapped.sum()).as("revokes that took mappings away").isGreaterThan(SEEDS / 20);
        assertThat(coverage.mapsThatMadeLeafTables.sum()).as("maps that made leaf page tables").isGreaterThan(SEEDS / 2);
        assertThat(coverage.leafTableRamReturned.sum()).as("leaf page tables destroyed and their RAM returned")
            .isGreaterThan(SEEDS / 10);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void fsyncNoneKeepsEveryInvariantAcrossProcessCrashes() throws InterruptedException
    {
        runOrReplay("fsyncNoneKeepsEveryInvariantAcrossProcessCrashes", "fsync none, process crashes only", 1_000_001,
            SEEDS / 10, (config) -> config.fsyncPolicy(FsyncPolicy.NONE).crashMode(MemoryStorage.CrashMode.PROCESS),
            new CapabilitySimulatedState.Coverage());
    }

    /**
     * Runs {@code count} seeds from {@code from}, prints what they did and asserts none failed; or,
     * with {@code -Dsim.seed=N}, runs that seed alone with a trace.
     *
     * @return what the seeds did; null after a replay.
     */
    private static SimulationRunner.Summary runOrReplay(final String test, final String what, final long from,
        final int count, final UnaryOperator<SimulationConfig> customise, final CapabilitySimulatedState.Coverage coverage)
        throws InterruptedException
    {
        final SimulatedState.Factory<CapabilityOperation, CapabilityDatabase> factory =
            CapabilitySimulatedState.factory(CapabilitySimulatedState.Breakage.NONE, coverage);
        final Long replay = Long.getLong("sim.seed");
        if (null != replay)
        {
            final SimulationResult result = Simulation.run(customise.apply(SimulationConfig.forSeed(replay)).trace(true),
                factory);
            System.out.println("replayed " + result + "\n  " + coverage);
            return null;
        }
        final SimulationRunner.Summary summary = SimulationRunner.runSeeds(from, count, THREADS, customise, factory);
        System.out.printf("capability simulation (%s): %d seeds on %d threads in %d ms: %d committed, %d aborted, " +
            "%d crashes (%d in the middle of a write), %d restarts, %d failures%n  %s%n", what, summary.seeds(), THREADS,
            summary.elapsedMs(), summary.committed(), summary.aborted(), summary.crashes(), summary.tornTails(),
            summary.restarts(), summary.failures().size(), coverage);

        summary.failures().forEach((failure) -> System.out.println(failure.getMessage()));
        assertThat(summary.failures()).as("failing seeds; replay one with " + String.format(REPLAY, test)).isEmpty();
        return summary;
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aSeedReplaysExactly()
    {
        final SimulationResult first = Simulation.run(SimulationConfig.forSeed(4242), CapabilitySimulatedState.factory(
            CapabilitySimulatedState.Breakage.NONE, new CapabilitySimulatedState.Coverage()));
        final SimulationResult second = Simulation.run(SimulationConfig.forSeed(4242), CapabilitySimulatedState.factory(
            CapabilitySimulatedState.Breakage.NONE, new CapabilitySimulatedState.Coverage()));

        assertThat(second).isEqualTo(first);
        assertThat(first.committed()).isPositive();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aDatabaseThatLetsOverlappingRetypesThroughIsCaught() throws InterruptedException
    {
        // A race's second retype, proposed after the first committed, now commits too.
        assertCaught((core, database) -> new LetsOverlappingRetypesThrough(database),
            "overlap but neither descends from the other|overlapping retypes proposed together both committed");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRetypeThatLocksOnlyItsNewIdsIsCaught() throws InterruptedException
    {
        // Unlocked, a retype also races revokes and deletes of its source: applied after one, it
        // finds no source capability; applied before the delete of its source's last copy, it
        // leaves that delete destroying an object with a live descendant.
        final SimulationRunner.Summary summary = assertCaught((core, database) -> new RetypeLocksOnlyNewIds(database),
            "overlapping retypes proposed together both committed|overlap but neither|" +
            "threw java.lang.NullPointerException|destroyed with live descendants");

        assertThat(summary.failures()).anySatisfy((failure) ->
            assertThat(failure.getMessage()).contains("overlapping retypes proposed together both committed"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMintThatKeepsEveryRightIsCaught() throws InterruptedException
    {
        assertCaught((core, database) -> new MintKeepsEveryRight(database), "rights grew");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMemoryServerThatHandsOutAnExtraPageIsCaught() throws InterruptedException
    {
        assertCaught((core, database) -> new AllocateHandsOutAnExtraPage(database),
            "more than the \\d+ committed allocations handed out|committed allocations whose RAM is (gone|live) hold");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aReplicaThatMissesADeleteIsCaught() throws InterruptedException
    {
        // Caught as replicas that differ, or as the memory the missed delete kept overlapping a later allocation.
        assertCaught((core, database) -> 1 == core ? new MissesEveryFourthDelete(database) : database,
            "replicas diverge once quiet|overlap but neither descends from the other");
    }

    private static SimulationRunner.Summary assertCaught(final CapabilitySimulatedState.Breakage breakage,
        final String expected) throws InterruptedException
    {
        final SimulationRunner.Summary summary = SimulationRunner.runSeeds(1, BROKEN_SEEDS, THREADS, (config) -> config,
            CapabilitySimulatedState.factory(breakage, new CapabilitySimulatedState.Coverage()));

        assertThat(summary.failures()).as("seeds in which the broken database was caught")
            .hasSizeGreaterThan(BROKEN_SEEDS / 2);
        for (final SimulationFailure failure : summary.failures())
        {
            assertThat(failure.getMessage()).matches("(?s)seed=" + failure.seed() + " step=\\d+: .*(" + expected +
                ").*\\(replay with -Dsim.seed=" + failure.seed() + "\\).*");
        }
        return summary;
    }

    /** Hands every call to the real database; the broken variants below change one thing. */
    private static class Forwarding extends ForwardingStateMachine<CapabilityOperation>
    {
        Forwarding(final CapabilityDatabase database)
        {
            super(database);
        }
    }

    /** Validation forgets that a retype must not overlap a live descendant. */
    private static final class LetsOverlappingRetypesThrough extends Forwarding
    {
        LetsOverlappingRetypesThrough(final CapabilityDatabase database)
        {
            super(database);
        }

        @Override
        public String validate(final CapabilityOperation operation)
        {
            final String problem = delegate.validate(operation);
            return operation instanceof Retype && null != problem && problem.contains("overlaps live descendant") ?
                VALID : problem;
        }
    }

    /** Barrelfish's window: a retype locks its new ids but not the source's object. */
    private static final class RetypeLocksOnlyNewIds extends Forwarding
    {
        RetypeLocksOnlyNewIds(final CapabilityDatabase database)
        {
            super(database);
        }

        @Override
        public Collection<?> lockKeys(final CapabilityOperation operation)
        {
            final Collection<?> keys = delegate.lockKeys(operation);
            return operation instanceof Retype ? List.copyOf(keys).subList(1, keys.size()) : keys;
        }
    }

    /** A mint copies the source's rights whatever the mask. */
    private static final class MintKeepsEveryRight extends Forwarding
    {
        MintKeepsEveryRight(final CapabilityDatabase database)
        {
            super(database);
        }

        @Override
        public void apply(final CapabilityOperation operation)
        {
            delegate.apply(operation instanceof Mint mint ? new Copy(mint.capId(), mint.newCapId(), mint.holderCore()) :
                operation);
        }
    }

    /** Every replica makes each allocated RAM object a page longer than asked, inside the range when it fits. */
    private static final class AllocateHandsOutAnExtraPage extends Forwarding
    {
        AllocateHandsOutAnExtraPage(final CapabilityDatabase database)
        {
            super(database);
        }

        @Override
        public void apply(final CapabilityOperation operation)
        {
            if (operation instanceof Allocate a)
            {
                final Allocate longer = new Allocate(a.serverCore(), a.base(), a.length() + CapabilityWorkload.PAGE,
                    a.objectId(), a.capId(), a.holderCore());
                delegate.apply(null == delegate.validate(longer) ? longer : a);
                return;
            }
            delegate.apply(operation);
        }
    }

    /** A corrupt replica: it skips every fourth delete it applies. */
    private static final class MissesEveryFourthDelete extends Forwarding
    {
        private static final int EVERY = 4;
        private int deletes;

        MissesEveryFourthDelete(final CapabilityDatabase database)
        {
            super(database);
        }

        @Override
        public void apply(final CapabilityOperation operation)
        {
            if (operation instanceof Delete && ++deletes % EVERY == 0)
            {
                return;
            }
            delegate.apply(operation);
        }
    }
}
