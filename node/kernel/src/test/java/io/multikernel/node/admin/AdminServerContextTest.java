package io.multikernel.node.admin;

import java.security.SecureRandom;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.multikernel.common.ClusterSecret;
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
    void defaultsBindLoopbackOnAnEphemeralPortWithFourWorkers()
    {
        final AdminServer.Context ctx = new AdminServer.Context().meterRegistry(registry).conclude();

        assertThat(ctx.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(ctx.port()).isZero();
        assertThat(ctx.threadCount()).isEqualTo(4);
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

    @Test
    void refusesToListenBeyondLoopbackWithoutAToken() throws Exception
    {
        final String address = AdminHttp.beyondLoopback();
        assertRejected(new AdminServer.Context().bindAddress("0.0.0.0"),
            "the admin API binds 0.0.0.0, beyond loopback, and has no token: give the cluster secret");
        assertRejected(new AdminServer.Context().bindAddress(address),
            "the admin API binds " + address + ", beyond loopback, and has no token: give the cluster secret");
        assertRejected(new AdminServer.Context().bindAddress("0.0.0.0").token("short"),
            "token of 5 characters is shorter than 32 or blank; give the cluster secret's admin token");
        assertRejected(new AdminServer.Context().token(" ".repeat(40)),
            "token of 40 characters is shorter than 32 or blank; give the cluster secret's admin token");

        final String token = ClusterSecret.generate(new SecureRandom()).adminToken();
        assertThat(new AdminServer.Context().meterRegistry(registry).bindAddress("0.0.0.0").token(token).conclude()
            .authorization().checks()).isTrue();
        assertThat(new AdminServer.Context().meterRegistry(registry).token(token).conclude()
            .authorization().checks()).as("loopback ignores the token").isFalse();
        assertThat(new AdminServer.Context().meterRegistry(registry).bindAddress("localhost").conclude()
            .authorization().checks()).isFalse();
    }

    private void assertRejected(final AdminServer.Context ctx, final String message)
    {
        assertThatThrownBy(() -> ctx.meterRegistry(registry).conclude())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
    }
}
