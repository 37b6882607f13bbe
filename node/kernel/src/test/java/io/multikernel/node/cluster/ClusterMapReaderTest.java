package io.multikernel.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class ClusterMapReaderTest
{
    private static final String DOCUMENTED_EXAMPLE = """
        # The format in ClusterMapReader's javadoc.
        cluster: lab
        transport:
          idleStrategy: backoff
          termLengthBytes: 1048576
        hosts:
          - id: 0
            address: 10.0.0.1
            aeronDir: /dev/shm/aeron-mk-0
          - id: 1
            address: 10.0.0.2
        cores:
          - id: 0
            host: 0
            inbox:
              ipc: true
              udp: 10.0.0.1:40400
            adminPort: 9400
          - id: 1
            host: 1
            inbox:
              udp: 10.0.0.2:40400
            adminPort: 9400
            adminBind: 0.0.0.0
        """;

    @Test
    void readsTheDocumentedFormat()
    {
        final ClusterMap map = ClusterMap.parse(DOCUMENTED_EXAMPLE, "lab.yaml", ClusterOverrides.NONE);

        assertThat(map.name()).isEqualTo("lab");
        assertThat(map.transport()).isEqualTo(new TransportSettings(Optional.of("backoff"), OptionalInt.of(1 << 20)));
        assertThat(map.hosts()).containsExactly(
            new HostDescriptor(0, Optional.of("10.0.0.1"), Optional.of("/dev/shm/aeron-mk-0")),
            new HostDescriptor(1, Optional.of("10.0.0.2"), Optional.empty()));
        assertThat(map.cores()).containsExactly(
            CoreDescriptor.of(0, 0, InboxEndpoints.ipcAndUdp(new UdpEndpoint("10.0.0.1", 40400)), 9400),
            new CoreDescriptor(1, 1, InboxEndpoints.udpOnly(new UdpEndpoint("10.0.0.2", 40400)), 9400, "0.0.0.0"));
    }

    @Test
    void flowStyleIsTheSameMap()
    {
        final String flow = """
            cluster: lab
            transport: {idleStrategy: backoff, termLengthBytes: 1048576}
            hosts:
              - {id: 0, address: 10.0.0.1, aeronDir: /dev/shm/aeron-mk-0}
              - {id: 1, address: 10.0.0.2}
            cores:
              - {id: 0, host: 0, inbox: {ipc: true, udp: 10.0.0.1:40400}, adminPort: 9400}
              - {id: 1, host: 1, inbox: {udp: '10.0.0.2:40400'}, adminPort: 9400, adminBind: 0.0.0.0}
            """;

        assertThat(ClusterMap.parse(flow, "flow.yaml", ClusterOverrides.NONE))
            .isEqualTo(ClusterMap.parse(DOCUMENTED_EXAMPLE, "lab.yaml", ClusterOverrides.NONE));
    }

    @Test
    void fillsDefaultsForOptionalFields()
    {
        final ClusterMap map = ClusterMap.parse("""
            hosts: [{id: 0}]
            cores: [{id: 0, host: 0, inbox: {ipc: true}, adminPort: 9400}]
            """, "minimal.yaml", ClusterOverrides.NONE);

        assertThat(map.name()).isEqualTo(ClusterLimits.DEFAULT_CLUSTER_NAME);
        assertThat(map.transport()).isEqualTo(TransportSettings.DEFAULTS);
        assertThat(map.hosts()).containsExactly(HostDescriptor.of(0));
        assertThat(map.core(0).adminBindAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void readsHostMemoryAsBytesOrWithASuffix()
    {
        final ClusterMap map = ClusterMap.parse("""
            hosts:
              - {id: 0, memory: 64m, memoryFile: /dev/shm/lab-0.memory}
              - {id: 1, memory: 1_048_576}
              - {id: 2, memory: 8K}
              - {id: 3, memory: 1g}
              - {id: 4}
            cores: [{id: 0, host: 0, inbox: {udp: 'a:1'}, adminPort: 9400}]
            """, "memory.yaml", ClusterOverrides.NONE);

        assertThat(map.host(0)).isEqualTo(new HostDescriptor(0, Optional.empty(), Optional.empty(),
            OptionalLong.of(64L << 20), Optional.of("/dev/shm/lab-0.memory")));
        assertThat(map.hosts()).extracting(HostDescriptor::memoryBytesOrDefault)
            .containsExactly(64L << 20, 1L << 20, 8192L, 1L << 30, ClusterLimits.DEFAULT_HOST_MEMORY_BYTES);
        assertThat(map.host(4).memoryBytes()).isEmpty();
        assertThat(map.host(4).memoryFile()).isEmpty();
    }

    @Test
    void theDefaultHostMemoryIsAValidSize()
    {
        assertThat(ClusterLimits.hostMemoryProblem(ClusterLimits.DEFAULT_HOST_MEMORY_BYTES)).isNull();
        assertThat(ClusterLimits.DEFAULT_HOST_MEMORY_BYTES).isEqualTo(16L * 1024 * 1024);
        assertThat(ClusterLimits.hostMemoryProblem(ClusterLimits.HOST_MEMORY_MIN_BYTES)).isNull();
        assertThat(ClusterLimits.hostMemoryProblem(ClusterLimits.HOST_MEMORY_MAX_BYTES)).isNull();
    }

    @Test
    void sortsHostsAndCoresById()
    {
        final ClusterMap map = ClusterMap.parse("""
            hosts: [{id: 1}, {id: 0}]
            cores:
              - {id: 7, host: 1, inbox: {ipc: true, udp: 'h1:1'}, adminPort: 9400}
              - {id: 2, host: 0, inbox: {ipc: true, udp: 'h0:1'}, adminPort: 9400}
            """, "unsorted.yaml", ClusterOverrides.NONE);

        assertThat(map.coreIds()).containsExactly(2, 7);
        assertThat(map.hosts()).extracting(HostDescriptor::id).containsExactly(0, 1);
        assertThat(List.of(map.hostOf(7).id(), map.hostOf(2).id())).containsExactly(1, 0);
    }
}
