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
    void aSharedDirectoryOrOneOfSomethingElseIsNoRunDirectoryAndIsLeftAsItWas() throws Exception
    {
        final Path shared = runDir.resolve("shared");
        Files.createDirectories(shared);
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> new ClusterLauncher(new RunDirectory(shared), new PrintStream(new ByteArrayOutputStream(),
            true), List.of()).up(new ClusterLauncher.Options(1, 1, TransportKind.IPC, FreePorts.range(1), FreePorts.range(1),
            "backoff", 10_000)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("the run directory " + shared + " is writable by every user (rwxrwxrwx), a shared directory: mk up " +
                "would make it its own; give a directory of its own, e.g. --run-dir " + shared.resolve("mk-run"));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)))
            .as("its mode is left alone").isEqualTo("rwxrwxrwx");
        assertThat(shared.resolve("cluster.yaml")).doesNotExist();

        final Path project = runDir.resolve("project");
        Files.createDirectories(project.resolve("src"));
        Files.writeString(project.resolve("pom.xml"), "<project/>");
        assertThatThrownBy(() -> new RunDirectory(project).createOwnerOnly())
            .hasMessage("the run directory " + project + " holds pom.xml, src, and no run directory's files: give a new " +
                "or empty directory, or one mk up used before");
        assertThat(project.resolve("logs")).doesNotExist();

        final Path used = runDir.resolve("used");
        Files.createDirectories(used.resolve("logs"));
        Files.writeString(used.resolve("notes.txt"), "mine");
        assertThat(new RunDirectory(used).createOwnerOnly().root()).as("one mk up used before").isEqualTo(used);
        final Path outputs = runDir.resolve("outputs");
        Files.createDirectories(outputs.resolve("json"));
        Files.writeString(outputs.resolve(".keep"), "");
        assertThat(new RunDirectory(outputs).createOwnerOnly().root())
            .as("a directory a --json made, and a hidden file, are no foreign content").isEqualTo(outputs);
        assertThatThrownBy(() -> RunDirectory.resolve(Path.of(""))).hasMessageStartingWith("--run-dir is empty");
    }

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
    void aDataDirectoryHoldingOnlyALockIsNoReplicatedState() throws Exception
    {
        // Left by a core that took its lock and then could not start (its admin port was in use).
        final Path lockOnly = Files.createDirectories(runDir.resolve("data").resolve("core-5"));
        Files.writeString(lockOnly.resolve(io.multikernel.node.replication.DataDirectoryLock.FILE_NAME), "123\n");
        final Path empty = Files.createDirectories(runDir.resolve("data").resolve("core-1"));
        final Path used = Files.createDirectories(runDir.resolve("data").resolve("core-2"));
        Files.writeString(used.resolve(io.multikernel.node.replication.DataDirectoryLock.FILE_NAME), "123\n");
        Files.writeString(used.resolve("format"), "replicated-states-1\n");
        Files.write(used.resolve("wal-00000000000000000000.log"), new byte[64]);
        // A core whose write-ahead log was removed: its format marker and lock hold no replicated state.
        final Path logRemoved = Files.createDirectories(runDir.resolve("data").resolve("core-3"));
        Files.writeString(logRemoved.resolve(io.multikernel.node.replication.DataDirectoryLock.FILE_NAME), "123\n");
        Files.writeString(logRemoved.resolve("format"), "replicated-states-1\n");
        assertThat(new RunDirectory(runDir).coresWithData()).containsExactly(1, 2);
        assertThat(RunDirectory.holdsData(lockOnly)).isFalse();
        assertThat(RunDirectory.holdsData(empty)).isFalse();
        assertThat(RunDirectory.holdsData(used)).isTrue();
        assertThat(RunDirectory.holdsData(logRemoved)).isFalse();
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
