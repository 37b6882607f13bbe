package io.multikernel.node.admin;

import java.util.List;

import io.multikernel.node.service.ServiceApi;
import io.multikernel.node.service.ServiceEndpoint;
import io.multikernel.node.service.ServiceHandler;
import io.multikernel.node.service.ServiceResponse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Error bodies and routing of the admin server. */
class AdminRoutingTest
{
    @Test
    void errorTextIsCutToItsFirstLineAndLimit()
    {
        assertThat(AdminResponse.cut(null, 10)).isEmpty();
        assertThat(AdminResponse.cut("short", 10)).isEqualTo("short");
        assertThat(AdminResponse.cut("first\r\nsecond", 10)).isEqualTo("first...");
        assertThat(AdminResponse.cut("0123456789abc", 10)).isEqualTo("0123456789...");
    }

    @Test
    void routesMatchExactRawPathsOnly()
    {
        final AdminEndpoints endpoints = AdminEndpoints.of(List.of(ServiceEndpointsForTests.replicationAndShootdownBench()));

        assertThat(endpoints.route("/metrics")).isEqualTo(AdminEndpoint.METRICS);
        assertThat(endpoints.route("/skb")).isEqualTo(AdminEndpoint.SKB);
        assertThat(endpoints.route("/Metrics")).isEqualTo(AdminEndpoint.UNKNOWN);
        assertThat(endpoints.route("/%6Detrics")).isEqualTo(AdminEndpoint.UNKNOWN);
        assertThat(endpoints.route(null)).isEqualTo(AdminEndpoint.UNKNOWN);
        assertThat(endpoints.route("/kv").tag()).isEqualTo("kv");
        assertThat(endpoints.route("/kv/some%20key").tag()).isEqualTo("kv");
        assertThat(endpoints.route("/kvx")).isEqualTo(AdminEndpoint.UNKNOWN);
        assertThat(endpoints.route("/2pc/decide").tag()).isEqualTo("2pc");
        assertThat(endpoints.route("/skb/x")).isEqualTo(AdminEndpoint.UNKNOWN);
        assertThat(endpoints.route("/bench/shootdown").tag()).isEqualTo("bench_shootdown");
        assertThat(endpoints.route("/bench/shootdown/x")).as("an exact endpoint takes no subpath")
            .isEqualTo(AdminEndpoint.UNKNOWN);
        assertThat(endpoints.route("/bench")).isEqualTo(AdminEndpoint.UNKNOWN);
    }

    @Test
    void theNotFoundMessageListsThePathsServedAndTheMethodsOfThoseThatTakeNoGet()
    {
        assertThat(AdminEndpoints.of(List.of()).served()).isEqualTo("/metrics, /health, /status or /skb");
        assertThat(AdminEndpoints.of(List.of(ServiceEndpointsForTests.replicationAndShootdownBench())).served())
            .isEqualTo("/metrics, /health, /status, /skb, /kv, /2pc or POST /bench/shootdown");
    }

    @Test
    void everyRouteHasItsOwnIndexForPerRouteMetrics()
    {
        final AdminEndpoints endpoints = AdminEndpoints.of(List.of(ServiceEndpointsForTests.replicationAndShootdownBench()));

        assertThat(endpoints.count()).isEqualTo(8);
        assertThat(endpoints.all()).extracting(AdminEndpoint::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(endpoints.all()).extracting(AdminEndpoint::tag)
            .containsExactly("metrics", "health", "status", "skb", "unknown", "kv", "2pc", "bench_shootdown");
    }

    @Test
    void endpointsThatClashAreRefusedWhenTheServerIsConfigured()
    {
        final ServiceHandler handler = request -> ServiceResponse.ok("{}");
        final ServiceApi kv = () -> List.of(ServiceEndpoint.prefix("kv", "/kv", handler, "GET"));

        assertThatThrownBy(() -> AdminEndpoints.of(List.of(kv, () -> List.of(ServiceEndpoint.exact("kv", "/other", handler, "GET")))))
            .hasMessage("endpoint name kv is used twice; give each endpoint a name of its own");
        assertThatThrownBy(() -> AdminEndpoints.of(List.of(kv, () -> List.of(ServiceEndpoint.exact("key", "/kv/k", handler, "GET")))))
            .hasMessage("endpoint key at /kv/k overlaps endpoint kv at /kv");
        assertThatThrownBy(() -> AdminEndpoints.of(List.of(() -> List.of(ServiceEndpoint.prefix("m", "/metrics", handler, "GET")))))
            .hasMessage("endpoint m at /metrics overlaps the admin server's own /metrics");
        assertThatThrownBy(() -> AdminEndpoints.of(List.of(() -> List.of(ServiceEndpoint.exact("health", "/h", handler, "GET")))))
            .hasMessage("endpoint name health is used twice; give each endpoint a name of its own");
        assertThatThrownBy(() -> ServiceEndpoint.exact("kv", "/kv/", handler, "GET"))
            .hasMessageStartingWith("endpoint kv has path '/kv/', which is not '/'-separated segments");
        assertThatThrownBy(() -> ServiceEndpoint.exact("Kv", "/kv", handler, "GET"))
            .hasMessage("endpoint name 'Kv' is not 1..32 lowercase letters, digits or '_'");
        assertThatThrownBy(() -> ServiceEndpoint.exact("kv", "/kv", handler))
            .hasMessage("endpoint kv has methods [], which are not distinct upper-case HTTP methods, at least one");
    }
}
