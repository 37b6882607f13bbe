package io.multikernel.replication.sim;

import java.util.concurrent.TimeUnit;

import io.multikernel.replication.wal.FsyncPolicy;
import io.multikernel.replication.wal.MemoryStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thousands of failure schedules against the real engine. A failure prints its seed and step;
 * {@code mvn -pl replication test -Dtest=SimulationTest -Dsim.seed=N} replays exactly that seed with
 * a trace, and {@code -Dsim.seeds=COUNT} changes how many seeds run.
 */
class SimulationTest
{
    static final int SEEDS = Integer.getInteger("sim.seeds", 2000);
    static final int THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void everyInvariantHoldsAcrossThousandsOfSeeds() throws InterruptedException
    {
        final Long replay = Long.getLong("sim.seed");
        if (null != replay)
        {
            final SimulationResult result = Simulation.run(SimulationConfig.forSeed(replay).trace(true));
            System.out.println("replayed " + result);
            return;
        }
        final SimulationRunner.Summary summary = SimulationRunner.runSeeds(1, SEEDS, THREADS, (config) -> config);
        report("group/always fsync, process and machine crashes", summary);

        summary.failures().forEach((failure) -> System.out.println(failure.getMessage()));
        assertThat(summary.failures()).as("failing seeds (replay each with -Dsim.seed=N)").isEmpty();
        assertThat(summary.committed()).isGreaterThan(SEEDS * 10L);
        assertThat(summary.aborted()).isGreaterThan(SEEDS * 10L);
        assertThat(summary.crashes()).isGreaterThan(SEEDS);
        assertThat(summary.tornTails()).as("crashes in the middle of a write").isGreaterThan(SEEDS / 4);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void fsyncNoneKeepsEveryInvariantAcrossProcessCrashes() throws InterruptedException
    {
        final SimulationRunner.Summary summary = SimulationRunner.runSeeds(1_000_001, SEEDS / 10, THREADS,
            (config) -> config.fsyncPolicy(FsyncPolicy.NONE).crashMode(MemoryStorage.CrashMode.PROCESS));
        report("fsync none, process crashes only", summary);

        summary.failures().forEach((failure) -> System.out.println(failure.getMessage()));
        assertThat(summary.failures()).isEmpty();
    }

    @Test
    void aSeedReplaysExactly()
    {
        final SimulationResult first = Simulation.run(SimulationConfig.forSeed(12345));
        final SimulationResult second = Simulation.run(SimulationConfig.forSeed(12345));

        assertThat(second).isEqualTo(first);
        assertThat(first.committed()).isPositive();
    }

    static void report(final String what, final SimulationRunner.Summary summary)
    {
        System.out.printf("simulation (%s): %d seeds on %d threads in %d ms: %d committed, %d aborted, %d crashes " +
            "(%d in the middle of a write), %d restarts, %d failures%n", what, summary.seeds(), THREADS,
            summary.elapsedMs(), summary.committed(), summary.aborted(), summary.crashes(), summary.tornTails(),
            summary.restarts(), summary.failures().size());
    }
}
