package io.multikernel.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class LocalClusterGeneratorTest
{
    @Test
    void oneHostOverIpcListensOnIpcOnly()
    {
        final ClusterMap map = ClusterMap.local(4, 1, TransportKind.IPC);

        assertThat(map.name()).isEqualTo("local");
        assertThat(map.hosts()).containsExactly(new HostDescriptor(0, Optional.of("127.0.0.1"), Optional.empty()));
        assertThat(map.cores()).containsExactly(
            CoreDescriptor.of(0, 0, InboxEndpoints.ipcOnly(), 9400),
            CoreDescriptor.of(1, 0, InboxEndpoints.ipcOnly(), 9401),
            CoreDescriptor.of(2, 0, InboxEndpoints.ipcOnly(), 9402),
            CoreDescriptor.of(3, 0, InboxEndpoints.ipcOnly(), 9403));
    }

    @Test
    void udpTransportListensOnUdpLoopbackOnly()
    {
        final ClusterMap map = ClusterMap.local(2, 1, TransportKind.UDP, 50000, 8000);

        assertThat(map.cores()).containsExactly(
            CoreDescriptor.of(0, 0, InboxEndpoints.udpOnly(new UdpEndpoint("127.0.0.1", 50000)), 8000),
            CoreDescriptor.of(1, 0, InboxEndpoints.udpOnly(new UdpEndpoint("127.0.0.1", 50001)), 8001));
        assertThat(map.inboxRoute(0, 1)).isEqualTo(InboxRoute.udp(new UdpEndpoint("127.0.0.1", 50001)));
    }

    @Test
    void severalHostsUseIpcInsideAHostAndUdpBetweenHosts()
    {
        final ClusterMap map = ClusterMap.local(5, 2, TransportKind.IPC);

        assertThat(map.coresOn(0)).extracting(CoreDescriptor::id).containsExactly(0, 1, 2);
        assertThat(map.coresOn(1)).extracting(CoreDescriptor::id).containsExactly(3, 4);
        assertThat(map.core(3).inbox()).isEqualTo(InboxEndpoints.ipcAndUdp(new UdpEndpoint("127.0.0.1", 40403)));
        assertThat(map.inboxRoute(4, 3)).isEqualTo(InboxRoute.ipc());
        assertThat(map.inboxRoute(0, 3)).isEqualTo(InboxRoute.udp(new UdpEndpoint("127.0.0.1", 40403)));
    }

    @Test
    void rejectsCountsAndPortsOutOfRange()
    {
        assertThatThrownBy(() -> ClusterMap.local(0, 1, TransportKind.IPC))
            .hasMessage("cores=0 is out of range 1..1024");
        assertThatThrownBy(() -> ClusterMap.local(2, 3, TransportKind.IPC))
            .hasMessage("hosts=3 is out of range 1..2 (every host needs at least one of the 2 cores)");
        assertThatThrownBy(() -> ClusterMap.local(16, 2, TransportKind.IPC, 65530, 9400))
            .hasMessage("udpBasePort=65530 with 16 cores needs ports 65530..65545, outside 1..65535");
        assertThatThrownBy(() -> ClusterMap.local(4, 1, TransportKind.IPC, 40400, 0))
            .hasMessage("adminBasePort=0 with 4 cores needs ports 0..3, outside 1..65535");
    }

    @Property(tries = 60)
    void spreadsCoresEvenlyAndRoutesByHost(
        @ForAll @IntRange(min = 1, max = 64) final int coreCount,
        @ForAll @IntRange(min = 1, max = 16) final int requestedHosts,
        @ForAll final TransportKind transport)
    {
        final int hostCount = Math.min(requestedHosts, coreCount);
        final ClusterMap map = ClusterMap.local(coreCount, hostCount, transport);

        assertThat(map.cores()).hasSize(coreCount);
        int smallest = Integer.MAX_VALUE;
        int largest = 0;
        for (final HostDescriptor host : map.hosts())
        {
            smallest = Math.min(smallest, map.coresOn(host.id()).size());
            largest = Math.max(largest, map.coresOn(host.id()).size());
        }
        assertThat(smallest).isPositive();
        assertThat(largest - smallest).isLessThanOrEqualTo(1);
        int wrongRoutes = 0;
        for (final CoreDescriptor from : map.cores())
        {
            for (final CoreDescriptor to : map.cores())
            {
                final boolean expectIpc = transport == TransportKind.IPC && from.hostId() == to.hostId();
                final TransportKind kind = map.inboxRoute(from.id(), to.id()).kind();
                wrongRoutes += kind == (expectIpc ? TransportKind.IPC : TransportKind.UDP) ? 0 : 1;
            }
        }
        assertThat(wrongRoutes).as("routes not IPC within a host over IPC, UDP otherwise").isZero();
        assertThat(ClusterMap.parse(map.toYaml(), "generated.yaml", ClusterOverrides.NONE)).isEqualTo(map);
    }
}
