package io.multikernel.node.admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.multikernel.node.core.CoreMetrics;
import io.multikernel.node.service.ServiceApi;
import io.multikernel.node.service.ServiceEndpoint;
import io.multikernel.node.service.ServiceException;
import io.multikernel.node.service.ServiceHandler;
import io.multikernel.node.service.ServiceRequest;
import io.multikernel.node.service.ServiceResponse;
import io.multikernel.node.util.TestJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminServiceTest
{
    private final CoreMetrics coreMetrics = new CoreMetrics(0, 0);
    private final HttpClient client = AdminHttp.newClient();
    private final AtomicReference<ServiceRequest> received = new AtomicReference<>();
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

    private void launch(final ServiceHandler command)
    {
        final ServiceApi service = () -> List.of(ServiceEndpoint.exact("bench_shootdown", "/bench/shootdown", command, "POST"));
        server = AdminServer.launch(new AdminServer.Context().meterRegistry(coreMetrics.registry()).services(List.of(service)));
    }

    @Test
    void postRunsTheCommandWithDecodedParametersAndAnswersItsJson() throws Exception
    {
        launch(request ->
        {
            received.set(request);
            return ServiceResponse.ok("{\"p50_ns\":42}");
        });

        final HttpResponse<String> response = AdminHttp.send(client,
            AdminHttp.request(server, "POST", "/bench/shootdown?protocol=uni%63ast&rounds=5&flag"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"p50_ns\":42}");
        assertThat(received.get().parameters())
            .containsExactlyInAnyOrderEntriesOf(Map.of("protocol", "unicast", "rounds", "5", "flag", ""));
        assertThat(received.get().method()).isEqualTo("POST");
        assertThat(received.get().path()).isEqualTo("/bench/shootdown");
        assertThat(received.get().body()).isEmpty();
    }

    @Test
    void getIsRefusedWith405NamingPost() throws Exception
    {
        launch(request -> ServiceResponse.ok("{}"));

        final HttpResponse<String> response = AdminHttp.get(client, server, "/bench/shootdown?protocol=unicast");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertThat(TestJson.parseObject(response.body()))
            .containsEntry("error", "method GET is not allowed on /bench/shootdown; use POST");
    }

    @Test
    void postOnASnapshotEndpointIsStillRefused() throws Exception
    {
        launch(request -> ServiceResponse.ok("{}"));

        final HttpResponse<String> response = AdminHttp.send(client, AdminHttp.request(server, "POST", "/status"));

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void malformedQueriesAre400WithOneSentence() throws Exception
    {
        launch(request -> ServiceResponse.ok("{}"));

        assertError("/bench/shootdown?protocol=a&protocol=b", 400, "query parameter protocol is given twice");
        final String raw = AdminHttp.raw(server, "POST /bench/shootdown?protocol=%zz HTTP/1.1\r\nHost: localhost\r\n" +
            "Content-Length: 0\r\nConnection: close\r\n\r\n");
        // The JDK's server refuses a malformed request target itself, before any handler runs.
        assertThat(raw).startsWith("HTTP/1.1 400").doesNotContain("\tat ");
        assertThatThrownBy(() -> AdminQuery.parse("protocol=%zz")).isInstanceOf(ServiceException.class)
            .hasMessage("query text '%zz' is not valid percent-encoding");
        assertError("/bench/shootdown?=unicast", 400, "query parameter '=unicast' has no name");
        assertError("/bench/shootdown?" + "a=1&".repeat(AdminQuery.PARAMETERS_MAX) + "b=2", 400,
            (AdminQuery.PARAMETERS_MAX + 1) + " query parameters are more than the limit of " + AdminQuery.PARAMETERS_MAX);
    }

    @Test
    void aRefusalKeepsItsStatusAndAFailureIs500WithoutAStackTrace() throws Exception
    {
        launch(request ->
        {
            if (request.parameters().containsKey("refuse"))
            {
                throw new ServiceException(409, "the SKB's RTT matrix is not complete yet");
            }
            throw new IllegalStateException("broken\n\tat io.multikernel.Somewhere");
        });

        assertError("/bench/shootdown?refuse", 409, "the SKB's RTT matrix is not complete yet");
        final HttpResponse<String> failed = AdminHttp.send(client, AdminHttp.request(server, "POST", "/bench/shootdown"));
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).doesNotContain("\tat ").contains("IllegalStateException: broken...");
    }

    @Test
    void aServerWithoutTheServiceAnswers404NamingWhatItServes() throws Exception
    {
        server = AdminServer.launch(new AdminServer.Context().meterRegistry(coreMetrics.registry()));

        assertError("/bench/shootdown?protocol=unicast", 404,
            "no such endpoint; use /metrics, /health, /status or /skb");
    }

    @Test
    void aPrefixEndpointGetsItsSubpathsWithBodyAndTheServerRefusesOtherMethodsWithAllow() throws Exception
    {
        final ServiceApi kv = () -> List.of(ServiceEndpoint.prefix("kv", "/kv", request ->
        {
            received.set(request);
            if ("POST".equals(request.method()) && !"/kv".equals(request.path()))
            {
                throw ServiceException.methodNotAllowed(request.method(), request.path(), List.of("GET"));
            }
            return new ServiceResponse(201, "{\"bytes\":" + request.body().length + "}");
        }, "GET", "POST"));
        server = AdminServer.launch(new AdminServer.Context().meterRegistry(coreMetrics.registry()).services(List.of(kv)));

        final HttpResponse<String> posted = AdminHttp.send(client, HttpRequest.newBuilder(URI.create(server.url() + "/kv"))
            .timeout(AdminHttp.TIMEOUT).POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"k\"}")).build());
        assertThat(posted.statusCode()).isEqualTo(201);
        assertThat(posted.body()).isEqualTo("{\"bytes\":11}");
        assertThat(new String(received.get().body(), StandardCharsets.UTF_8)).isEqualTo("{\"key\":\"k\"}");

        assertThat(AdminHttp.get(client, server, "/kv/some%20key").statusCode()).isEqualTo(201);
        assertThat(received.get().path()).as("the raw path, not decoded").isEqualTo("/kv/some%20key");

        final HttpResponse<String> put = AdminHttp.send(client, AdminHttp.request(server, "PUT", "/kv/k"));
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).hasValue("GET, POST");
        assertThat(TestJson.parseObject(put.body())).containsEntry("error", "method PUT is not allowed on /kv/k; use GET or POST");

        final HttpResponse<String> refused = AdminHttp.send(client, AdminHttp.request(server, "POST", "/kv/k"));
        assertThat(refused.statusCode()).isEqualTo(405);
        assertThat(refused.headers().firstValue("Allow")).as("the service's own 405 names its methods too").hasValue("GET");
        assertThat(TestJson.parseObject(refused.body())).containsEntry("error", "method POST is not allowed on /kv/k; use GET");

        assertThat(coreMetrics.registry().get("mk.admin.requests").tag("endpoint", "kv").tag("status", "405").counter().count())
            .isEqualTo(2.0);
        assertThat(coreMetrics.registry().get("mk.admin.request.latency").tag("endpoint", "kv").timer().count()).isEqualTo(4);
    }

    @Test
    void aBodyLongerThanTheLimitIsRefusedWith413BeforeTheServiceSeesIt() throws Exception
    {
        launch(request ->
        {
            received.set(request);
            return ServiceResponse.ok("{}");
        });
        final String atLimit = "x".repeat((int)AdminConfiguration.REQUEST_BODY_LENGTH_MAX_BYTES);

        assertThat(AdminHttp.send(client, post("/bench/shootdown", atLimit)).statusCode()).isEqualTo(200);
        assertThat(received.get().body()).hasSize(atLimit.length());
        received.set(null);

        final HttpResponse<String> tooLong = AdminHttp.send(client, post("/bench/shootdown", atLimit + "x"));
        assertThat(tooLong.statusCode()).isEqualTo(413);
        assertThat(TestJson.parseObject(tooLong.body())).containsEntry("error", "request body is longer than 65536 bytes");
        assertThat(received.get()).isNull();
    }

    private HttpRequest post(final String path, final String body)
    {
        return HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(AdminHttp.TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private void assertError(final String pathAndQuery, final int status, final String message) throws Exception
    {
        final HttpResponse<String> response = AdminHttp.send(client, AdminHttp.request(server, "POST", pathAndQuery));
        assertThat(response.statusCode()).as(pathAndQuery).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(AdminResponse.JSON_CONTENT_TYPE);
        assertThat(TestJson.parseObject(response.body())).containsEntry("error", message);
    }
}
