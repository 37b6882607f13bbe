package io.multikernel.node.shootdown;

import java.util.Map;

import io.multikernel.node.skb.RoutingProtocol;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShootdownBenchRequestTest
{
    @Test
    void parsesProtocolRoundsAndWarmupWithDefaults()
    {
        assertThat(ShootdownBenchRequest.parse(Map.of("protocol", "TOPO", "rounds", "10", "warmup", "0")))
            .isEqualTo(new ShootdownBenchRequest(RoutingProtocol.TOPOLOGY_AWARE_MULTICAST, 10, 0));
        assertThat(ShootdownBenchRequest.parse(Map.of("protocol", "broadcast")))
            .isEqualTo(new ShootdownBenchRequest(RoutingProtocol.BROADCAST, ShootdownBenchRequest.ROUNDS_DEFAULT,
                ShootdownBenchRequest.WARMUP_DEFAULT));
    }

    @Test
    void everyBadParameterIsNamed()
    {
        assertThatThrownBy(() -> ShootdownBenchRequest.parse(Map.of()))
            .hasMessage("parameter protocol is required: unicast, broadcast, multicast or topo");
        assertThatThrownBy(() -> ShootdownBenchRequest.parse(Map.of("protocol", "")))
            .hasMessage("parameter protocol is required: unicast, broadcast, multicast or topo");
        assertThatThrownBy(() -> ShootdownBenchRequest.parse(Map.of("protocol", "unicast", "cores", "4")))
            .hasMessage("parameter cores is unknown; use protocol, rounds, warmup");
        assertThatThrownBy(() -> ShootdownBenchRequest.parse(Map.of("protocol", "unicast", "rounds", "0")))
            .hasMessage("rounds=0 is outside 1..1000000");
        assertThatThrownBy(() -> ShootdownBenchRequest.parse(Map.of("protocol", "unicast", "rounds", "1e3")))
            .hasMessage("rounds=1e3 is not a whole number");
        assertThatThrownBy(() -> ShootdownBenchRequest.parse(Map.of("protocol", "unicast", "warmup", "-1")))
            .hasMessage("warmup=-1 is outside 0..1000000");
        assertThatThrownBy(() -> ShootdownBenchRequest.parse(Map.of("protocol", "unicast", "warmup", "99999999999")))
            .hasMessage("warmup=99999999999 is outside 0..1000000");
        assertThatThrownBy(() -> ShootdownBenchRequest.parse(Map.of("protocol", "x".repeat(100))))
            .hasMessageStartingWith("protocol=" + "x".repeat(32) + "... is not one of");
    }
}
