package io.multikernel.node.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.multikernel.node.admin.AdminServer;
import io.multikernel.node.util.TestJson;
import io.multikernel.transport.LinkFaults;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /chaos/links} over real HTTP: rules set, read and healed through the kernel loop's queue (a
 * thread stands in for the loop), every class of bad request refused with one sentence before it is
 * queued, 409 on a core without chaos, a definite "nothing changed" when the loop does not take the
 * request, and the admin token beyond loopback.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LinkFaultsAdminTest
{
    private static final int SELF = 0;
    private static final int[] CORES = { 0, 1, 2, 3 };
    private static final long SEED = 42;
    private static final long SHORT_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final String TOKEN = "0123456789abcdef".repeat(4);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final LinkFaultsProxy proxy = new LinkFaultsProxy(registry);
    private final LinkFaults linkFaults = new LinkFaults(new int[]{ 1, 2, 3 }, SystemNanoClock.INSTANCE,
        new SplittableRandom(SEED), registry);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer server;
    private Thread kernelLoop;

    @AfterEach
    void stop() throws InterruptedException
    {
        running.set(false);
        if (null != kernelLoop)
        {
            kernelLoop.join(5_000);
        }
        if (null != server)
        {
            server.close();
        }
        registry.close();
    }

    @Test
    void rulesAreSetReadAndHealedByTheKernelLoop() throws Exception
    {
        start(proxy, LinkFaultsAdmin.KERNEL_LOOP_WAIT_MAX_NS, null);
        runKernelLoop();

        final Map<String, Object> empty = ok(send("GET", "/chaos/links", null, null));
        assertThat(empty).containsEntry("core", 0L).containsEntry("seed", SEED).containsEntry("delay_ms_max", 10_000L)
            .containsEntry("delay_queue_frames_max", (long)LinkFaults.DELAY_QUEUE_FRAMES_MAX)
            .containsEntry("delay_queue_bytes_max", LinkFaults.DELAY_QUEUE_BYTES_MAX)
            .containsEntry("queued_frames", 0L).containsEntry("links", List.of());

        ok(send("POST", "/chaos/links", "{\"peer\":2,\"direction\":\"both\",\"drop\":1}", null));
        final Map<String, Object> set = ok(send("POST", "/chaos/links",
            "{\"peer\":3,\"direction\":\"outbound\",\"drop\":0.25,\"delay_ms\":50}", null));
        assertThat(links(set)).containsExactly(
            link(2, "inbound", 1.0, 0), link(2, "outbound", 1.0, 0),
            link(3, "inbound", 0.0, 0), link(3, "outbound", 0.25, 50));
        assertThat(ok(send("GET", "/chaos/links", null, null))).isEqualTo(set);

        assertThat(links(ok(send("DELETE", "/chaos/links?peer=2", null, null)))).containsExactly(
            link(2, "inbound", 0.0, 0), link(2, "outbound", 0.0, 0),
            link(3, "inbound", 0.0, 0), link(3, "outbound", 0.25, 50));
        assertThat(links(ok(send("DELETE", "/chaos/links", null, null))))
            .allMatch(link -> 0.0 == (Double)link.get("drop") && 0L == (Long)link.get("delay_ms"));
        assertThat(proxy.offerFailures()).isZero();
    }

    @Test
    void everyClassOfBadRequestIsRefusedWithOneSentenceBeforeItIsQueued() throws Exception
    {
        start(proxy, SHORT_WAIT_NS, null);
        final String links = "/chaos/links";
        expectError("POST", links, "", 400, "request body is empty; send a JSON object");
        expectError("POST", links, "{not json", 400, "request body is not a JSON object");
        expectError("POST", links, "[2]", 400, "request body is not a JSON object but an array");
        expectError("POST", links, "{\"direction\":\"both\",\"drop\":1}", 400, "peer is missing");
        expectError("POST", links, "{\"peer\":7,\"direction\":\"both\",\"drop\":1}", 400,
            "peer 7 is not a core of the cluster map [0, 1, 2, 3]");
        expectError("POST", links, "{\"peer\":-1,\"direction\":\"both\",\"drop\":1}", 400, "peer -1 is not a core");
        expectError("POST", links, "{\"peer\":0,\"direction\":\"both\",\"drop\":1}", 400,
            "peer 0 is this core; name another core");
        expectError("POST", links, "{\"peer\":\"2\",\"direction\":\"both\",\"drop\":1}", 400,
            "peer must be a core id, e.g. 2");
        expectError("POST", links, "{\"peer\":2.5,\"direction\":\"both\",\"drop\":1}", 400, "peer must be a core id");
        expectError("POST", links, "{\"peer\":2,\"drop\":1}", 400, "direction is missing; use inbound, outbound or both");
        expectError("POST", links, "{\"peer\":2,\"direction\":\"sideways\",\"drop\":1}", 400,
            "direction 'sideways' is not inbound, outbound or both");
        expectError("POST", links, "{\"peer\":2,\"direction\":\"BOTH\",\"drop\":1}", 400, "direction 'BOTH' is not");
        expectError("POST", links, "{\"peer\":2,\"direction\":\"both\"}", 400, "give drop, delay_ms or both");
        expectError("POST", links, "{\"peer\":2,\"direction\":\"both\",\"drop\":1.5}", 400,
            "drop=1.5 is outside 0..1; it is a probability, 1 cuts the link");
        expectError("POST", links, "{\"peer\":2,\"direction\":\"both\",\"drop\":-0.5}", 400, "drop=-0.5 is outside 0..1");
        expectError("POST", links, "{\"peer\":2,\"direction\":\"both\",\"drop\":\"0.5\"}", 400,
            "drop must be a probability from 0 to 1, e.g. 0.3");
        expectError("POST", links, "{\"peer\":2,\"direction\":\"both\",\"drop\":NaN}", 400,
            "request body has a malformed number");
        expectError("POST", links, "{\"peer\":2,\"direction\":\"both\",\"delay_ms\":-1}", 400,
            "delay_ms=-1 is outside 0..10000 ms");
        expectError("POST", links, "{\"peer\":2,\"direction\":\"both\",\"delay_ms\":10001}", 400,
            "delay_ms=10001 is outside 0..10000 ms");
        expectError("POST", links, "{\"peer\":2,\"direction\":\"both\",\"delay_ms\":1.5}", 400,
            "delay_ms must be a whole number of milliseconds, e.g. 50");
        expectError("POST", links, "{\"peer\":2,\"direction\":\"both\",\"drop\":1,\"loss\":1}", 400,
            "field 'loss' is unknown; use peer, direction, drop or delay_ms");
        expectError("POST", links, "{\"peer\":2,\"peer\":3,\"direction\":\"both\",\"drop\":1}", 400,
            "field 'peer' is given twice");
        expectError("POST", links, "{\"peer\":2,\"direction\":\"both\",\"drop\":1} {}", 400,
            "request body has more after its JSON object");
        expectError("POST", links + "?peer=2", "{\"peer\":2,\"direction\":\"both\",\"drop\":1}", 400,
            "query parameter 'peer' is unknown; POST /chaos/links takes none");
        expectError("GET", links + "?verbose=1", null, 400, "query parameter 'verbose' is unknown");
        expectError("DELETE", links + "?peer=two", null, 400, "peer=two is not a core id");
        expectError("DELETE", links + "?peer=9", null, 400, "peer 9 is not a core of the cluster map");
        expectError("DELETE", links + "?everything=1", null, 400, "query parameter 'everything' is unknown; use peer=N");
        expectError("PUT", links, "{}", 405, "method PUT is not allowed on /chaos/links; use GET, POST or DELETE");
        expectError("GET", "/chaos/linkz", null, 404, "no such endpoint");

        // Nothing of the above was queued; a good request is, and with no kernel loop to take it, it
        // is answered with a definite "nothing changed".
        expectError("POST", links, "{\"peer\":2,\"direction\":\"both\",\"drop\":1}", 503,
            "the kernel loop did not take the request within 200 ms; nothing changed");
        runKernelLoop();
        assertThat(links(ok(send("GET", links, null, null)))).as("the cancelled request never applied").isEmpty();
    }

    @Test
    void aFullQueueIsCountedAndRefused() throws Exception
    {
        start(proxy, SHORT_WAIT_NS, null);
        for (int i = 0; i < LinkFaultsProxy.COMMAND_QUEUE_CAPACITY; i++)
        {
            assertThat(proxy.offer(new LinkFaultsCommand<>(faults -> null))).isTrue();
        }
        expectError("GET", "/chaos/links", null, 503, "the kernel loop's chaos queue is full (16 commands); nothing " +
            "changed");
        assertThat(proxy.offerFailures()).isEqualTo(1);
    }

    @Test
    void aCoreWithoutChaosAnswers409OnEveryRoute() throws Exception
    {
        start(null, LinkFaultsAdmin.KERNEL_LOOP_WAIT_MAX_NS, null);
        final String sentence = "core 0 was not started with --chaos, so its links have no fault point; start the " +
            "cluster with mk up --chaos (or the core with mk core --chaos; MK_CHAOS=true for the docker-compose cluster)";
        expectError("GET", "/chaos/links", null, 409, sentence);
        expectError("POST", "/chaos/links", "{\"peer\":2,\"direction\":\"both\",\"drop\":1}", 409, sentence);
        expectError("DELETE", "/chaos/links", null, 409, sentence);
    }

    @Test
    void beyondLoopbackEveryRouteNeedsTheAdminToken() throws Exception
    {
        start(proxy, LinkFaultsAdmin.KERNEL_LOOP_WAIT_MAX_NS, TOKEN);
        runKernelLoop();
        final String rule = "{\"peer\":1,\"direction\":\"inbound\",\"drop\":1}";
        for (final String method : List.of("GET", "POST", "DELETE"))
        {
            final HttpResponse<String> refused = send(method, "/chaos/links", "POST".equals(method) ? rule : null, null);
            assertThat(refused.statusCode()).as("%s without a token", method).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).contains("Bearer");
            assertThat(send(method, "/chaos/links", "POST".equals(method) ? rule : null, "0".repeat(64)).statusCode())
                .as("%s with another token", method).isEqualTo(401);
        }
        assertThat(links(ok(send("GET", "/chaos/links", null, TOKEN)))).as("no refused request changed a rule").isEmpty();
        assertThat(links(ok(send("POST", "/chaos/links", rule, TOKEN)))).hasSize(2);
        assertThat(links(ok(send("DELETE", "/chaos/links", null, TOKEN))))
            .allMatch(link -> 0.0 == (Double)link.get("drop"));
        assertThat(send("GET", "/metrics", null, null).statusCode()).as("metrics stay open").isEqualTo(200);
    }

    private void start(final LinkFaultsProxy linkFaultsProxy, final long waitNs, final String token)
    {
        final AdminServer.Context context = new AdminServer.Context().meterRegistry(registry).port(0)
            .services(List.of(new LinkFaultsAdmin(SELF, CORES, linkFaultsProxy, SEED, waitNs)));
        if (null != token)
        {
            context.bindAddress("0.0.0.0").token(token);
        }
        server = AdminServer.launch(context);
    }

    /** A thread standing in for the kernel loop: the only one to touch {@link #linkFaults}. */
    private void runKernelLoop()
    {
        kernelLoop = new Thread(() ->
        {
            while (running.get())
            {
                if (0 == proxy.drain(linkFaults))
                {
                    Thread.onSpinWait();
                }
            }
        }, "kernel-0");
        kernelLoop.setDaemon(true);
        kernelLoop.start();
    }

    private static Map<String, Object> link(final int peer, final String direction, final double drop, final long delayMs)
    {
        return Map.of("peer", (long)peer, "direction", direction, "drop", drop, "delay_ms", delayMs);
    }

    /** The links of an answer, each with only the fields of its rule. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> links(final Map<String, Object> answer)
    {
        return ((List<Map<String, Object>>)answer.get("links")).stream()
            .map(link -> Map.of("peer", link.get("peer"), "direction", link.get("direction"), "drop", link.get("drop"),
                "delay_ms", link.get("delay_ms")))
            .toList();
    }

    private static Map<String, Object> ok(final HttpResponse<String> response)
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestJson.parseObject(response.body());
    }

    private void expectError(final String method, final String path, final String body, final int status,
        final String message) throws Exception
    {
        final HttpResponse<String> response = send(method, path, body, null);
        assertThat(response.statusCode()).as("%s %s %s: %s", method, path, body, response.body()).isEqualTo(status);
        assertThat(TestJson.parseObject(response.body()).get("error").toString()).as("%s %s %s", method, path, body)
            .contains(message);
        assertThat(response.body()).doesNotContain("Exception", "\tat ");
    }

    private HttpResponse<String> send(final String method, final String path, final String body, final String token)
        throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
            .timeout(Duration.ofSeconds(10))
            .method(method, null == body ? HttpRequest.BodyPublishers.noBody() :
                HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (null != token)
        {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
