package io.multikernel.node.launcher;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FreePortsTest
{
    @Test
    void aRangeBelowTheEphemeralPortsIsFreeForTcpAndUdp() throws Exception
    {
        final int count = 4;
        final int base = FreePorts.range(count);

        assertThat(base).isBetween(FreePorts.PORT_RANGE_LOW, FreePorts.PORT_RANGE_HIGH - count);
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int port = base; port < base + count; port++)
        {
            try (ServerSocket tcp = new ServerSocket(port, 1, loopback); DatagramSocket udp = new DatagramSocket(port, loopback))
            {
                assertThat(tcp.getLocalPort()).isEqualTo(port);
                assertThat(udp.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void aCountOutsideTheSearchedRangeIsRefused()
    {
        assertThatThrownBy(() -> FreePorts.range(0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("count=0");
        assertThatThrownBy(() -> FreePorts.range(FreePorts.PORT_RANGE_HIGH)).isInstanceOf(IllegalArgumentException.class);
    }
}
