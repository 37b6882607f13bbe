package io.multikernel.it;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.multikernel.node.launcher.chaos.ChaosFault;
import io.multikernel.node.launcher.chaos.ChaosRun;
import io.multikernel.replication.ReplicationConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Process-level chaos in CI: a four-core cluster of separate JVMs under replicated writes from every
 * core while seeded schedules kill cores with kill -9 (started again over their data) and pause them
 * with SIGSTOP past the failure detector's timeout. After healing, the checker must find no
 * violation; and it must catch a real protocol bug: with participants that apply a transaction when
 * they prepare it (the planted bug, behind its test-only switch), a run well inside {@code mk chaos
 * run}'s default 60 s reports aborted writes that are visible. A few fixed seeds, a fixed time budget;
 * the seeds and summaries are printed.
 */
class ChaosIT
{
    /** The seeds run on every build against the correct protocol; each a different schedule. */
    private static final long[] SEEDS = {7, 1_000_003};
    /** Each seed's run, s. */
    private static final long RUN_S = 25;
    /** The run against the planted bug, s. */
    private static final long PLANTED_RUN_S = 20;

    @TempDir
    Path root;

    private TestCluster cluster;

    @AfterEach
    void stop() throws Exception
    {
        if (null != cluster)
        {
            cluster.stop();
        }
    }

    @Test
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void killedAndPausedCoresLoseNoAcknowledgedWriteAndReplicasAgree() throws Exception
    {
        cluster = new TestCluster(root.resolve("run"), List.of());
        cluster.up(4);
        int faults = 0;
        for (final long seed : SEEDS)
        {
            final ChaosRun.Report report = chaos(seed, RUN_S);
            assertThat(report.violations()).as("violations with seed %d", seed).isEmpty();
            assertThat(report.outcomes().getOrDefault("committed", 0)).as("writes committed with seed %d", seed)
                .isPositive();
            faults += report.faults().size();
        }
        assertThat(faults).as("faults injected").isGreaterThanOrEqualTo(SEEDS.length);
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void participantsThatApplyAtPrepareAreCaught() throws Exception
    {
        cluster = new TestCluster(root.resolve("run"), List.of("-D" + ReplicationConfiguration.PLANTED_BUG_PROP_NAME + "=" +
            ReplicationConfiguration.PLANTED_BUG_APPLY_AT_PREPARE));
        cluster.up(4);
        final ChaosRun.Report report = chaos(SEEDS[0], PLANTED_RUN_S);
        assertThat(report.clean()).as("the planted bug went unnoticed").isFalse();
        assertThat(report.violations()).anyMatch(v -> v.contains("was aborted but is visible on core(s)"));
    }

    private ChaosRun.Report chaos(final long seed, final long seconds) throws Exception
    {
        final ChaosRun run = new ChaosRun(cluster.runDirectory(), new PrintStream(System.out, true));
        final ChaosRun.Report report = run.run(new ChaosRun.Settings(seed, seconds * 1000,
            List.of(ChaosFault.Kind.KILL, ChaosFault.Kind.PAUSE), run.cores()));
        System.out.print(ChaosRun.summary(report));
        return report;
    }
}
