package io.multikernel.node.core;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The dozing settings: a doze delay out of range is refused naming the property and the bounds; the
 * idle probe interval follows the probe interval unless set, and is never shorter than it.
 */
class CoreConfigurationTest
{
    @AfterEach
    void clearProperties()
    {
        System.clearProperty(CoreConfiguration.CORE_IDLE_DOZE_AFTER_PROP);
        System.clearProperty(CoreConfiguration.RTT_PROBE_INTERVAL_PROP);
        System.clearProperty(CoreConfiguration.RTT_PROBE_IDLE_INTERVAL_PROP);
    }

    @Test
    void aDozeDelayOutOfRangeIsRefusedAndZeroNeverDozes()
    {
        assertThat(CoreConfiguration.coreIdleDozeAfterNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        System.setProperty(CoreConfiguration.CORE_IDLE_DOZE_AFTER_PROP, "0");
        assertThat(CoreConfiguration.coreIdleDozeAfterNs()).isZero();
        for (final String bad : new String[]{"-1", "60001"})
        {
            System.setProperty(CoreConfiguration.CORE_IDLE_DOZE_AFTER_PROP, bad);
            assertThatThrownBy(CoreConfiguration::coreIdleDozeAfterNs)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(CoreConfiguration.CORE_IDLE_DOZE_AFTER_PROP).hasMessageContaining(bad);
        }
    }

    @Test
    void theIdleProbeIntervalIsTenProbeIntervalsUnlessSetAndNeverShorter()
    {
        assertThat(CoreConfiguration.rttProbeIdleIntervalNs()).isEqualTo(TimeUnit.SECONDS.toNanos(10));
        System.setProperty(CoreConfiguration.RTT_PROBE_INTERVAL_PROP, "200");
        assertThat(CoreConfiguration.rttProbeIdleIntervalNs()).isEqualTo(TimeUnit.SECONDS.toNanos(2));
        System.setProperty(CoreConfiguration.RTT_PROBE_INTERVAL_PROP, "30000");
        assertThat(CoreConfiguration.rttProbeIdleIntervalNs()).isEqualTo(TimeUnit.SECONDS.toNanos(60));
        System.setProperty(CoreConfiguration.RTT_PROBE_IDLE_INTERVAL_PROP, "500");
        assertThat(CoreConfiguration.rttProbeIdleIntervalNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));

        final CoreContext ctx = new CoreContext()
            .rttProbeIntervalNs(TimeUnit.SECONDS.toNanos(1))
            .rttProbeIdleIntervalNs(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(ctx.rttProbeIdleIntervalNs()).isEqualTo(TimeUnit.SECONDS.toNanos(1));
    }
}
