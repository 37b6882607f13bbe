package io.multikernel.node.admin;

import io.multikernel.node.core.CoreMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request that names the process it is for ({@link AdminServer#EXPECTED_PID_HEADER}) is answered
 * only by that process: a core that died while another process took its admin port is not mistaken
 * for that one.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminExpectedPidTest
{
    private final CoreMetrics coreMetrics = new CoreMetrics(0, 0);
    private final HttpClient client = AdminHttp.newClient();
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

    @Test
    void onlyTheNamedProcessAnswers() throws Exception
    {
        server = AdminServer.launch(new AdminServer.Context()
            .meterRegistry(coreMetrics.registry())
            .statusSource(() -> "{}")
            .skbSource(() -> "{}")
            .services(List.of()));
        final long self = ProcessHandle.current().pid();

        assertThat(send(null).statusCode()).as("no header: as before").isEqualTo(200);
        assertThat(send(Long.toString(self)).statusCode()).isEqualTo(200);
        final HttpResponse<String> other = send("999999999");
        assertThat(other.statusCode()).isEqualTo(409);
        assertThat(other.body()).contains("this admin port is served by process " + self + ", not by process 999999999 " +
            "that the request is for: that core is not running, and another process holds its port");
    }

    private HttpResponse<String> send(final String expectedPid) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + "/status"))
            .timeout(Duration.ofSeconds(10)).GET();
        if (null != expectedPid)
        {
            request.header(AdminServer.EXPECTED_PID_HEADER, expectedPid);
        }
        return AdminHttp.send(client, request.build());
    }
}
