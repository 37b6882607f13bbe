package io.multikernel.node.shootdown;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.multikernel.node.admin.AdminServer;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.util.TestJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /bench/shootdown} through the admin server: the run is given as a JSON body, read
 * strictly, or as query parameters; every bad request is a 400 with one sentence and never reaches
 * the kernel loop. No kernel loop runs here: a request that passes waits on a proxy nobody drains.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ShootdownBenchEndpointTest
{
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ShootdownBenchProxy proxy = new ShootdownBenchProxy(TimeUnit.MILLISECONDS.toNanos(100));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final AdminServer server = AdminServer.launch(new AdminServer.Context()
        .meterRegistry(registry)
        .services(List.of(proxy)));

    @AfterEach
    void stop()
    {
        server.close();
        registry.close();
    }

    @Test
    void aRunGivenAsABodyOrAsParametersReachesTheKernelLoop() throws Exception
    {
        final HttpResponse<String> body = post("", "{\"protocol\":\"topo\",\"rounds\":10,\"warmup\":0}");
        assertThat(body.statusCode()).as("nobody drains the proxy").isEqualTo(504);
        assertThat(proxy.poll().request()).isEqualTo(new ShootdownBenchRequest(RoutingProtocol.TOPOLOGY_AWARE_MULTICAST, 10, 0));

        assertThat(post("", "{\"protocol\":\"unicast\"}").statusCode()).isEqualTo(504);
        assertThat(proxy.poll().request()).isEqualTo(new ShootdownBenchRequest(RoutingProtocol.UNICAST,
            ShootdownBenchRequest.ROUNDS_DEFAULT, ShootdownBenchRequest.WARMUP_DEFAULT));

        assertThat(post("?protocol=broadcast&rounds=3", null).statusCode()).isEqualTo(504);
        assertThat(proxy.poll().request()).isEqualTo(new ShootdownBenchRequest(RoutingProtocol.BROADCAST, 3,
            ShootdownBenchRequest.WARMUP_DEFAULT));
    }

    @Test
    void everyClassOfBadBodyIsRefusedWithOneSentence() throws Exception
    {
        final String malformed = "request body has a malformed number at line 1, column ";
        expectError("{\"protocol\":\"topo\",\"cores\":4}", "field 'cores' is unknown; use protocol, rounds or warmup");
        expectError("{\"protocol\":\"topo\",\"protocol\":\"unicast\"}",
            "field 'protocol' is given twice at line 1, column 30; give each field once");
        expectError("{\"protocol\":\"topo\"}{}", "request body has more after its JSON object at line 1, column 20; " +
            "send exactly one object");
        expectError("{\"protocol\":\"topo\"} x", "request body has more after its JSON object");
        expectError("{\"protocol\":\"topo\",\"rounds\":+1}", malformed + "30");
        expectError("{\"protocol\":\"topo\",\"rounds\":01}", malformed + "30");
        expectError("{\"protocol\":\"topo\",\"rounds\":.5}", malformed + "29");
        expectError("{\"protocol\":\"topo\",\"rounds\":NaN}", malformed + "32");
        expectError("{\"protocol\":\"topo\",\"rounds\":\"10\"}", "rounds must be a whole number of rounds, 1..1000000");
        expectError("{\"protocol\":\"topo\",\"rounds\":1.5}", "rounds must be a whole number of rounds, 1..1000000");
        expectError("{\"protocol\":\"topo\",\"warmup\":true}", "warmup must be a whole number of rounds, 0..1000000");
        expectError("{\"protocol\":3}", "protocol must be one of unicast, broadcast, multicast or topo");
        expectError("[\"topo\"]", "request body is not a JSON object but an array");
        expectError("{\"protocol\":\"topo\",\"rounds\":0}", "rounds=0 is outside 1..1000000");
        expectError("{\"rounds\":10}", "field protocol is required: unicast, broadcast, multicast or topo");
        expectError("{\"protocol\":\"ring\"}", "protocol=ring is not one of unicast, broadcast, multicast, topo");
        assertThat(proxy.poll()).as("nothing reached the kernel loop's queue").isNull();
    }

    @Test
    void parametersAreHeldToTheSameRulesAndNotMixedWithABody() throws Exception
    {
        expectErrorFor("?protocol=topo&rounds=%2B1", null, "rounds=+1 is not a whole number");
        expectErrorFor("?protocol=topo&rounds=01", null, "rounds=01 is not a whole number");
        expectErrorFor("?protocol=topo&warmup=.5", null, "warmup=.5 is not a whole number");
        expectErrorFor("?protocol=topo&warmup=NaN", null, "warmup=NaN is not a whole number");
        expectErrorFor("?protocol=topo", "{\"rounds\":1}", "give the run either as a JSON body or as query parameters, not both");
        assertThat(proxy.poll()).isNull();
    }

    private void expectError(final String body, final String message) throws Exception
    {
        expectErrorFor("", body, message);
    }

    private void expectErrorFor(final String query, final String body, final String message) throws Exception
    {
        final HttpResponse<String> response = post(query, body);
        assertThat(response.statusCode()).as(body).isEqualTo(400);
        final Map<String, Object> json = TestJson.parseObject(response.body());
        assertThat(json.get("error").toString()).as(body).contains(message);
        assertThat(json).containsEntry("path", "/bench/shootdown");
    }

    private HttpResponse<String> post(final String query, final String body) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + "/bench/shootdown" + query))
            .timeout(Duration.ofSeconds(10))
            .POST(null == body ? HttpRequest.BodyPublishers.noBody() :
                HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build(), HttpResponse.BodyHandlers.ofString());
    }
}
