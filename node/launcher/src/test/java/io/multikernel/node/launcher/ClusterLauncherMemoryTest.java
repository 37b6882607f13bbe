package io.multikernel.node.launcher;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.ClusterOverrides;
import io.multikernel.node.cluster.HostDescriptor;
import io.multikernel.node.cluster.OverrideField;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.memory.PhysicalLayout;
import io.multikernel.node.memory.PhysicalMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk up} gives every host a memory file beside its own media driver directory, and
 * {@code mk down} removes the memory files once the cores are gone.
 */
class ClusterLauncherMemoryTest
{
    private static final long MEMORY_BYTES = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void everyHostGetsItsMemoryAndAMemoryFileBesideItsOwnAeronDirectory()
    {
        final ClusterMap map = launcher(dir.resolve("run-a")).map(options());
        final ClusterMap other = launcher(dir.resolve("run-b")).map(options());

        assertThat(map.hosts()).hasSize(2);
        for (final HostDescriptor host : map.hosts())
        {
            final String aeronDir = host.aeronDir().orElseThrow();
            assertThat(host.memoryFile()).contains(aeronDir + ".memory");
            assertThat(host.memoryBytes()).hasValue(MEMORY_BYTES);
            assertThat(PhysicalLayout.of(map).memoryFile(host.id())).isEqualTo(Path.of(aeronDir + ".memory"));
            assertThat(other.host(host.id()).memoryFile()).isNotEqualTo(host.memoryFile());
        }
        assertThat(map.host(0).memoryFile()).isNotEqualTo(map.host(1).memoryFile());
        assertThat(ClusterMap.parse(map.toYaml(), "cluster.yaml", ClusterOverrides.NONE)).isEqualTo(map);
    }

    @Test
    void theDefaultOptionsGiveEveryHostTheDefaultMemory()
    {
        final ClusterLauncher.Options options = new ClusterLauncher.Options(2, 1, TransportKind.IPC, 9400, 40400,
            "backoff", 10_000);

        final ClusterMap map = launcher(dir.resolve("run")).map(options);

        assertThat(map.host(0).memoryBytesOrDefault())
            .isEqualTo(io.multikernel.node.cluster.ClusterLimits.DEFAULT_HOST_MEMORY_BYTES);
    }

    @Test
    void downRemovesTheMemoryFilesTheMapNames() throws Exception
    {
        final RunDirectory runDirectory = new RunDirectory(dir.resolve("run"));
        final ClusterMap map = withMemoryFilesIn(dir.resolve("shm"));
        Files.createDirectories(runDirectory.root());
        map.writeTo(runDirectory.clusterFile());
        PhysicalLayout.of(map).map(0).close();
        PhysicalLayout.of(map).map(1).close();
        final Path unrelated = Files.writeString(dir.resolve("shm").resolve("unrelated.memory"), "x");

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(new ClusterStopper(runDirectory, new PrintStream(out, true)).down(1_000)).isZero();

        assertThat(dir.resolve("shm").resolve("host-0.memory")).doesNotExist();
        assertThat(dir.resolve("shm").resolve("host-1.memory")).doesNotExist();
        assertThat(unrelated).exists();
        assertThat(runDirectory.clusterFile()).exists();
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aMapThatNamesNoMemoryFileHasNoneRemoved() throws Exception
    {
        final ClusterMap map = ClusterMap.local(2, 1, TransportKind.IPC);

        assertThat(ClusterStopper.removeMemoryFiles(map)).isEmpty();
    }

    @Test
    void downWithoutAMapOrWithABrokenOneStillStops() throws Exception
    {
        final RunDirectory empty = new RunDirectory(dir.resolve("empty"));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(new ClusterStopper(empty, new PrintStream(out, true)).down(1_000)).isZero();
        assertThat(out.toString()).isEmpty();

        final RunDirectory broken = new RunDirectory(dir.resolve("broken"));
        Files.createDirectories(broken.root());
        Files.writeString(broken.clusterFile(), "hosts: nope\n");
        assertThat(new ClusterStopper(broken, new PrintStream(out, true)).down(1_000)).isZero();
        assertThat(out.toString()).isEqualTo("memory files not removed: " + broken.clusterFile() +
            ":1: hosts=nope is a string, expected a list" + System.lineSeparator());
    }

    @Test
    void aStaleMemoryFileOfAnotherSizeIsRemovedSoTheHostStartsAfresh() throws Exception
    {
        final ClusterMap map = withMemoryFilesIn(dir.resolve("shm"));
        final Path file = PhysicalLayout.of(map).memoryFile(0);
        Files.write(file, new byte[4096]);

        assertThat(ClusterStopper.removeMemoryFiles(map)).containsExactly(file);

        try (PhysicalMemory memory = PhysicalLayout.of(map).map(0))
        {
            assertThat(memory.length()).isEqualTo(MEMORY_BYTES);
            assertThat(memory.loadWord(memory.base())).isZero();
        }
    }

    private ClusterMap withMemoryFilesIn(final Path directory) throws Exception
    {
        Files.createDirectories(directory);
        final ClusterMap local = ClusterMap.local(3, 2, TransportKind.IPC);
        final Map<String, String> overrides = new HashMap<>();
        for (final HostDescriptor host : local.hosts())
        {
            overrides.put(OverrideField.HOST_MEMORY.key(host.id()), Long.toString(MEMORY_BYTES));
            overrides.put(OverrideField.HOST_MEMORY_FILE.key(host.id()),
                directory.resolve("host-" + host.id() + ".memory").toString());
        }
        return local.withOverrides(ClusterOverrides.of(overrides));
    }

    private static ClusterLauncher launcher(final Path runDir)
    {
        return new ClusterLauncher(new RunDirectory(runDir), new PrintStream(new ByteArrayOutputStream(), true), List.of());
    }

    private static ClusterLauncher.Options options()
    {
        return new ClusterLauncher.Options(3, 2, TransportKind.IPC, 9400, 40400, "backoff", 10_000, "group", "backoff",
            CpuPlacement.none(), MEMORY_BYTES);
    }
}
