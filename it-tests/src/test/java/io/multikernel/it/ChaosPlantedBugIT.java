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
 * The chaos checker catches a real protocol bug: with participants that apply a transaction when
 * they prepare it (the planted bug, behind its test-only switch), a chaos run well inside the default
 * duration reports aborted writes that are visible and replicas that differ.
 */
class ChaosPlantedBugIT
{
    /** Well inside {@code mk chaos run}'s default of 60 s. */
    private static final long RUN_S = 20;
    private static final long SEED = 7;

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
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void participantsThatApplyAtPrepareAreCaught() throws Exception
    {
        cluster = new TestCluster(root.resolve("run"), List.of("-D" + ReplicationConfiguration.PLANTED_BUG_PROP_NAME + "=" +
            ReplicationConfiguration.PLANTED_BUG_APPLY_AT_PREPARE));
        cluster.up(4);
        final ChaosRun run = new ChaosRun(cluster.runDirectory(), new PrintStream(System.out, true));
        final ChaosRun.Report report = run.run(new ChaosRun.Settings(SEED, RUN_S * 1000,
            List.of(ChaosFault.Kind.KILL, ChaosFault.Kind.PAUSE), run.cores()));
        System.out.print(ChaosRun.summary(report));
        assertThat(report.clean()).as("the planted bug went unnoticed").isFalse();
        assertThat(report.violations()).anyMatch(v -> v.contains("was aborted but is visible on core(s)"));
    }
}
