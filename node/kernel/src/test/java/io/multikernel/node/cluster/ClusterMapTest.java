package io.multikernel.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ClusterMapTest
{
    private final ClusterMap map = ClusterMap.of(
        "lab",
        TransportSettings.DEFAULTS,
        List.of(new HostDescriptor(0, Optional.of("10.0.0.1"), Optional.empty()), HostDescriptor.of(1)),
        List.of(
            CoreDescriptor.of(0, 0, InboxEndpoints.ipcAndUdp(new UdpEndpoint("10.0.0.1", 40400)), 9400),
            CoreDescriptor.of(1, 0, InboxEndpoints.udpOnly(new UdpEndpoint("10.0.0.1", 40401)), 9401),
            new CoreDescriptor(2, 1, InboxEndpoints.ipcAndUdp(new UdpEndpoint("fe80::1", 40400)), 9400, "0.0.0.0"),
            new CoreDescriptor(3, 1, InboxEndpoints.ipcAndUdp(new UdpEndpoint("fe80::1", 40401)), 9401, "::1")));

    @Test
    void routesSameHostPeersOverIpcAndOthersOverUdp()
    {
        assertThat(map.inboxRoute(1, 0)).isEqualTo(InboxRoute.ipc());
        assertThat(map.inboxRoute(2, 0)).isEqualTo(InboxRoute.udp(new UdpEndpoint("10.0.0.1", 40400)));
        assertThat(map.inboxRoute(0, 2)).isEqualTo(InboxRoute.udp(new UdpEndpoint("fe80::1", 40400)));
        assertThat(map.inboxRoute(3, 2)).isEqualTo(InboxRoute.ipc());
    }

    @Test
    void routesToAUdpOnlyInboxOverUdpEvenOnTheSameHost()
    {
        assertThat(map.inboxRoute(0, 1)).isEqualTo(InboxRoute.udp(new UdpEndpoint("10.0.0.1", 40401)));
    }

    @Test
    void answersWhichCoresRunWhere()
    {
        assertThat(map.coreIds()).containsExactly(0, 1, 2, 3);
        assertThat(map.coresOn(1)).extracting(CoreDescriptor::id).containsExactly(2, 3);
        assertThat(map.coresOn(7)).isEmpty();
        assertThat(map.hostOf(3).id()).isEqualTo(1);
        assertThat(map.hasCore(3)).isTrue();
        assertThat(map.hasCore(4)).isFalse();
    }

    @Test
    void namesTheKnownIdsWhenAskedForAnUnknownOne()
    {
        assertThatThrownBy(() -> map.core(9)).isInstanceOf(ClusterMapException.class)
            .hasMessage("core 9 is not in cluster map lab (cores: 0, 1, 2, 3)");
        assertThatThrownBy(() -> map.host(9)).isInstanceOf(ClusterMapException.class)
            .hasMessage("host 9 is not in cluster map lab (hosts: 0, 1)");
    }

    @Test
    void buildsAdminUrls()
    {
        assertThat(map.adminUrl(0)).isEqualTo("http://127.0.0.1:9400");
        assertThat(map.adminUrl(2)).isEqualTo("http://127.0.0.1:9400");
        assertThat(map.adminUrl(3)).isEqualTo("http://[::1]:9401");
    }

    @Test
    void validatesWhenBuiltFromDescriptors()
    {
        assertThatThrownBy(() -> ClusterMap.of("lab", TransportSettings.DEFAULTS, List.of(HostDescriptor.of(0)),
            List.of()))
            .isInstanceOf(ClusterMapException.class)
            .hasMessage("cluster map: cores is empty; a cluster needs at least one core");
    }

    @Test
    void descriptorsRefuseImpossibleValues()
    {
        assertThatThrownBy(() -> CoreDescriptor.of(-1, 0, InboxEndpoints.ipcOnly(), 9400))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InboxEndpoints(false, Optional.empty()))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UdpEndpoint("a", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostDescriptor.of(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesAndPrintsUdpEndpoints()
    {
        assertThat(UdpEndpoint.parse("[fe80::1]:40400")).isEqualTo(new UdpEndpoint("fe80::1", 40400));
        assertThat(new UdpEndpoint("fe80::1", 40400)).hasToString("[fe80::1]:40400");
        assertThat(UdpEndpoint.parse("host-1.example:1")).hasToString("host-1.example:1");
        assertThatThrownBy(() -> UdpEndpoint.parse("host:123456"))
            .hasMessage("has a port that is not a number 1..65535");
    }

    @Test
    void parsesTransportKindNames()
    {
        assertThat(TransportKind.fromName("UDP")).isEqualTo(TransportKind.UDP);
        assertThat(TransportKind.IPC.lowerCaseName()).isEqualTo("ipc");
        assertThatThrownBy(() -> TransportKind.fromName("tcp")).isInstanceOf(ClusterMapException.class)
            .hasMessage("transport=tcp is not one of ipc, udp");
    }
}
