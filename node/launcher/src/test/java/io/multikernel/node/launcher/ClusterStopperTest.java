package io.multikernel.node.launcher;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.ClusterOverrides;
import io.multikernel.node.cluster.HostDescriptor;
import io.multikernel.node.cluster.OverrideField;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.util.StoppedProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code mk down} says about processes that do not stop, and what it clears after processes that died. */
class ClusterStopperTest
{
    @TempDir
    Path dir;

    @Test
    void aProcessStoppedBySignalIsNamedAsSuchNotAsIgnoringSigterm() throws Exception
    {
        try (StoppedProcess sleeper = StoppedProcess.start())
        {
            assertThat(ProcessUsage.isStopped(sleeper.pid())).as("stopped").isTrue();
            final ByteArrayOutputStream out = new ByteArrayOutputStream();

            ClusterStopper.stopGroup(List.of(sleeper.handle()), handle -> "core 1 (pid " + handle.pid() + ")", 300,
                new PrintStream(out, true));

            assertThat(sleeper.awaitGone(5_000)).as("killed").isTrue();
            assertThat(out.toString()).contains("core 1 (pid " + sleeper.pid() + ") is stopped by a signal (SIGSTOP, " +
                "or a debugger) and could not act on SIGTERM: killing it").doesNotContain("ignored");
        }
    }

    @Test
    void aProcessThatOutlivesTheGracePeriodIsNamedWithHowLongItHad() throws Exception
    {
        // A shell that ignores SIGTERM stands for a core busy past the grace period.
        final Process stubborn = new ProcessBuilder("sh", "-c", "trap '' TERM; echo ready; read line").start();
        try
        {
            assertThat(new String(stubborn.getInputStream().readNBytes(6))).isEqualTo("ready\n");
            final ByteArrayOutputStream out = new ByteArrayOutputStream();

            ClusterStopper.stopGroup(List.of(stubborn.toHandle()), 300, new PrintStream(out, true));

            assertThat(stubborn.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(out.toString()).contains("process " + stubborn.pid() + " did not exit within 300 ms of SIGTERM: " +
                "killing it");
        }
        finally
        {
            stubborn.destroyForcibly();
        }
    }

    @Test
    void downRemovesTheDriverDirectoriesTheMapNamesAndTheLrpcFilesOfCoresThatDied() throws Exception
    {
        final RunDirectory runDirectory = new RunDirectory(dir.resolve("run"));
        Files.createDirectories(runDirectory.root());
        final Map<String, String> overrides = new HashMap<>();
        final ClusterMap local = ClusterMap.local(2, 2, TransportKind.IPC);
        for (final HostDescriptor host : local.hosts())
        {
            overrides.put(OverrideField.HOST_AERON_DIR.key(host.id()), dir.resolve("shm/aeron-host-" + host.id()).toString());
        }
        final ClusterMap map = local.withOverrides(ClusterOverrides.of(overrides));
        map.writeTo(runDirectory.clusterFile());
        // Host 0's driver was killed: its directory stayed. Host 1's stopped cleanly and removed its own.
        final Path leftBehind = Files.createDirectories(dir.resolve("shm/aeron-host-0"));
        Files.write(leftBehind.resolve("cnc.dat"), new byte[4096]);
        final Path unrelated = Files.createDirectories(dir.resolve("shm/aeron-other"));
        final Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        runDirectory.writeProcesses(List.of(new RunDirectory.Entry("driver", 0, exited.pid()),
            new RunDirectory.Entry("core", 0, exited.pid())));
        Files.createDirectories(runDirectory.lrpcFile(0).getParent());
        Files.write(runDirectory.lrpcFile(0), new byte[4096]);

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ClusterStopper(runDirectory, new PrintStream(out, true)).down(1_000);

        assertThat(leftBehind).doesNotExist();
        assertThat(unrelated).exists();
        assertThat(runDirectory.lrpcFile(0)).doesNotExist();
        assertThat(out.toString()).contains("removed " + leftBehind + ", which its media driver left behind");
        assertThat(ClusterStopper.removeDriverDirectories(ClusterMap.local(2, 1, TransportKind.IPC), java.util.Set.of(0)))
            .as("a map that names no directory has none removed").isEmpty();
    }

    @Test
    void aDriverDirectoryOfAHostThisRunDirectoryDidNotStartStays() throws Exception
    {
        // A container's run directory: the hosts' map names the host's driver directory, no process is recorded.
        final RunDirectory runDirectory = new RunDirectory(dir.resolve("etc-mk"));
        Files.createDirectories(runDirectory.root());
        final Path live = Files.createDirectories(dir.resolve("shm/mk-aeron"));
        Files.write(live.resolve("cnc.dat"), new byte[4096]);
        final Map<String, String> overrides = new HashMap<>();
        final ClusterMap local = ClusterMap.local(2, 1, TransportKind.IPC);
        for (final HostDescriptor host : local.hosts())
        {
            overrides.put(OverrideField.HOST_AERON_DIR.key(host.id()), live.toString());
        }
        local.withOverrides(ClusterOverrides.of(overrides)).writeTo(runDirectory.clusterFile());

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(new ClusterStopper(runDirectory, new PrintStream(out, true)).down(1_000)).isZero();

        assertThat(live.resolve("cnc.dat")).as("a driver started elsewhere keeps its directory").exists();
        assertThat(out.toString()).doesNotContain("removed");
        // Only a host whose driver was recorded here (and is gone) is cleared.
        assertThat(ClusterStopper.removeDriverDirectories(local.withOverrides(ClusterOverrides.of(overrides)),
            java.util.Set.of())).isEmpty();
        assertThat(live).exists();
    }
}
