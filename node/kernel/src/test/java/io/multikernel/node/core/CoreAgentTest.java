package io.multikernel.node.core;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.multikernel.node.admin.AdminServer;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.replication.ReplicationAdmin;
import io.multikernel.node.replication.ReplicationProxy;
import io.multikernel.node.service.Health;
import io.multikernel.node.service.JsonSnapshot;
import io.multikernel.node.util.JsonReader;
import io.multikernel.transport.UrpcMediaDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A one-core cluster's kernel loop, driven by the test through {@code doWork()}, with an embedded
 * media driver: what its admin views say, field by field.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoreAgentTest
{
    private static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path tempDir;

    private UrpcMediaDriver driver;
    private final CoreMetrics metrics = new CoreMetrics(0, 0);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void launchDriver()
    {
        driver = UrpcMediaDriver.launch(new UrpcMediaDriver.Context()
            .aeronDirectory(tempDir.resolve("aeron").toString())
            .idleStrategy("yielding")
            .termLength(64 * 1024)
            .deleteDirectoryOnStart(true));
    }

    @AfterEach
    void close()
    {
        driver.close();
        metrics.close();
    }

    @Test
    void theAdminViewsOfACoreKeepTheirFieldNamesAndOrder() throws Exception
    {
        final ReplicationProxy proxy = new ReplicationProxy(16, metrics.registry());
        final JsonSnapshot status = new JsonSnapshot();
        final SkbView.Source skb = new SkbView.Source();
        final AtomicReference<Health> health = new AtomicReference<>(Health.down("core is starting"));
        final CoreAgent agent = new CoreAgent(context(), metrics, status, skb, health, proxy);
        try (AdminServer server = AdminServer.launch(new AdminServer.Context()
            .meterRegistry(metrics.registry())
            .statusSource(status)
            .skbSource(skb)
            .healthSource(health::get)
            .services(List.of(new ReplicationAdmin(proxy, new int[]{ 0 }, TimeUnit.SECONDS.toNanos(10))))))
        {
            agent.onStart();

            final Map<String, Object> put = answer(agent, server, "POST", "/kv", "{\"key\":\"k\",\"value\":\"v\"}", 200);
            assertThat(put.keySet()).containsExactly("outcome", "transaction", "replicas");
            assertThat(put).containsEntry("outcome", "committed").containsEntry("replicas", List.of(0L));

            final Map<String, Object> replica = answer(agent, server, "GET", "/kv", null, 200);
            assertThat(replica.keySet())
                .containsExactly("core", "count", "fingerprint", "changes", "limit", "truncated", "entries");
            assertThat(replica).containsEntry("count", 1L).containsEntry("truncated", false)
                .containsEntry("entries", Map.of("k", "v"));
            assertThat(answer(agent, server, "GET", "/kv/k", null, 200))
                .containsExactly(Map.entry("key", "k"), Map.entry("value", "v"), Map.entry("core", 0L));

            final Map<String, Object> twoPhaseCommit = answer(agent, server, "GET", "/2pc", null, 200);
            assertThat(twoPhaseCommit.keySet()).containsExactly("core", "incarnation", "fsync", "data_dir", "failed",
                "in_flight", "prepared", "locks_held", "in_doubt_count", "in_doubt");
            assertThat(twoPhaseCommit).containsEntry("in_doubt", List.of());

            final Map<String, Object> core = answer(agent, server, "GET", "/status", null, 200);
            assertThat(core.keySet()).containsExactly("id", "host", "pid", "incarnation", "state", "uptime_ms",
                "metrics_url", "peers_up", "peers_total", "peers");
            assertThat(core).containsEntry("state", "up").containsEntry("peers", List.of());

            final Map<String, Object> skbView = answer(agent, server, "GET", "/skb", null, 200);
            assertThat(skbView.keySet()).containsExactly("cores", "rtt_ns", "fingerprint");
            assertThat(skbView).containsEntry("cores", List.of(Map.of("id", 0L, "host", 0L)));
            assertThat(skbView.get("rtt_ns")).isEqualTo(Map.of("0", Map.of("0", 0L)));

            assertThat(answer(agent, server, "GET", "/health", null, 200)).containsExactly(Map.entry("status", "up"));
        }
        finally
        {
            agent.onClose();
        }
    }

    private CoreContext context()
    {
        return new CoreContext()
            .clusterMap(ClusterMap.local(1, 1, TransportKind.IPC))
            .coreId(0)
            .aeronDirectory(driver.aeronDirectory())
            .dataDirectory(tempDir.resolve("data"))
            .conclude();
    }

    /**
     * Send a request and run the kernel loop until it is answered.
     */
    private Map<String, Object> answer(final CoreAgent agent, final AdminServer server, final String method,
        final String path, final String body, final int status) throws Exception
    {
        final CompletableFuture<HttpResponse<String>> response = http.sendAsync(
            HttpRequest.newBuilder(URI.create(server.url() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, null == body ? HttpRequest.BodyPublishers.noBody() :
                    HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        final long deadlineNs = System.nanoTime() + ANSWER_TIMEOUT_NS;
        while (!response.isDone())
        {
            agent.doWork();
            assertThat(System.nanoTime() - deadlineNs).as("%s %s answered in time", method, path).isNegative();
            Thread.yield();
        }
        assertThat(response.get().statusCode()).as("%s %s: %s", method, path, response.get().body()).isEqualTo(status);
        return JsonReader.parseObject(response.get().body());
    }
}
