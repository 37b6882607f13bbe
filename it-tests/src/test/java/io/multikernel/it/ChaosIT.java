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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Process-level chaos in CI: a four-core cluster of separate JVMs, started with {@code --chaos}, under
 * replicated writes from every core while seeded schedules kill cores with kill -9 (started again
 * over their data) and pause them with SIGSTOP past the failure detector's timeout, and then
 * partition cores (both ways and one way) and make their links lossy and slow through the link fault
 * points. After healing, the checker must find no violation; and it must catch a real protocol bug: with participants that apply a transaction when
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
    /**
     * The seed of the link-fault run: in {@link #RUN_S} it draws a lossy core, a one-way partition of
     * two cores from the other two, and a slow core.
     */
    private static final long LINK_SEED = 43;
    private static final List<ChaosFault.Kind> PROCESS_KINDS = List.of(ChaosFault.Kind.KILL, ChaosFault.Kind.PAUSE);
    private static final List<ChaosFault.Kind> LINK_KINDS =
        List.of(ChaosFault.Kind.PARTITION, ChaosFault.Kind.LOSSY, ChaosFault.Kind.SLOW);
    /**
     * The OS workload's runs (seed, s, kinds): seed 3 kills core 1 at 3.7 s and restarts it (it once
     * handed out a mapping id again after its restart), seed 11 stops core 0 for 6.3 s, past its Aeron
     * client's service interval (it once stayed cut off for good), then partitions and lossy links.
     */
    private static final List<Object[]> OS_RUNS = List.of(new Object[] {3L, 20L, "kill,pause,partition,lossy,slow"},
        new Object[] {11L, 30L, "pause,partition,lossy,slow"});
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
    @Timeout(value = 540, unit = TimeUnit.SECONDS)
    void killedPausedAndPartitionedCoresAndLossyOrSlowLinksLoseNoAcknowledgedWriteAndReplicasAgree() throws Exception
    {
        cluster = new TestCluster(root.resolve("run"), List.of());
        cluster.up(4, 1, true);
        assertThat(new ChaosRun(cluster.runDirectory(), System.out).defaultKinds())
            .as("default kinds on a cluster with link fault points").containsExactly(ChaosFault.Kind.values());
        int faults = 0;
        for (final long seed : SEEDS)
        {
            final ChaosRun.Report report = chaos(seed, RUN_S, PROCESS_KINDS);
            assertThat(report.violations()).as("violations with seed %d", seed).isEmpty();
            assertThat(report.outcomes().getOrDefault("committed", 0)).as("writes committed with seed %d", seed)
                .isPositive();
            faults += report.faults().size();
        }
        assertThat(faults).as("faults injected").isGreaterThanOrEqualTo(SEEDS.length);

        final ChaosRun.Report links = chaos(LINK_SEED, RUN_S, LINK_KINDS);
        assertThat(links.violations()).as("violations with link faults, seed %d", LINK_SEED).isEmpty();
        assertThat(links.outcomes().getOrDefault("committed", 0)).as("writes committed with link faults").isPositive();
        for (final ChaosFault.Kind kind : LINK_KINDS)
        {
            assertThat(links.faultCounts().get(kind.cliName())).as("%s faults injected", kind.cliName()).isPositive();
        }
    }

    /**
     * {@code mk chaos run --os}: apps on every core build, use and tear down address spaces through the
     * admin API while cores are killed, stopped and cut off. No load reads a page through a mapping
     * after its unmap returned, the capability and page-table replicas agree once settled, the
     * key-value history holds, and the workload leaves nothing behind.
     */
    @Test
    @Timeout(value = 540, unit = TimeUnit.SECONDS)
    void theOsWorkloadSeesNoStaleAccessAndItsReplicasAgreeUnderFaults() throws Exception
    {
        cluster = new TestCluster(root.resolve("run"), List.of());
        cluster.up(4, 1, true);
        for (final Object[] osRun : OS_RUNS)
        {
            final Path json = root.resolve("os-" + osRun[0] + ".json");
            final java.io.StringWriter out = new java.io.StringWriter();
            final java.io.StringWriter err = new java.io.StringWriter();
            final int exit = io.multikernel.node.cli.MkCommand.execute(new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true), "chaos", "run", "--os", "--seed", osRun[0].toString(),
                "--duration-s", osRun[1].toString(), "--faults", osRun[2].toString(), "--json", json.toString(),
                "--run-dir", cluster.runDirectory().root().toString());
            System.out.print(out);
            final com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(json.toFile());
            assertThat(report.get("violations")).as("violations with seed %s: %s", osRun[0], out).isEmpty();
            assertThat(exit).as("mk chaos run --os --seed %s: %s", osRun[0], err).isZero();
            final com.fasterxml.jackson.databind.JsonNode os = report.get("workloads").get("os");
            assertThat(os.get("loads_checked").asLong()).as("loads checked, seed %s", osRun[0]).isPositive();
            assertThat(os.get("shootdowns").asLong()).as("unmaps with shootdowns, seed %s", osRun[0]).isPositive();
            assertThat(os.get("committed").asLong()).as("OS changes committed, seed %s", osRun[0]).isPositive();
            assertThat(os.get("stale_accesses").asLong()).isZero();
            assertThat(os.get("left_behind").asLong()).as("what the workload left, seed %s", osRun[0]).isZero();
            assertThat(report.get("outcomes").get("committed").asInt()).as("writes committed, seed %s", osRun[0])
                .isPositive();
            assertThat(report.get("faults")).as("faults injected, seed %s", osRun[0]).isNotEmpty();
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void participantsThatApplyAtPrepareAreCaught() throws Exception
    {
        cluster = new TestCluster(root.resolve("run"), List.of("-D" + ReplicationConfiguration.PLANTED_BUG_PROP_NAME + "=" +
            ReplicationConfiguration.PLANTED_BUG_APPLY_AT_PREPARE));
        cluster.up(4);
        final ChaosRun run = new ChaosRun(cluster.runDirectory(), System.out);
        assertThat(run.defaultKinds()).as("default kinds without link fault points").isEqualTo(PROCESS_KINDS);
        assertThatThrownBy(() -> run.run(new ChaosRun.Settings(1, 10_000, LINK_KINDS, run.cores())))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("faults cannot be made: start the cluster with mk up --chaos");
        final ChaosRun.Report report = chaos(SEEDS[0], PLANTED_RUN_S, PROCESS_KINDS);
        assertThat(report.clean()).as("the planted bug went unnoticed").isFalse();
        assertThat(report.violations()).anyMatch(v -> v.contains("was aborted but is visible on core(s)"));
    }

    private ChaosRun.Report chaos(final long seed, final long seconds, final List<ChaosFault.Kind> kinds) throws Exception
    {
        final ChaosRun run = new ChaosRun(cluster.runDirectory(), new PrintStream(System.out, true));
        final ChaosRun.Report report = run.run(new ChaosRun.Settings(seed, seconds * 1000, kinds, run.cores()));
        System.out.print(ChaosRun.summary(report));
        return report;
    }
}
