package io.multikernel.node.admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.multikernel.common.ClusterSecret;
import io.multikernel.node.core.CoreMetrics;
import io.multikernel.node.service.ServiceApi;
import io.multikernel.node.service.ServiceEndpoint;
import io.multikernel.node.service.ServiceResponse;
import io.multikernel.node.util.TestJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An admin server bound beyond loopback answers only requests that carry the cluster's bearer token,
 * except {@code GET /metrics} and {@code GET /health}; a refused request never reaches a service and
 * is counted by reason. Bound to loopback it asks for nothing.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminAuthorizationTest
{
    private final CoreMetrics coreMetrics = new CoreMetrics(0, 0);
    private final HttpClient client = AdminHttp.newClient();
    private final String token = ClusterSecret.generate(new SecureRandom()).adminToken();
    /** Requests the kv service handled, and the bytes of body it was given. */
    private final AtomicInteger handled = new AtomicInteger();
    private final AtomicInteger bodyBytes = new AtomicInteger();
    private AdminServer server;

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
        coreMetrics.close();
    }

    private void launch(final String bindAddress, final String token)
    {
        final ServiceApi kv = () -> List.of(ServiceEndpoint.prefix("kv", "/kv", request ->
        {
            handled.incrementAndGet();
            bodyBytes.addAndGet(request.body().length);
            return ServiceResponse.ok("{\"ok\":true}");
        }, "GET", "POST"));
        server = AdminServer.launch(new AdminServer.Context()
            .meterRegistry(coreMetrics.registry())
            .bindAddress(bindAddress)
            .token(token)
            .statusSource(() -> "{}")
            .skbSource(() -> "{}")
            .services(List.of(kv)));
    }

    @Test
    void metricsAndHealthAnswerWithoutAToken() throws Exception
    {
        launch(AdminHttp.beyondLoopback(), token);

        final HttpResponse<String> metrics = AdminHttp.get(client, server, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(AdminHttp.get(client, server, "/health").statusCode()).isEqualTo(200);
        assertThat(unauthorized()).isZero();
        assertThat(metrics.body()).contains("# HELP mk_admin_unauthorized_total ");
        final PrometheusText text = PrometheusText.parse(metrics.body());
        assertThat(text.type("mk_admin_unauthorized_total")).isEqualTo("counter");
        assertThat(text.samples("mk_admin_unauthorized_total")).extracting(sample -> sample.labels().get("reason"))
            .containsExactlyInAnyOrder("missing", "malformed", "mismatch");
    }

    @Test
    void aServiceAnswersOnlyTheClustersBearerToken() throws Exception
    {
        launch(AdminHttp.beyondLoopback(), token);
        final String sameLength = (token.charAt(0) == 'a' ? "b" : "a") + token.substring(1);

        assertRefused(AdminHttp.request(server, "POST", "/kv"), "missing");
        assertRefused(AdminHttp.request(server, "POST", "/kv", sameLength), "mismatch");
        assertRefused(AdminHttp.request(server, "POST", "/kv", token + "0"), "mismatch");
        assertRefused(AdminHttp.request(server, "POST", "/kv", token.substring(1)), "mismatch");
        assertRefused(withAuthorization("/kv", "Basic " + token), "malformed");
        assertRefused(withAuthorization("/kv", token), "malformed");
        assertRefused(withAuthorization("/kv", "Bearer"), "malformed");
        assertThat(handled).as("no refused request reached the service").hasValue(0);

        final HttpResponse<String> allowed = AdminHttp.send(client, AdminHttp.request(server, "POST", "/kv", token));
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.body()).isEqualTo("{\"ok\":true}");
        assertThat(AdminHttp.send(client, withAuthorization("/kv/k", "bearer   " + token + " ")).statusCode())
            .as("the scheme in any case, spaces around the token").isEqualTo(200);
        assertThat(handled).hasValue(2);

        assertThat(unauthorized("missing")).isEqualTo(1);
        assertThat(unauthorized("mismatch")).isEqualTo(3);
        assertThat(unauthorized("malformed")).isEqualTo(3);
        assertThat(coreMetrics.registry().get(AdminRequestMetrics.REQUESTS_NAME)
            .tag("endpoint", "kv").tag("status", "401").counter().count()).isEqualTo(7);
        assertThat(coreMetrics.registry().get(AdminRequestMetrics.REQUESTS_NAME)
            .tag("endpoint", "kv").tag("status", "200").counter().count()).isEqualTo(2);
    }

    @Test
    void everyOtherRouteAndMethodNeedsTheTokenBeforeRouting() throws Exception
    {
        launch(AdminHttp.beyondLoopback(), token);

        assertRefused(AdminHttp.request(server, "GET", "/status"), "missing");
        assertRefused(AdminHttp.request(server, "GET", "/skb"), "missing");
        assertRefused(AdminHttp.request(server, "POST", "/metrics"), "missing");
        assertRefused(AdminHttp.request(server, "HEAD", "/health"), "missing");
        assertRefused(AdminHttp.request(server, "GET", "/no/such/path"), "missing");
        assertThat(unauthorized()).isEqualTo(5);

        assertThat(AdminHttp.send(client, AdminHttp.request(server, "GET", "/status", token)).statusCode()).isEqualTo(200);
        assertThat(AdminHttp.send(client, AdminHttp.request(server, "GET", "/no/such/path", token)).statusCode())
            .isEqualTo(404);
        assertThat(AdminHttp.send(client, AdminHttp.request(server, "POST", "/metrics", token)).statusCode())
            .isEqualTo(405);
    }

    @Test
    void anOverlongTargetIs414BeforeTheTokenIsLookedAt() throws Exception
    {
        launch(AdminHttp.beyondLoopback(), token);

        final String path = "/kv?" + "a".repeat(AdminConfiguration.REQUEST_URI_LENGTH_MAX_BYTES);
        assertThat(AdminHttp.send(client, AdminHttp.request(server, "POST", path)).statusCode()).isEqualTo(414);
        assertThat(unauthorized()).isZero();
    }

    @Test
    void aRefusedRequestsBodyIsNotReadAndItsConnectionCloses() throws Exception
    {
        launch(AdminHttp.beyondLoopback(), token);
        final String body = "x".repeat((int)AdminConfiguration.REQUEST_BODY_LENGTH_MAX_BYTES + 1);

        final String answer = AdminHttp.raw(server, "POST /kv HTTP/1.1\r\nHost: core\r\nContent-Length: " +
            body.length() + "\r\n\r\n" + body);

        assertThat(answer).startsWith("HTTP/1.1 401 ").containsIgnoringCase("connection: close");
        assertThat(handled).hasValue(0);
        assertThat(bodyBytes).hasValue(0);
        assertThat(unauthorized("missing")).isEqualTo(1);
    }

    @Test
    void twoAuthorizationHeadersAreRefusedEvenWhenOneIsRight() throws Exception
    {
        launch(AdminHttp.beyondLoopback(), token);

        final String answer = AdminHttp.raw(server, "GET /kv HTTP/1.1\r\nHost: core\r\nAuthorization: Bearer " + token +
            "\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 401 ");
        assertThat(handled).hasValue(0);
        assertThat(unauthorized("malformed")).isEqualTo(1);
    }

    @Test
    void theWildcardAddressIsBeyondLoopback() throws Exception
    {
        launch("0.0.0.0", token);

        assertRefused(AdminHttp.request(server, "POST", "/kv"), "missing");
        assertThat(AdminHttp.send(client, AdminHttp.request(server, "POST", "/kv", token)).statusCode()).isEqualTo(200);
        assertThat(AdminHttp.get(client, server, "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void aLoopbackServerNeedsNoTokenAndIgnoresAPresentedOne() throws Exception
    {
        launch("127.0.0.1", token);

        assertThat(AdminHttp.send(client, AdminHttp.request(server, "POST", "/kv")).statusCode()).isEqualTo(200);
        assertThat(AdminHttp.send(client, AdminHttp.request(server, "POST", "/kv", "wrong")).statusCode()).isEqualTo(200);
        assertThat(AdminHttp.send(client, withAuthorization("/kv", "Basic x")).statusCode()).isEqualTo(200);
        assertThat(handled).hasValue(3);
        assertThat(unauthorized()).isZero();
        server.close();

        launch("127.0.0.1", null);
        assertThat(AdminHttp.send(client, AdminHttp.request(server, "GET", "/status")).statusCode()).isEqualTo(200);
    }

    /**
     * Not a guard but a check on the client's aim: a request that names the process it is for
     * ({@link AdminServer#EXPECTED_PID_HEADER}) is answered only by that process, so a core that died
     * while another process took its admin port is not mistaken for that one.
     */
    @Test
    void onlyTheProcessARequestNamesAnswersIt() throws Exception
    {
        launch("127.0.0.1", null);
        final long self = ProcessHandle.current().pid();

        assertThat(sendNaming(null).statusCode()).as("no name: as before").isEqualTo(200);
        assertThat(sendNaming(Long.toString(self)).statusCode()).isEqualTo(200);
        final HttpResponse<String> other = sendNaming("999999999");
        assertThat(other.statusCode()).isEqualTo(409);
        assertThat(other.body()).contains("this admin port is served by process " + self + ", not by process 999999999 " +
            "that the request is for: that core is not running, and another process holds its port");
    }

    private HttpResponse<String> sendNaming(final String expectedPid) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + "/status"))
            .timeout(java.time.Duration.ofSeconds(10)).GET();
        if (null != expectedPid)
        {
            request.header(AdminServer.EXPECTED_PID_HEADER, expectedPid);
        }
        return AdminHttp.send(client, request.build());
    }

    @Test
    void theBearerTokenIsParsedStrictly()
    {
        assertThat(AdminAuthorization.bearerToken("Bearer abc")).isEqualTo("abc");
        assertThat(AdminAuthorization.bearerToken("BEARER  abc ")).isEqualTo("abc");
        assertThat(AdminAuthorization.bearerToken("Bearer")).isNull();
        assertThat(AdminAuthorization.bearerToken("Bearer ")).isNull();
        assertThat(AdminAuthorization.bearerToken("Bearer a b")).isNull();
        assertThat(AdminAuthorization.bearerToken("Bearerabc")).isNull();
        assertThat(AdminAuthorization.bearerToken("Bearerx abc")).isNull();
        assertThat(AdminAuthorization.bearerToken("Basic abc")).isNull();
        assertThat(AdminAuthorization.bearerToken("")).isNull();
    }

    private HttpRequest withAuthorization(final String path, final String authorization)
    {
        return HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(AdminHttp.TIMEOUT)
            .header("Authorization", authorization).POST(HttpRequest.BodyPublishers.noBody()).build();
    }

    private void assertRefused(final HttpRequest request, final String reason) throws Exception
    {
        final double before = unauthorized(reason);
        final HttpResponse<String> response = AdminHttp.send(client, request);
        final String what = request.method() + " " + request.uri().getRawPath() + " (" + reason + ")";
        assertThat(response.statusCode()).as(what).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).as(what).hasValue("Bearer");
        if (!"HEAD".equals(request.method()))
        {
            assertThat(response.headers().firstValue("Content-Type")).hasValue(AdminResponse.JSON_CONTENT_TYPE);
            assertThat(TestJson.parseObject(response.body())).as(what)
                .containsEntry("error", refusal(reason).message())
                .containsEntry("path", request.uri().getRawPath());
        }
        assertThat(unauthorized(reason)).as(what + " is counted under its reason").isEqualTo(before + 1);
    }

    private static AdminAuthorization.Refusal refusal(final String reason)
    {
        for (final AdminAuthorization.Refusal refusal : AdminAuthorization.Refusal.values())
        {
            if (refusal.tag().equals(reason))
            {
                return refusal;
            }
        }
        throw new IllegalArgumentException(reason);
    }

    private double unauthorized(final String reason)
    {
        return coreMetrics.registry().get(AdminRequestMetrics.UNAUTHORIZED_NAME)
            .tag(AdminRequestMetrics.REASON_TAG, reason).counter().count();
    }

    private double unauthorized()
    {
        return coreMetrics.registry().find(AdminRequestMetrics.UNAUTHORIZED_NAME).counters().stream()
            .mapToDouble(Counter::count).sum();
    }
}
