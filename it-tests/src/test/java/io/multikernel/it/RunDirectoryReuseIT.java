package io.multikernel.it;

import io.multikernel.node.cli.MkCommand;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.ClusterStopper;
import io.multikernel.node.launcher.FreePorts;
import io.multikernel.node.launcher.RunDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A run directory keeps its cores' replicated state across {@code mk down} and {@code mk up}: the same
 * cores start again with it, and a cluster of other cores over it is refused before any process starts
 * (its new cores would hold none of the state the old ones hold). Cores are separate JVMs.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RunDirectoryReuseIT
{
    private static final int CORES = 2;

    @TempDir
    Path tempDir;
    private RunDirectory runDirectory;

    @AfterEach
    void stop() throws Exception
    {
        if (null != runDirectory)
        {
            new ClusterStopper(runDirectory, System.out).down(5_000);
        }
    }

    @Test
    void theSameCoresComeBackWithTheirStateAndOtherCoresAreRefused() throws Exception
    {
        runDirectory = new RunDirectory(tempDir.resolve("run"));
        up(CORES);
        assertThat(mk("kv", "put", "kept", "across-restarts", "--core", "0").out()).startsWith("committed");
        final long firstPid = corePid(0);
        new ClusterStopper(runDirectory, System.out).down(5_000);

        final ClusterLauncher launcher = new ClusterLauncher(runDirectory, new PrintStream(System.out, true), List.of());
        assertThatThrownBy(() -> launcher.up(options(CORES + 1)))
            .hasMessageContaining("holds the replicated state of cores 0-1, not of cores 0-2")
            .hasMessageContaining("start the same cores (--cores 2)");
        assertThat(runDirectory.processes().stream().filter(e -> RunDirectory.live(e).isPresent())).isEmpty();

        up(CORES);
        // The first start's log is kept beside the new one: why a cluster stopped is often in it.
        final java.nio.file.Path log = runDirectory.log("core", 0);
        assertThat(java.nio.file.Files.readString(ClusterLauncher.previousLog(log))).contains("up: pid=" + firstPid + " ");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(log)))
            .as("the new log is owner-only from the start, as the kept one").isEqualTo("rw-------");
        assertThat(java.nio.file.Files.readString(log)).doesNotContain("up: pid=" + firstPid + " ")
            .contains("up: pid=" + corePid(0) + " ");
        for (int core = 0; core < CORES; core++)
        {
            // A core stopped before it applied the put's commit learns the outcome from core 0 after it restarts.
            final String[] args = { "kv", "get", "kept", "--core", Integer.toString(core) };
            final Mk get = Await.settled(() -> mk(args), answer -> 0 == answer.exit() && answer.out().contains("across-restarts"));
            assertThat(get.exit()).as("kv get on core %d: %s", core, get.err()).isZero();
            assertThat(get.out()).contains("across-restarts");
        }
    }

    @Test
    void aCoreWhoseLogLostCommittedWritesComesBackDivergedAndEveryCommandSaysSo() throws Exception
    {
        runDirectory = new RunDirectory(tempDir.resolve("run"));
        up(CORES);
        for (int i = 0; i < 40; i++)
        {
            assertThat(mk("kv", "put", "key-" + i, "value-" + i, "--core", "0").out()).startsWith("committed");
        }
        // A restart over a whole log is not taken for a lost one.
        final Mk clean = mk("restart", "--core", "1", "--timeout-s", "30");
        assertThat(clean.exit()).as(clean.err()).isZero();
        assertThat(clean.out()).contains("core 1 is up again");
        for (int i = 40; i < 60; i++)
        {
            assertThat(mk("kv", "put", "key-" + i, "value-" + i, "--core", "0").out()).startsWith("committed");
        }

        // Core 1 stopped, and the end of its log cut off: the last records of writes it voted on are gone.
        final ProcessHandle core1 = ProcessHandle.of(corePid(1)).orElseThrow();
        core1.destroy();
        core1.onExit().get(30, TimeUnit.SECONDS);
        final Path segment;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(runDirectory.dataDirectory(1)))
        {
            segment = files.filter(f -> f.getFileName().toString().matches("wal-\\d+\\.log"))
                .max(java.util.Comparator.comparing(Path::toString)).orElseThrow();
        }
        final long length = java.nio.file.Files.size(segment);
        assertThat(length).as(segment.toString()).isGreaterThan(3_000);
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(segment,
            java.nio.file.StandardOpenOption.WRITE))
        {
            channel.truncate(length - 1_500);
        }

        final Mk restarted = mk("restart", "--core", "1", "--timeout-s", "30");
        assertThat(restarted.exit()).as(restarted.out()).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(restarted.err()).contains("core 1 runs, but its replicas diverged: core 0 knows transaction 0:")
            .contains("committed with core 1 as a participant, but core 1's write-ahead log holds no trace of it")
            .contains("core-1/diverged keeps this verdict across restarts: remove it only once")
            .contains("Nothing rebuilds a core's replicas from its peers");
        final Mk status = mk("status");
        assertThat(status.exit()).as(status.out()).isEqualTo(3);
        assertThat(status.out()).containsPattern("(?m)^1 +diverged ").contains("core 1 runs, but its replicas diverged");
        final java.net.http.HttpResponse<String> health = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                ClusterStatus.map(runDirectory).adminUrl(1) + "/health")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("\"status\":\"diverged\"").contains("holds no trace of it");
        assertThat(java.nio.file.Files.readString(runDirectory.log("core", 1))).contains("ERROR")
            .contains("core 1: replicas diverged: core 0 knows transaction");
        assertThat(runDirectory.dataDirectory(1).resolve("diverged")).as("kept across restarts").exists();
        // Core 0, whose log is whole, is not diverged, and the writes core 1 lost are still there.
        assertThat(mk("kv", "get", "key-59", "--core", "0").out()).contains("value-59");

        // The whole cluster stopped and started again over the same data: the same verdict, the cluster runs.
        new ClusterStopper(runDirectory, System.out).down(5_000);
        final List<ClusterStatus.CoreRow> rows = new ClusterLauncher(runDirectory, new PrintStream(System.out, true),
            List.of()).up(options(CORES));
        assertThat(rows.get(0).seesAllPeers()).as(rows.toString()).isTrue();
        assertThat(rows.get(1).isDiverged()).as(rows.toString()).isTrue();
        assertThat(rows.get(1).problem()).contains("core 1 runs, but its replicas diverged: since an earlier start: " +
            "core 0 knows transaction").contains("core-1/diverged keeps this verdict across restarts: remove it only once");
    }

    @Test
    void aRestartThatCouldNotStartTheCoreLeavesItRunningAndAPausedCoreIsKilledAndStartedAgain() throws Exception
    {
        runDirectory = new RunDirectory(tempDir.resolve("run"));
        up(CORES);
        final Path secret = runDirectory.root().resolve(io.multikernel.common.ClusterSecret.DEFAULT_FILE_NAME);
        final long before = corePid(1);

        java.nio.file.Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        final Mk refused = mk("restart", "--core", "1", "--timeout-s", "10");
        assertThat(refused.exit()).as(refused.out()).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(refused.err()).contains("core 1 left as it is: it could not start again").contains(secret.toString());
        assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive)).as("not stopped").contains(true);
        java.nio.file.Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        TestCluster.pause(before);
        final Mk restarted = mk("restart", "--core", "1", "--timeout-s", "5");
        assertThat(restarted.exit()).as(restarted.err()).isZero();
        assertThat(restarted.out()).as("SIGTERM stays pending in a stopped process: it was killed").contains("core 1 is up again");
        assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false)).as("the paused process").isFalse();
        assertThat(corePid(1)).isNotEqualTo(before);

        // Its data directory gone (a wiped disk): started again, it would hold none of the state core 0 holds.
        final long running = corePid(1);
        final ProcessHandle process = ProcessHandle.of(running).orElseThrow();
        process.destroyForcibly();
        process.onExit().get(10, TimeUnit.SECONDS);
        TestFiles.deleteTree(runDirectory.dataDirectory(1));
        final Mk wiped = mk("restart", "--core", "1", "--timeout-s", "10");
        assertThat(wiped.exit()).as(wiped.out()).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(wiped.err()).contains("core 1's data directory " + runDirectory.dataDirectory(1) + " is missing or empty")
            .contains("cores 0 hold the cluster's replicated state");
        assertThat(corePid(1)).as("not started").isEqualTo(running);

        // The host's media driver killed: the cores cannot run without it, so none is stopped for a
        // restart that could not start it, and mk status names the driver and exits 3.
        final long driver = runDirectory.processes().stream().filter(e -> "driver".equals(e.kind())).findFirst()
            .orElseThrow().pid();
        final ProcessHandle driverProcess = ProcessHandle.of(driver).orElseThrow();
        driverProcess.destroyForcibly();
        driverProcess.onExit().get(10, TimeUnit.SECONDS);
        final long core0 = corePid(0);
        final Mk withoutDriver = mk("restart", "--core", "0", "--timeout-s", "10");
        assertThat(withoutDriver.exit()).as(withoutDriver.out()).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(withoutDriver.err()).contains("the media driver of host 0 (pid " + driver + ") is gone")
            .contains("nothing was stopped");
        assertThat(ProcessHandle.of(core0).map(ProcessHandle::isAlive)).as("core 0 not stopped").contains(true);
        final Mk status = mk("status");
        assertThat(status.exit()).as(status.out()).isEqualTo(3);
        assertThat(status.out()).contains("media driver of host 0: pid " + driver + ", gone");
    }

    @Test
    void aSecondProcessOfARunningCoreIsRefusedBeforeItTouchesTheCoresLog() throws Exception
    {
        runDirectory = new RunDirectory(tempDir.resolve("run"));
        up(CORES);
        assertThat(mk("kv", "put", "before", "value-before", "--core", "0").out()).startsWith("committed");

        // As a second mk core, or a docker-compose run of a host whose volume is in use, would start it.
        final Path data = runDirectory.root().resolve("data").resolve("core-1");
        try (ManagedProcess second = ManagedProcess.startKernel("second-core-1", List.of(), List.of("core", "--id", "1",
            "--cluster", runDirectory.clusterFile().toString(), "--data-dir", data.toString())))
        {
            assertThat(second.awaitExit(60, TimeUnit.SECONDS)).as(second.logTail()).isEqualTo(1);
            assertThat(second.logTail()).contains("core 1's data directory " + data + " is in use by another process " +
                "(pid " + corePid(1) + "): that core is running already");
        }

        assertThat(mk("kv", "put", "after", "value-after", "--core", "0").out()).startsWith("committed");
        final Mk restarted = mk("restart", "--core", "1", "--timeout-s", "30");
        assertThat(restarted.exit()).as(restarted.err()).isZero();
        for (final String key : new String[]{ "before", "after" })
        {
            final String[] args = { "kv", "get", key, "--core", "1" };
            final Mk get = Await.settled(() -> mk(args), answer -> 0 == answer.exit() && answer.out().contains("value-" + key));
            assertThat(get.exit()).as("kv get %s on core 1: %s", key, get.err()).isZero();
            assertThat(get.out()).contains("value-" + key);
        }
    }

    private long corePid(final int core)
    {
        return runDirectory.processes().stream().filter(e -> "core".equals(e.kind()) && e.id() == core).findFirst().orElseThrow().pid();
    }

    private void up(final int cores) throws Exception
    {
        final ClusterLauncher launcher = new ClusterLauncher(runDirectory, new PrintStream(System.out, true), List.of());
        final List<ClusterStatus.CoreRow> rows = launcher.up(options(cores));
        assertThat(rows).hasSize(cores).allMatch(ClusterStatus.CoreRow::seesAllPeers);
    }

    private static ClusterLauncher.Options options(final int cores) throws java.io.IOException
    {
        return new ClusterLauncher.Options(cores, 1, TransportKind.IPC, FreePorts.range(cores), FreePorts.range(cores),
            "backoff", 90_000);
    }

    private Mk mk(final String... args)
    {
        final String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
            java.util.stream.Stream.of("--run-dir", runDirectory.root().toString())).toArray(String[]::new);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), all);
        return new Mk(exit, out.toString().trim(), err.toString().trim());
    }

    private record Mk(int exit, String out, String err)
    {
    }
}
