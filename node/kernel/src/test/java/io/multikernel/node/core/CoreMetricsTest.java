package io.multikernel.node.core;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.multikernel.node.admin.PrometheusText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CoreMetricsTest
{
    private final CoreMetrics coreMetrics = new CoreMetrics(7, 2, new MockClock());

    @AfterEach
    void close()
    {
        coreMetrics.close();
    }

    @Test
    void everySeriesCarriesCoreAndHostLabelsIncludingJvmBinders()
    {
        Counter.builder("mk.test.events").register(coreMetrics.registry()).increment();

        final PrometheusText text = PrometheusText.parse(coreMetrics.registry().scrape());

        assertThat(text.samples()).isNotEmpty()
            .allSatisfy(sample -> assertThat(sample.labels()).containsEntry("core", "7").containsEntry("host", "2"));
        assertThat(text.samples("jvm_memory_used_bytes")).isNotEmpty();
        assertThat(text.samples("jvm_threads_live_threads")).hasSize(1);
        assertThat(text.samples("system_cpu_available_processors")).hasSize(1);
        assertThat(text.samples("process_uptime_seconds")).hasSize(1);
        assertThat(text.samples("mk_test_events_total")).hasSize(1);
    }

    @Test
    void microsecondTimerResolvesFromOneMicrosecondToTenSeconds()
    {
        final Timer timer = coreMetrics.microsecondTimer("mk.urpc.rtt", "round trip to a peer", Tags.of("peer", "1"));
        timer.record(Duration.ofNanos(2_500));
        timer.record(Duration.ofSeconds(5));

        final PrometheusText text = PrometheusText.parse(coreMetrics.registry().scrape());

        assertThat(text.type("mk_urpc_rtt_seconds")).isEqualTo("histogram");
        final double[] bounds = text.samples("mk_urpc_rtt_seconds_bucket").stream()
            .map(sample -> sample.labels().get("le"))
            .mapToDouble(le -> "+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le))
            .sorted()
            .toArray();
        assertThat(bounds[0]).isEqualTo(1.0E-6);
        assertThat(bounds[bounds.length - 2]).as("largest finite bound").isGreaterThanOrEqualTo(10.0);
        assertThat(java.util.Arrays.stream(bounds).filter(bound -> bound < 1.0E-3).count())
            .as("buckets below 1 ms").isGreaterThan(20);
        assertThat(text.sample("mk_urpc_rtt_seconds_bucket", Map.of("le", "2.729E-6")).value()).isOne();
        assertThat(text.sample("mk_urpc_rtt_seconds_bucket", Map.of("le", "+Inf")).value()).isEqualTo(2.0);
    }

    @Test
    void timerNamesMustCarryThePrefixAndNoUnit()
    {
        assertThatThrownBy(() -> CoreMetrics.microsecondTimerBuilder("urpc.rtt"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("metric name=urpc.rtt does not start with mk.");
        assertThatThrownBy(() -> CoreMetrics.microsecondTimerBuilder("mk.urpc.rtt.seconds"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("metric name=mk.urpc.rtt.seconds ends with a unit or suffix");
    }

    @Test
    void rejectsIdsOutsideTheClusterLimits()
    {
        assertThatThrownBy(() -> new CoreMetrics(-1, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("coreId=-1 is outside 0..65535");
        assertThatThrownBy(() -> new CoreMetrics(0, 65_536))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("hostId=65536 is outside 0..65535");
    }
}
