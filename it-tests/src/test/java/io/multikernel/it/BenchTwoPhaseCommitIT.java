package io.multikernel.it;

import io.multikernel.node.bench.AeronClusterMemberProcess;
import io.multikernel.node.bench.ReplicatedWriteReport;
import io.multikernel.node.bench.ZooKeeperEnsemble;
import io.multikernel.node.cli.MkCommand;
import io.multikernel.node.core.KernelMain;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.launcher.StrictJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code mk bench 2pc} with three core JVMs and against a real three-process ZooKeeper ensemble and
 * a real three-member Aeron Cluster: a few hundred writes each at fsync none give a JSON row per
 * system, our ratios against both peers and against the floor (raw Aeron IPC round trips measured in
 * the same run), and afterwards no core, media driver, ZooKeeper server
 * or Aeron Cluster member process and no data is left. An ensemble
 * that cannot form in time fails with one line naming a server and its log, and leaves no process.
 * This checks that the benchmark works, not how fast ZooKeeper is.
 */
class BenchTwoPhaseCommitIT
{
    @TempDir
    Path tempDir;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void measuresOurCoresAndAThreeServerEnsembleAndLeavesNothingBehind() throws Exception
    {
        final Path json = tempDir.resolve("out/2pc.json");
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true),
            "bench", "2pc", "--systems", "multikernel,zookeeper,aeron-cluster", "--replicas", "3", "--fsync", "none", "--ops", "300",
            "--warmup", "100", "--warmup-seconds", "1", "--throughput-seconds", "1", "--inflight", "32", "--run-dir", tempDir.toString(), "--json", json.toString());
        assertThat(exit).as("stderr: %s", err).isZero();

        // Read strictly: the file is exactly the report's shape, no field more or less.
        final ReplicatedWriteReport.Document report =
            StrictJson.read(Files.readString(json), ReplicatedWriteReport.Document.class, json.toString());
        final List<ReplicatedWriteReport.Row> rows = report.rows();
        assertThat(rows).extracting(ReplicatedWriteReport.Row::system).containsExactly("multikernel", "zookeeper",
            "aeron-cluster");
        for (final ReplicatedWriteReport.Row row : rows)
        {
            assertThat(row.fsync()).isEqualTo("none");
            assertThat(row.replicas()).isEqualTo(3);
            assertThat(row.p50Us()).isPositive();
            assertThat(row.p99Us()).isGreaterThanOrEqualTo(row.p50Us());
            assertThat(row.throughputPerS()).isPositive();
        }
        assertThat(report.ratios()).extracting(ReplicatedWriteReport.RatioRow::peer)
            .containsExactly("zookeeper", "aeron-cluster");
        // The floor: raw Aeron IPC ping-pong between this JVM and another, measured in the same run.
        final ReplicatedWriteReport.FloorDocument floor = report.floor();
        assertThat(floor).as("the floor is measured by default").isNotNull();
        assertThat(floor.rttP50Us()).isPositive().isLessThan(rows.get(0).p50Us());
        assertThat(floor.rttP99Us()).isGreaterThanOrEqualTo(floor.rttP50Us());
        assertThat(floor.criticalPathUs()).isEqualTo(2 * floor.rttP50Us());
        assertThat(floor.ratios()).singleElement().satisfies(ratio ->
        {
            assertThat(ratio.replicas()).isEqualTo(3);
            assertThat(ratio.p50Ratio()).isCloseTo(rows.get(0).p50Us() / floor.criticalPathUs(), within(1e-3));
        });

        assertThat(serversUnder(tempDir)).as("zookeeper servers left running").isEmpty();
        assertThat(aeronClusterMembers()).as("aeron cluster members left running").isEmpty();
        assertThat(mkChildren()).as("core or media driver processes left running").isEmpty();
        try (Stream<Path> left = Files.list(tempDir.resolve("bench-2pc")))
        {
            assertThat(left).as("data left behind").isEmpty();
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void closeStopsEveryServerAndRemovesItsData() throws Exception
    {
        final Path directory = tempDir.resolve("ensemble");
        final List<Long> pids;
        try (ZooKeeperEnsemble ensemble = ZooKeeperEnsemble.start(new ZooKeeperEnsemble.Context()
            .directory(directory)
            .forceSync(false)))
        {
            pids = ensemble.pids();
            assertThat(pids).hasSize(3);
            assertThat(serversUnder(directory)).as("the servers, found by their command lines")
                .extracting(ProcessHandle::pid).containsExactlyInAnyOrderElementsOf(pids);
            assertThat(ensemble.leaderConnectString()).startsWith("127.0.0.1:");
        }
        assertThat(serversUnder(directory)).isEmpty();
        assertThat(pids).allMatch(pid -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
        assertThat(directory).doesNotExist();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void anEnsembleThatDoesNotFormInTimeNamesAServerAndItsLogAndStopsEveryServer()
    {
        final Path directory = tempDir.resolve("ensemble");
        assertThatThrownBy(() -> ZooKeeperEnsemble.start(new ZooKeeperEnsemble.Context()
            .directory(directory)
            .forceSync(false)
            .startTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1))))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("zookeeper server 1 (and 2 more) did not join the ensemble within 1 ms")
            .hasMessageContaining("its log " + directory.resolve("server-1.log"));

        assertThat(serversUnder(directory)).as("zookeeper servers left running").isEmpty();
        assertThat(directory.resolve("server-1.log")).exists();
        assertThat(directory.resolve("server-1.cfg")).exists();
        assertThat(directory.resolve("server-1")).as("data directory").doesNotExist();
    }

    /** Aeron Cluster members started from this JVM that still run. */
    private static List<String> aeronClusterMembers()
    {
        return ProcessHandle.current().descendants()
            .filter(ProcessHandle::isAlive)
            .map(p -> RunDirectory.commandLine(p).orElse(""))
            .filter(c -> c.contains(AeronClusterMemberProcess.class.getName()))
            .toList();
    }

    /** Cores and media drivers the launcher started from this JVM that still run. */
    private static List<String> mkChildren()
    {
        return ProcessHandle.current().descendants()
            .filter(ProcessHandle::isAlive)
            .map(p -> RunDirectory.commandLine(p).orElse(""))
            .filter(c -> c.contains(KernelMain.class.getName()) || c.contains(MkCommand.class.getName()))
            .toList();
    }

    private static List<ProcessHandle> serversUnder(final Path directory)
    {
        final String marker = directory.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
            .filter(ProcessHandle::isAlive)
            .filter(p -> RunDirectory.commandLine(p).map(c -> c.contains(ZooKeeperEnsemble.SERVER_MAIN_CLASS) &&
                c.contains(marker)).orElse(false))
            .toList();
    }
}
