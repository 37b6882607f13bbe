package io.multikernel.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterMapWriterTest
{
    @Test
    void writesOneReadableLinePerCore()
    {
        assertThat(ClusterMap.local(3, 2, TransportKind.IPC).toYaml()).isEqualTo("""
            # Multikernel cluster map: one JVM process per core. Environment variables and flags
            # override fields, for example MK_CORE_0_ADMIN_PORT=9500 (see ClusterOverrides).
            cluster: local
            hosts:
              - {id: 0, address: 127.0.0.1}
              - {id: 1, address: 127.0.0.1}
            cores:
              - {id: 0, host: 0, inbox: {ipc: true, udp: '127.0.0.1:40400'}, adminPort: 9400}
              - {id: 1, host: 0, inbox: {ipc: true, udp: '127.0.0.1:40401'}, adminPort: 9401}
              - {id: 2, host: 1, inbox: {ipc: true, udp: '127.0.0.1:40402'}, adminPort: 9402}
            """);
    }

    @Test
    void roundTripsEveryFieldAndAwkwardStrings()
    {
        final ClusterMap map = ClusterMap.of(
            "edge-case",
            new TransportSettings(Optional.of("busy-spin"), OptionalInt.of(1 << 16)),
            List.of(
                new HostDescriptor(0, Optional.of("::1"), Optional.of("/tmp/it's a dir: #1, {x}")),
                new HostDescriptor(7, Optional.of("true"), Optional.of("null")),
                new HostDescriptor(9, Optional.of("10"), Optional.empty())),
            List.of(
                new CoreDescriptor(0, 0, InboxEndpoints.ipcAndUdp(new UdpEndpoint("::1", 1)), 1, "::"),
                new CoreDescriptor(65535, 7, InboxEndpoints.udpOnly(new UdpEndpoint("yes", 65535)), 65535, "no"),
                new CoreDescriptor(5, 9, InboxEndpoints.udpOnly(new UdpEndpoint("1.5", 2)), 2, "0.0.0.0")));

        final String yaml = map.toYaml();

        assertThat(ClusterMap.parse(yaml, "written.yaml", ClusterOverrides.NONE)).isEqualTo(map);
        assertThat(yaml).contains("address: 'true'", "aeronDir: 'null'", "address: '10'", "udp: '[::1]:1'");
    }

    @Test
    void roundTripsHostMemoryWrittenWithASuffixWhereOneDivides()
    {
        final ClusterMap map = ClusterMap.of(
            "memory",
            TransportSettings.DEFAULTS,
            List.of(
                new HostDescriptor(0, Optional.empty(), Optional.empty(), OptionalLong.of(1L << 30),
                    Optional.of("/dev/shm/it's: #0.memory")),
                new HostDescriptor(1, Optional.empty(), Optional.of("/dev/shm/a"), OptionalLong.of(16L << 20),
                    Optional.empty()),
                new HostDescriptor(2, Optional.empty(), Optional.empty(), OptionalLong.of(12288),
                    Optional.of("true")),
                HostDescriptor.of(3)),
            List.of(
                new CoreDescriptor(0, 0, InboxEndpoints.udpOnly(new UdpEndpoint("a", 1)), 1, "127.0.0.1"),
                new CoreDescriptor(1, 1, InboxEndpoints.udpOnly(new UdpEndpoint("b", 1)), 1, "127.0.0.1"),
                new CoreDescriptor(2, 2, InboxEndpoints.udpOnly(new UdpEndpoint("c", 1)), 1, "127.0.0.1"),
                new CoreDescriptor(3, 3, InboxEndpoints.udpOnly(new UdpEndpoint("d", 1)), 1, "127.0.0.1")));

        final String yaml = map.toYaml();

        assertThat(ClusterMap.parse(yaml, "written.yaml", ClusterOverrides.NONE)).isEqualTo(map);
        assertThat(yaml).contains(
            "  - {id: 0, memory: 1g, memoryFile: '/dev/shm/it''s: #0.memory'}\n",
            "  - {id: 1, aeronDir: /dev/shm/a, memory: 16m}\n",
            "  - {id: 2, memory: 12k, memoryFile: 'true'}\n",
            "  - {id: 3}\n");
    }

    @Test
    void writesAFileThatLoadsBack(@TempDir final Path runDirectory)
    {
        final ClusterMap map = ClusterMap.local(8, 4, TransportKind.UDP);
        final Path file = runDirectory.resolve("cluster.yaml");

        map.writeTo(file);
        map.writeTo(file);

        assertThat(ClusterMap.load(file)).isEqualTo(map);
        assertThat(runDirectory.toFile().list()).containsExactly("cluster.yaml");
    }

    @Test
    void theWrittenFileIsOwnerOnlyEvenWhenItReplacesOneOpenToOthers(@TempDir final Path runDirectory) throws Exception
    {
        final ClusterMap map = ClusterMap.local(2, 1, TransportKind.IPC);
        final Path file = Files.writeString(runDirectory.resolve("cluster.yaml"), "name: older\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        map.writeTo(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(ClusterMap.load(file)).isEqualTo(map);
    }
}
