package io.multikernel.node.admin;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.multikernel.node.core.CoreMetrics;
import io.multikernel.node.service.Health;
import io.multikernel.node.service.JsonSnapshot;
import io.multikernel.node.service.ServiceJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminServerTest
{
    private final CoreMetrics coreMetrics = new CoreMetrics(3, 1);
    private final JsonSnapshot statusSnapshot = new JsonSnapshot();
    private final JsonSnapshot skbSnapshot = new JsonSnapshot();
    private final AtomicReference<Health> health = new AtomicReference<>(Health.UP);
    private final AtomicReference<String> workerThreadName = new AtomicReference<>();
    private final HttpClient client = AdminHttp.newClient();
    private AdminServer server;

    @BeforeEach
    void launch()
    {
        server = AdminServer.launch(new AdminServer.Context()
            .meterRegistry(coreMetrics.registry())
            .threadNamePrefix("mk-admin-3")
            .healthSource(health::get)
            .statusSource(() ->
            {
                workerThreadName.set(Thread.currentThread().getName());
                return statusSnapshot.json();
            })
            .skbSource(skbSnapshot)
            .services(List.of(ServiceEndpointsForTests.replicationAndShootdownBench())));
    }

    @AfterEach
    void stop()
    {
        server.close();
        coreMetrics.close();
    }

    @Test
    void metricsServesParseableTextWithJvmCustomAndMicrosecondSeries() throws Exception
    {
        Counter.builder("mk.test.frames").description("test frames").register(coreMetrics.registry()).increment(2);
        final Timer rtt = coreMetrics.microsecondTimer("mk.test.rtt", "test round trip", Tags.of("peer", "4"));
        rtt.record(3_500, TimeUnit.NANOSECONDS);

        final HttpResponse<String> response = AdminHttp.get(client, server, "/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        final PrometheusText text = PrometheusText.parse(response.body());
        final Map<String, String> core = Map.of("core", "3", "host", "1");
        assertThat(text.samples("jvm_memory_used_bytes")).isNotEmpty()
            .allSatisfy(sample -> assertThat(sample.labels()).containsAllEntriesOf(core));
        assertThat(text.samples("jvm_threads_live_threads")).hasSize(1);
        assertThat(text.samples("process_uptime_seconds")).hasSize(1);
        assertThat(text.samples("system_cpu_available_processors")).hasSize(1);
        assertThat(text.type("mk_test_frames_total")).isEqualTo("counter");
        assertThat(text.sample("mk_test_frames_total", core).value()).isEqualTo(2.0);
        assertThat(text.type("mk_test_rtt_seconds")).isEqualTo("histogram");
        assertThat(text.sample("mk_test_rtt_seconds_bucket", Map.of("peer", "4", "le", "1.0E-6")).value()).isZero();
        assertThat(text.sample("mk_test_rtt_seconds_bucket", Map.of("peer", "4", "le", "4.096E-6")).value()).isOne();
        assertThat(text.sample("mk_test_rtt_seconds_count", Map.of("peer", "4")).value()).isOne();
        assertThat(text.samples()).allSatisfy(sample -> assertThat(sample.name()).doesNotContain("."));
    }

    @Test
    void acceptedConnectionsHaveNagleOffSoAResponseIsNotHeldForTheClientsDelayedAck() throws Exception
    {
        assertThat(AdminHttp.get(client, server, "/health").statusCode()).isEqualTo(200);
        assertThat(System.getProperty(AdminServer.NO_DELAY_PROPERTY))
            .as("the JDK server sets TCP_NODELAY on accepted connections").isEqualTo("true");
    }

    @Test
    void healthAnswers200WhenUpAnd503WhenNot() throws Exception
    {
        final HttpResponse<String> up = AdminHttp.get(client, server, "/health");
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(up.body()).isEqualTo("{\"status\":\"up\"}");

        health.set(Health.down("peer 2 \"unreachable\""));
        final HttpResponse<String> down = AdminHttp.get(client, server, "/health");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).isEqualTo("{\"status\":\"down\",\"reason\":\"peer 2 \\\"unreachable\\\"\"}");

        health.set(new Health("starting", null));
        assertThat(AdminHttp.get(client, server, "/health").statusCode()).isEqualTo(503);
    }

    @Test
    void statusAndSkbServeTheLatestPublishedSnapshotOnAWorkerThread() throws Exception
    {
        statusSnapshot.publish(ServiceJson.write(new CoreIdentity(3, 7)));
        skbSnapshot.publish("{\"cores\":[0,1,2,3]}");

        final HttpResponse<String> status = AdminHttp.get(client, server, "/status");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(status.body()).isEqualTo("{\"core\":3,\"incarnation\":7}");
        assertThat(workerThreadName.get()).startsWith("mk-admin-3-");
        assertThat(AdminHttp.get(client, server, "/skb").body()).isEqualTo("{\"cores\":[0,1,2,3]}");

        statusSnapshot.publish("{\"core\":3,\"incarnation\":8}");
        assertThat(AdminHttp.get(client, server, "/status?verbose=true&x=%20").body())
            .isEqualTo("{\"core\":3,\"incarnation\":8}");
    }

    @Test
    void unpublishedSnapshotAnswers503WithJsonError() throws Exception
    {
        final HttpResponse<String> response = AdminHttp.get(client, server, "/skb");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo(
            "{\"error\":\"skb has not been published yet; the core is starting, retry shortly\",\"path\":\"/skb\"}");
    }

    @Test
    void unknownPathAnswers404WithJsonErrorNamingThePath() throws Exception
    {
        final HttpResponse<String> response = AdminHttp.get(client, server, "/nope?q=1");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(response.body()).isEqualTo(
            "{\"error\":\"no such endpoint; use /metrics, /health, /status, /skb, /kv, /2pc or POST /bench/shootdown\",\"path\":\"/nope\"}");
        assertThat(AdminHttp.get(client, server, "/metrics/").statusCode()).isEqualTo(404);
        assertThat(AdminHttp.get(client, server, "/").statusCode()).isEqualTo(404);
        assertThat(AdminHttp.get(client, server, "/%22x%22").body()).contains("\"path\":\"/%22x%22\"");
    }

    @Test
    void longUnknownPathIsCutInTheErrorBody() throws Exception
    {
        final String path = "/" + "p".repeat(1_000);

        final HttpResponse<String> response = AdminHttp.get(client, server, path);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("\"path\":\"/" + "p".repeat(AdminConfiguration.ERROR_PATH_LENGTH_MAX_CHARS - 1) + "...\"");
    }

    @Test
    void wrongMethodAnswers405WithAllowHeader() throws Exception
    {
        for (final String method : new String[]{ "POST", "PUT", "DELETE", "OPTIONS" })
        {
            final HttpResponse<String> response = AdminHttp.send(client, AdminHttp.request(server, method, "/status"));

            assertThat(response.statusCode()).as(method).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).hasValue("GET");
            assertThat(response.body()).isEqualTo(
                "{\"error\":\"method " + method + " is not allowed on /status; use GET\",\"path\":\"/status\"}");
        }
    }

    @Test
    void headAnswers405WithAllowHeaderAndNoBody() throws Exception
    {
        final HttpResponse<String> response = AdminHttp.send(client, AdminHttp.request(server, "HEAD", "/metrics"));

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET");
        assertThat(response.body()).isEmpty();
    }

    @Test
    void requestTargetLongerThanTheLimitAnswers414() throws Exception
    {
        final String atLimit = "/status?" + "q".repeat(AdminConfiguration.REQUEST_URI_LENGTH_MAX_BYTES - "/status?".length());
        statusSnapshot.publish("{}");
        assertThat(AdminHttp.get(client, server, atLimit).statusCode()).isEqualTo(200);

        final HttpResponse<String> response = AdminHttp.get(client, server, atLimit + "q");

        assertThat(response.statusCode()).isEqualTo(414);
        assertThat(response.body()).startsWith("{\"error\":\"request target of 2049 bytes is longer than the limit of " +
            "2048 bytes\",\"path\":\"/status\"}");
        assertThat(AdminHttp.get(client, server, "/" + "x".repeat(5_000)).statusCode()).isEqualTo(414);
    }

    @Test
    void throwingSourceAnswers500WithOneLineAndNoStackTrace() throws Exception
    {
        server.close();
        server = AdminServer.launch(new AdminServer.Context()
            .meterRegistry(coreMetrics.registry())
            .statusSource(() ->
            {
                throw new IllegalStateException("peer table torn\n\tat io.multikernel.Secret.method(Secret.java:1)");
            })
            .healthSource(() -> null));

        final HttpResponse<String> response = AdminHttp.get(client, server, "/status");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("{\"error\":\"status source failed: IllegalStateException: " +
            "peer table torn...; see the core's log\",\"path\":\"/status\"}");
        assertThat(response.body()).doesNotContain("\n", "\\n", "\\t", "Secret");
        final HttpResponse<String> health = AdminHttp.get(client, server, "/health");
        assertThat(health.statusCode()).isEqualTo(500);
        assertThat(health.body()).contains("health source failed: IllegalStateException: health source returned null");
        assertThat(requests("status", "500")).isEqualTo(1.0);
    }

    @Test
    void everyAnswerIsCountedByEndpointAndStatusAndTimed() throws Exception
    {
        for (int i = 0; i < 3; i++)
        {
            assertThat(AdminHttp.get(client, server, "/health").statusCode()).isEqualTo(200);
        }
        AdminHttp.get(client, server, "/nope");
        AdminHttp.send(client, AdminHttp.request(server, "POST", "/health"));

        assertThat(requests("health", "200")).isEqualTo(3.0);
        assertThat(requests("unknown", "404")).isEqualTo(1.0);
        assertThat(requests("health", "405")).isEqualTo(1.0);
        final Timer latency = coreMetrics.registry().get("mk.admin.request.latency").tag("endpoint", "health").timer();
        assertThat(latency.count()).isEqualTo(4);

        final PrometheusText text = PrometheusText.parse(AdminHttp.get(client, server, "/metrics").body());
        assertThat(text.sample("mk_admin_requests_total", Map.of("endpoint", "health", "status", "200")).value())
            .isEqualTo(3.0);
        assertThat(text.sample("mk_admin_request_latency_seconds_count", Map.of("endpoint", "health")).value())
            .isEqualTo(4.0);
    }

    @Test
    void smallGetBodyIsIgnoredAndLargeDeclaredBodyAnswers413WithoutBeingRead() throws Exception
    {
        final String small = AdminHttp.raw(server,
            "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
        assertThat(small).startsWith("HTTP/1.1 200").endsWith("{\"status\":\"up\"}");

        final String large = AdminHttp.raw(server,
            "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
        assertThat(large).startsWith("HTTP/1.1 413").containsIgnoringCase("Connection: close")
            .endsWith("{\"error\":\"request body of Content-Length=10000000 is outside 0..65536 bytes; " +
                "GET takes no body\",\"path\":\"/health\"}");

        final String chunked = AdminHttp.raw(server,
            "GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertThat(chunked).startsWith("HTTP/1.1 413");
        assertThat(AdminHttp.get(client, server, "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void bindsAnEphemeralLoopbackPortByDefault()
    {
        assertThat(server.context().bindAddress()).isEqualTo("127.0.0.1");
        assertThat(server.port()).isPositive();
        assertThat(server.boundAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
    }

    @Test
    void stopReleasesThePortAtOnceSoItCanBeBoundAgain() throws Exception
    {
        final int port = server.port();
        assertThat(AdminHttp.get(client, server, "/health").statusCode()).isEqualTo(200);

        final long startNs = System.nanoTime();
        server.stop();
        server.stop();
        assertThat(System.nanoTime() - startNs).isLessThan(TimeUnit.SECONDS.toNanos(2));

        server = AdminServer.launch(new AdminServer.Context().meterRegistry(coreMetrics.registry()).port(port));
        assertThat(server.port()).isEqualTo(port);
        assertThat(AdminHttp.get(AdminHttp.newClient(), server, "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void bindingAPortInUseFailsWithOneSentenceNamingIt()
    {
        final AdminServer.Context clash = new AdminServer.Context()
            .meterRegistry(coreMetrics.registry())
            .port(server.port());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AdminServer.launch(clash))
            .isInstanceOf(java.io.UncheckedIOException.class)
            .hasMessageStartingWith("admin server could not bind 127.0.0.1:" + server.port() + ": ")
            .hasMessageEndingWith("; choose another port or stop the process that holds it");
    }

    /** A status document as an agent renders it. */
    private record CoreIdentity(int core, long incarnation)
    {
    }

    private double requests(final String endpoint, final String status)
    {
        return coreMetrics.registry().get("mk.admin.requests").tag("endpoint", endpoint).tag("status", status)
            .counter().count();
    }
}
