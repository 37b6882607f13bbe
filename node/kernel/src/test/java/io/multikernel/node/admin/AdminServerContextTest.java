package io.multikernel.node.admin;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.multikernel.node.service.Health;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminServerContextTest
{
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @AfterEach
    void close()
    {
        registry.close();
    }

    @Test
    void defaultsBindLoopbackOnAnEphemeralPortWithTwoWorkers()
    {
        final AdminServer.Context ctx = new AdminServer.Context().meterRegistry(registry).conclude();

        assertThat(ctx.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(ctx.port()).isZero();
        assertThat(ctx.threadCount()).isEqualTo(2);
        assertThat(ctx.queueCapacity()).isEqualTo(AdminConfiguration.QUEUE_CAPACITY_DEFAULT_REQUESTS);
        assertThat(ctx.statusSource().json()).isNull();
        assertThat(ctx.healthSource().health()).isEqualTo(Health.UP);
    }

    @Test
    void rejectsAMissingRegistry()
    {
        assertThatThrownBy(() -> new AdminServer.Context().conclude())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("meterRegistry is not set; /metrics needs a PrometheusMeterRegistry");
    }

    @Test
    void rejectsValuesOutsideTheirLimitsNamingValueAndLimit()
    {
        assertRejected(new AdminServer.Context().port(-1), "port=-1 is outside 0..65535");
        assertRejected(new AdminServer.Context().port(65_536), "port=65536 is outside 0..65535");
        assertRejected(new AdminServer.Context().threadCount(0), "threadCount=0 is outside 1..16");
        assertRejected(new AdminServer.Context().threadCount(17), "threadCount=17 is outside 1..16");
        assertRejected(new AdminServer.Context().queueCapacity(0), "queueCapacity=0 is outside 1..1024");
        assertRejected(new AdminServer.Context().bindAddress(" "), "bindAddress=' ' is blank; use 127.0.0.1 or 0.0.0.0");
        assertRejected(new AdminServer.Context().threadNamePrefix(""), "threadNamePrefix='' is blank");
    }

    private void assertRejected(final AdminServer.Context ctx, final String message)
    {
        assertThatThrownBy(() -> ctx.meterRegistry(registry).conclude())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
    }
}
