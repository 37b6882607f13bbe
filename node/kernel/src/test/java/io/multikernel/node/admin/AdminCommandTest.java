package io.multikernel.node.admin;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.multikernel.node.core.CoreMetrics;
import io.multikernel.node.util.JsonReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminCommandTest
{
    private final CoreMetrics coreMetrics = new CoreMetrics(0, 0);
    private final HttpClient client = AdminHttp.newClient();
    private final AtomicReference<Map<String, String>> received = new AtomicReference<>();
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

    private void launch(final AdminCommand command)
    {
        server = AdminServer.launch(new AdminServer.Context().meterRegistry(coreMetrics.registry()).shootdownBench(command));
    }

    @Test
    void postRunsTheCommandWithDecodedParametersAndAnswersItsJson() throws Exception
    {
        launch(parameters ->
        {
            received.set(parameters);
            return "{\"p50_ns\":42}";
        });

        final HttpResponse<String> response = AdminHttp.send(client,
            AdminHttp.request(server, "POST", "/bench/shootdown?protocol=uni%63ast&rounds=5&flag"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"p50_ns\":42}");
        assertThat(received.get()).containsExactlyInAnyOrderEntriesOf(Map.of("protocol", "unicast", "rounds", "5", "flag", ""));
    }

    @Test
    void getIsRefusedWith405NamingPost() throws Exception
    {
        launch(parameters -> "{}");

        final HttpResponse<String> response = AdminHttp.get(client, server, "/bench/shootdown?protocol=unicast");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertThat(JsonReader.parseObject(response.body()))
            .containsEntry("error", "method GET is not allowed on /bench/shootdown; use POST");
    }

    @Test
    void postOnASnapshotEndpointIsStillRefused() throws Exception
    {
        launch(parameters -> "{}");

        final HttpResponse<String> response = AdminHttp.send(client, AdminHttp.request(server, "POST", "/status"));

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void malformedQueriesAre400WithOneSentence() throws Exception
    {
        launch(parameters -> "{}");

        assertError("/bench/shootdown?protocol=a&protocol=b", 400, "query parameter protocol is given twice");
        final String raw = AdminHttp.raw(server, "POST /bench/shootdown?protocol=%zz HTTP/1.1\r\nHost: localhost\r\n" +
            "Content-Length: 0\r\nConnection: close\r\n\r\n");
        // The JDK's server refuses a malformed request target itself, before any handler runs.
        assertThat(raw).startsWith("HTTP/1.1 400").doesNotContain("\tat ");
        assertThatThrownBy(() -> AdminQuery.parse("protocol=%zz")).isInstanceOf(AdminCommandException.class)
            .hasMessage("query text '%zz' is not valid percent-encoding");
        assertError("/bench/shootdown?=unicast", 400, "query parameter '=unicast' has no name");
        assertError("/bench/shootdown?" + "a=1&".repeat(AdminQuery.PARAMETERS_MAX) + "b=2", 400,
            (AdminQuery.PARAMETERS_MAX + 1) + " query parameters are more than the limit of " + AdminQuery.PARAMETERS_MAX);
    }

    @Test
    void aRefusalKeepsItsStatusAndAFailureIs500WithoutAStackTrace() throws Exception
    {
        launch(parameters ->
        {
            if (parameters.containsKey("refuse"))
            {
                throw new AdminCommandException(409, "the SKB's RTT matrix is not complete yet");
            }
            throw new IllegalStateException("broken\n\tat io.multikernel.Somewhere");
        });

        assertError("/bench/shootdown?refuse", 409, "the SKB's RTT matrix is not complete yet");
        final HttpResponse<String> failed = AdminHttp.send(client, AdminHttp.request(server, "POST", "/bench/shootdown"));
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).doesNotContain("\tat ").contains("IllegalStateException: broken...");
    }

    @Test
    void aServerWithoutACoreAnswers503() throws Exception
    {
        server = AdminServer.launch(new AdminServer.Context().meterRegistry(coreMetrics.registry()));

        assertError("/bench/shootdown?protocol=unicast", 503,
            "this server runs no core, so it cannot run a shootdown benchmark");
    }

    private void assertError(final String pathAndQuery, final int status, final String message) throws Exception
    {
        final HttpResponse<String> response = AdminHttp.send(client, AdminHttp.request(server, "POST", pathAndQuery));
        assertThat(response.statusCode()).as(pathAndQuery).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(AdminResponse.JSON_CONTENT_TYPE);
        assertThat(JsonReader.parseObject(response.body())).containsEntry("error", message);
    }
}
