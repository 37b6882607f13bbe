package io.multikernel.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest
{
    @Test
    void idleStrategiesByName()
    {
        assertThat(IdleStrategies.of("busy-spin", 1_000_000)).isInstanceOf(BusySpinIdleStrategy.class);
        assertThat(IdleStrategies.of("yielding", 1_000_000)).isInstanceOf(YieldingIdleStrategy.class);
        assertThat(IdleStrategies.of("backoff", 1_000_000)).isInstanceOf(BackoffIdleStrategy.class);
        assertThat(IdleStrategies.of("sleeping", 1_000_000)).isInstanceOf(SleepingIdleStrategy.class);
        assertThatThrownBy(() -> IdleStrategies.of("nap", 1_000_000))
            .hasMessage("idle strategy 'nap' is unknown: use one of busy-spin, yielding, backoff, sleeping");
        assertThatThrownBy(() -> IdleStrategies.of("backoff", 10)).hasMessageContaining("idle park max 10 ns");
    }

    @Test
    void jvmFlagsComeFromTheBuild()
    {
        assertThat(JvmFlags.addOpens()).isEqualTo("java.base/jdk.internal.misc");
        final List<String> command = JvmFlags.javaCommand(SettingsTest.class, List.of("-Xmx64m"));
        assertThat(command).containsSubsequence("--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx64m", "-cp");
        assertThat(command.get(command.size() - 1)).isEqualTo(SettingsTest.class.getName());
    }

    @Test
    void driverTimerTicksWellInsideTheLivenessTimeout()
    {
        assertThat(UrpcMediaDriver.timerIntervalNs(1_000_000_000L)).isEqualTo(200_000_000L);
        assertThat(UrpcMediaDriver.timerIntervalNs(60_000_000_000L)).isEqualTo(1_000_000_000L);
        assertThatThrownBy(() -> new UrpcMediaDriver.Context().livenessTimeoutNs(1_000_000).conclude())
            .hasMessageContaining("livenessTimeout=1 ms is below 200 ms");
    }

    @Test
    void aeronClientConductorSleepsLongAtRestUnlessAeronIsToldOtherwise()
    {
        assertThat(UrpcEndpoint.clientContext("/nowhere").idleSleepDurationNs()).isEqualTo(100_000_000L);
        try
        {
            System.setProperty(TransportConfiguration.AERON_CLIENT_IDLE_SLEEP_PROP, "250");
            assertThat(UrpcEndpoint.clientContext("/nowhere").idleSleepDurationNs()).isEqualTo(250_000_000L);
            System.setProperty(TransportConfiguration.AERON_CLIENT_IDLE_SLEEP_PROP, "0");
            assertThatThrownBy(() -> UrpcEndpoint.clientContext("/nowhere"))
                .hasMessage("mk.aeron.client.idle.sleep.ms=0 ms is outside 1..1000 ms");
            System.setProperty(TransportConfiguration.AERON_CLIENT_IDLE_SLEEP_PROP, "5000");
            assertThatThrownBy(() -> UrpcEndpoint.clientContext("/nowhere")).hasMessageContaining("outside 1..1000 ms");
            System.setProperty(io.aeron.Aeron.Configuration.IDLE_SLEEP_DURATION_PROP_NAME, "20ms");
            // Aeron's own setting wins, even over ours.
            assertThat(UrpcEndpoint.clientContext("/nowhere").idleSleepDurationNs()).isEqualTo(20_000_000L);
        }
        finally
        {
            System.clearProperty(TransportConfiguration.AERON_CLIENT_IDLE_SLEEP_PROP);
            System.clearProperty(io.aeron.Aeron.Configuration.IDLE_SLEEP_DURATION_PROP_NAME);
        }
    }

    @Test
    void theDriverReconnectBoundIsAWholeNumberOfMillisecondsInItsRange()
    {
        assertThat(TransportConfiguration.driverReconnectTimeoutMs()).isEqualTo(60_000);
        try
        {
            System.setProperty(TransportConfiguration.DRIVER_RECONNECT_TIMEOUT_PROP, " 2500 ");
            assertThat(TransportConfiguration.driverReconnectTimeoutMs()).isEqualTo(2_500);
            System.setProperty(TransportConfiguration.DRIVER_RECONNECT_TIMEOUT_PROP, "ten");
            assertThatThrownBy(TransportConfiguration::driverReconnectTimeoutMs)
                .hasMessage("mk.urpc.driver.reconnect.timeout.ms=ten is not a whole number of milliseconds");
            System.setProperty(TransportConfiguration.DRIVER_RECONNECT_TIMEOUT_PROP, "-1");
            assertThatThrownBy(TransportConfiguration::driverReconnectTimeoutMs).hasMessageContaining("outside 0..3600000");
            System.setProperty(TransportConfiguration.DRIVER_RECONNECT_TIMEOUT_PROP, "3600001");
            assertThatThrownBy(TransportConfiguration::driverReconnectTimeoutMs).hasMessageContaining("outside 0..3600000");
        }
        finally
        {
            System.clearProperty(TransportConfiguration.DRIVER_RECONNECT_TIMEOUT_PROP);
        }
        assertThatThrownBy(() -> new UrpcEndpoint.Context().coreId(1).unauthenticated(true).driverReconnectTimeoutMs(-5)
            .conclude()).hasMessageContaining("driverReconnectTimeoutMs=-5");
    }
}
