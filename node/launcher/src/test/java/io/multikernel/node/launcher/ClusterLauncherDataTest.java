package io.multikernel.node.launcher;

import io.multikernel.node.cluster.TransportKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterLauncherDataTest
{
    @TempDir
    Path runDir;

    @Test
    void aClusterOfOtherCoresOverKeptDataIsRefusedBeforeAnythingStarts() throws Exception
    {
        for (int id = 0; id < 4; id++)
        {
            Files.createDirectories(runDir.resolve("data").resolve("core-" + id));
        }
        final RunDirectory runDirectory = new RunDirectory(runDir);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ClusterLauncher launcher = new ClusterLauncher(runDirectory, new PrintStream(out, true), List.of());
        assertThatThrownBy(() -> launcher.up(new ClusterLauncher.Options(6, 3, TransportKind.IPC, FreePorts.range(6),
            FreePorts.range(6), "backoff", 10_000)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage(runDir + " holds the replicated state of cores 0-3, not of cores 0-5: new cores would start " +
                "without it; start the same cores (--cores 4), use another --run-dir, or remove " + runDir.resolve("data") +
                " to start empty");
        assertThat(runDirectory.processes()).as("nothing was started").isEmpty();
        assertThat(out.toString()).doesNotContain("starting");
    }

    @Test
    void idRangesAreCompact()
    {
        assertThat(RunDirectory.idRanges(new TreeSet<>(List.of(0, 1, 2, 3, 6, 8, 9)))).isEqualTo("0-3,6,8-9");
        assertThat(RunDirectory.idRanges(new TreeSet<>(List.of(5)))).isEqualTo("5");
        assertThat(RunDirectory.idRanges(new TreeSet<>())).isEmpty();
    }

    @Test
    void aProcessThatDiedIsDescribedByItsStatusOrItsSignal()
    {
        assertThat(ClusterLauncher.exitDescription(1)).isEqualTo("status 1");
        assertThat(ClusterLauncher.exitDescription(0)).isEqualTo("status 0");
        assertThat(ClusterLauncher.exitDescription(137)).isEqualTo("status 137, killed by signal 9");
        assertThat(ClusterLauncher.exitDescription(143)).isEqualTo("status 143, killed by signal 15");
        assertThat(ClusterLauncher.exitDescription(128)).isEqualTo("status 128");
    }
}
