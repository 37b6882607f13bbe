package io.multikernel.node.replication;

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
import io.multikernel.node.util.TestJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every class of bad request to {@code /kv} and {@code /2pc} gets a 4xx JSON error with one sentence;
 * a kernel loop that does not answer gives a definite "not proposed" (nothing changed), never a guess.
 * No kernel loop runs here: requests that pass validation wait on a proxy nobody drains.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicationAdminTest
{
    private static final long ADMIN_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ReplicationProxy proxy = new ReplicationProxy(2, registry);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer server = AdminServer.launch(new AdminServer.Context()
        .meterRegistry(registry)
        .services(List.of(new ReplicationAdmin(proxy, new int[]{ 0, 1, 2, 3 }, ADMIN_TIMEOUT_NS))));

    @AfterEach
    void stop()
    {
        server.close();
        registry.close();
    }

    @Test
    void badProposalsAreRefusedWithOneSentence() throws Exception
    {
        expectError("POST", "/kv", "", 400, "request body is empty");
        expectError("POST", "/kv", "{not json", 400, "request body is not a JSON object");
        expectError("POST", "/kv", "[1,2]", 400, "request body is not a JSON object");
        expectError("POST", "/kv", "{\"replicas\":\"all\",\"key\":\"k\",\"value\":\"v\"}", 400,
            "replicas must be a non-empty array");
        expectError("POST", "/kv", "{\"replicas\":[],\"key\":\"k\",\"value\":\"v\"}", 400,
            "replicas must be a non-empty array");
        expectError("POST", "/kv", "{\"replicas\":[0,7],\"key\":\"k\",\"value\":\"v\"}", 400,
            "replica 7 is not a core of the cluster map [0, 1, 2, 3]");
        expectError("POST", "/kv", "{\"replicas\":[-1],\"key\":\"k\",\"value\":\"v\"}", 400, "replica -1 is not a core");
        expectError("POST", "/kv", "{\"replicas\":[1.5],\"key\":\"k\",\"value\":\"v\"}", 400, "replica 1.5 is not a core");
        expectError("POST", "/kv", "{\"replicas\":[1,1],\"key\":\"k\",\"value\":\"v\"}", 400,
            "replica 1 is named twice in replicas [1, 1]");
        expectError("POST", "/kv", "{\"value\":\"v\"}", 400, "key must be a string");
        expectError("POST", "/kv", "{\"key\":\"\",\"value\":\"v\"}", 400, "key is empty");
        expectError("POST", "/kv", "{\"key\":\"k\"}", 400, "value must be a string");
        expectError("POST", "/kv", "{\"key\":\"k\",\"value\":3}", 400, "value must be a string");
        expectError("POST", "/kv", "{\"key\":\"k\",\"value\":\"" + "x".repeat(20_000) + "\"}", 400,
            "value of 20000 bytes is longer than 16384 bytes");
        expectError("POST", "/kv", "{\"key\":\"k\",\"op\":\"increment\",\"value\":\"v\"}", 400,
            "op 'increment' is not one of put, put-if-absent, compare-and-set, delete");
        expectError("POST", "/kv", "{\"key\":\"k\",\"delete\":true,\"value\":\"v\"}", 400, "takes no value");
        expectError("POST", "/kv", "{\"key\":\"k\",\"value\":\"v\",\"operations\":[]}", 400,
            "give either key (one operation) or operations, not both");
        expectError("POST", "/kv", "{\"operations\":[]}", 400, "operations must be an array of 1..256 objects");
        expectError("POST", "/kv", "{\"operations\":[\"put k v\"]}", 400, "each operation must be an object");
        // The name service's keys are agreed by every core through name.register, never written here.
        expectError("POST", "/kv", "{\"key\":\"name/svc\",\"value\":\"99\"}", 400,
            "key 'name/svc' is in the name service's keys (name/...)");
        expectError("POST", "/kv", "{\"replicas\":[0],\"key\":\"name/svc\",\"delete\":true}", 400,
            "register names with 'mk name register'");
        expectError("POST", "/kv", "{\"operations\":[{\"key\":\"k\",\"value\":\"v\"},{\"key\":\"name/a\",\"value\":\"1\"}]}",
            400, "is in the name service's keys");
        assertThat(proxy.offerFailures()).isZero();
    }

    @Test
    void badReadsAndDecisionsAreRefused() throws Exception
    {
        expectError("GET", "/kv?limit=-1", null, 400, "limit=-1 is not an integer in 0..10000");
        expectError("GET", "/kv?limit=lots", null, 400, "limit=lots is not an integer");
        expectError("GET", "/kv?everything=1", null, 400, "query parameter 'everything=1' is unknown");
        expectError("GET", "/kv/%E2%82", null, 400, "is not validly URL-encoded");
        // A request target that is not a URI at all is answered 400 by the JDK's server before any handler runs.
        assertThat(raw("GET /kv/%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
            .startsWith("HTTP/1.1 400").doesNotContain("\tat ");
        expectError("POST", "/2pc/decide", "{\"decision\":\"commit\",\"reason\":\"r\"}", 400,
            "transaction is missing or not a string");
        expectError("POST", "/2pc/decide", "{\"transaction\":\"0:1\",\"decision\":\"commit\",\"reason\":\"r\"}", 400,
            "transaction id '0:1' is not core:incarnation:sequence");
        expectError("POST", "/2pc/decide", "{\"transaction\":\"0:1:2\",\"decision\":\"maybe\",\"reason\":\"r\"}", 400,
            "decision 'maybe' is not commit or abort");
        expectError("POST", "/2pc/decide", "{\"transaction\":\"0:1:2\",\"decision\":\"abort\",\"reason\":\" \"}", 400,
            "reason is blank");
        expectError("POST", "/2pc/decide", "{\"transaction\":\"0:1:2\",\"decision\":\"abort\"}", 400,
            "reason is missing or not a string");
        expectError("POST", "/2pc/decide",
            "{\"transaction\":\"0:1:2\",\"decision\":\"abort\",\"reason\":\"r\",\"operator\":5}", 400,
            "operator must be a non-blank string");
    }

    @Test
    void everyClassOfBadBodyIsRefusedWithOneSentenceBeforeTheKernelLoopSeesIt() throws Exception
    {
        final String malformed = "request body has a malformed number at line 1, column ";
        // Unknown fields, at the top and inside an operation.
        expectError("POST", "/kv", "{\"key\":\"k\",\"value\":\"v\",\"ttl\":5}", 400,
            "field 'ttl' is unknown; use replicas, op, key, value, expected, delete or operations");
        expectError("POST", "/kv", "{\"operations\":[{\"key\":\"k\",\"value\":\"v\",\"ttl\":5}]}", 400,
            "field 'ttl' of operations[0] is unknown; use op, key, value, expected or delete");
        expectError("POST", "/2pc/decide", "{\"transaction\":\"0:1:2\",\"decision\":\"abort\",\"reason\":\"r\",\"force\":1}",
            400, "field 'force' is unknown; use transaction, decision, reason or operator");
        // Duplicate keys.
        expectError("POST", "/kv", "{\"key\":\"a\",\"key\":\"b\",\"value\":\"v\"}", 400,
            "field 'key' is given twice at line 1, column 17; give each field once");
        expectError("POST", "/2pc/decide", "{\"transaction\":\"0:1:2\",\"decision\":\"commit\",\"decision\":\"abort\"," +
            "\"reason\":\"r\"}", 400, "field 'decision' is given twice");
        // Trailing data.
        expectError("POST", "/kv", "{\"key\":\"k\",\"value\":\"v\"} {\"key\":\"k\",\"value\":\"w\"}", 400,
            "request body has more after its JSON object at line 1, column 24; send exactly one object");
        expectError("POST", "/2pc/decide", "{\"transaction\":\"0:1:2\",\"decision\":\"abort\",\"reason\":\"r\"}]", 400,
            "request body has more after its JSON object");
        // Malformed numbers.
        expectError("POST", "/kv", "{\"replicas\":[+1],\"key\":\"k\",\"value\":\"v\"}", 400, malformed + "15");
        expectError("POST", "/kv", "{\"replicas\":[01],\"key\":\"k\",\"value\":\"v\"}", 400, malformed + "15");
        expectError("POST", "/kv", "{\"replicas\":[.5],\"key\":\"k\",\"value\":\"v\"}", 400, malformed + "14");
        expectError("POST", "/kv", "{\"replicas\":[NaN],\"key\":\"k\",\"value\":\"v\"}", 400, malformed + "17");
        expectError("POST", "/2pc/decide", "{\"transaction\":\"0:1:2\",\"decision\":\"abort\",\"reason\":\"r\",\"operator\":01}",
            400, "request body has a malformed number");
        // Wrong types: no coercion between strings, numbers and booleans.
        expectError("POST", "/kv", "{\"key\":\"k\",\"delete\":\"yes\"}", 400, "delete must be true or false");
        expectError("POST", "/kv", "{\"key\":\"k\",\"delete\":1}", 400, "delete must be true or false");
        expectError("POST", "/kv", "{\"key\":7,\"value\":\"v\"}", 400, "key must be a string");
        expectError("POST", "/kv", "{\"replicas\":[\"0\"],\"key\":\"k\",\"value\":\"v\"}", 400,
            "replicas must be a non-empty array of core ids, e.g. [0,1,2]");
        expectError("POST", "/kv", "{\"operations\":[{\"op\":1,\"key\":\"k\"}]}", 400,
            "operations[0].op must be one of put, put-if-absent, compare-and-set, delete");
        expectError("POST", "/kv", "{\"operations\":{\"key\":\"k\"}}", 400, "operations must be an array of 1..256 objects");
        expectError("POST", "/2pc/decide", "{\"transaction\":5,\"decision\":\"abort\",\"reason\":\"r\"}", 400,
            "transaction must be a transaction id core:incarnation:sequence, as a string");
        expectError("POST", "/2pc/decide", "{\"transaction\":\"0:1:2\",\"decision\":true,\"reason\":\"r\"}", 400,
            "decision must be commit or abort");
        assertThat(proxy.offerFailures()).isZero();
        assertThat(proxy.offer(ReplicationCommand.query(replication -> "a")) &&
            proxy.offer(ReplicationCommand.query(replication -> "b"))).as("nothing was queued").isTrue();
    }

    @Test
    void keysInPathsAreDecodedStrictly() throws Exception
    {
        assertThat(ReplicationAdmin.decodeKey("some%20key")).isEqualTo("some key");
        assertThat(ReplicationAdmin.decodeKey("a+b")).isEqualTo("a+b");
        assertThat(ReplicationAdmin.decodeKey("%E2%82%AC")).isEqualTo("\u20ac");
    }

    @Test
    void wrongMethodsAndPathsAreRefused() throws Exception
    {
        expectError("PUT", "/kv", "{}", 405, "method PUT is not allowed on /kv; use GET or POST");
        expectError("POST", "/kv/k", "{}", 405, "method POST is not allowed on /kv/k; use GET");
        expectError("POST", "/2pc", "{}", 405, "use GET");
        expectError("GET", "/2pc/decide", null, 405, "use POST");
        expectError("GET", "/2pc/other", null, 404, "no such endpoint; use /kv, /kv/KEY, /2pc or /2pc/decide");
        expectError("GET", "/kvx", null, 404, "no such endpoint");
        expectError("POST", "/kv", "{\"key\":\"" + "k".repeat(70_000) + "\"}", 413, "request body is longer than 65536 bytes");
    }

    @Test
    void aProposalTheKernelLoopNeverTookIsDefinitelyNotProposed() throws Exception
    {
        final HttpResponse<String> response = send("POST", "/kv", "{\"key\":\"k\",\"value\":\"v\"}");
        assertThat(response.statusCode()).isEqualTo(503);
        final Map<String, Object> body = TestJson.parseObject(response.body());
        assertThat(body).containsEntry("outcome", "aborted");
        assertThat(body.get("reason").toString()).contains("not proposed", "within 200 ms", "nothing changed");
        assertThat(body.get("replicas").toString()).isEqualTo("[0, 1, 2, 3]");
    }

    @Test
    void aFullQueueIsCountedAndAnsweredAsNotProposed() throws Exception
    {
        proxy.offer(ReplicationCommand.query(replication -> "a"));
        proxy.offer(ReplicationCommand.query(replication -> "b"));
        final HttpResponse<String> response = send("POST", "/kv", "{\"replicas\":[1],\"key\":\"k\",\"value\":\"v\"}");
        assertThat(response.statusCode()).isEqualTo(503);
        final Map<String, Object> body = TestJson.parseObject(response.body());
        assertThat(body).containsEntry("outcome", "aborted");
        assertThat(body.get("reason").toString()).contains("command queue is full (2 commands)");
        final HttpResponse<String> read = send("GET", "/2pc", null);
        assertThat(read.statusCode()).isEqualTo(503);
        assertThat(read.body()).contains("command queue is full");
        assertThat(proxy.offerFailures()).isEqualTo(2);
    }

    @Test
    void aReadTheKernelLoopDoesNotAnswerTimesOut() throws Exception
    {
        final HttpResponse<String> response = send("GET", "/kv/some%20key", null);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("the kernel loop did not answer within 200 ms");
    }

    @Test
    void withoutTheServiceTheReplicationPathsAreNotServed() throws Exception
    {
        server.close();
        server = AdminServer.launch(new AdminServer.Context().meterRegistry(registry));
        expectError("GET", "/kv", null, 404, "no such endpoint; use /metrics, /health, /status or /skb");
        expectError("POST", "/2pc/decide", "{}", 404, "no such endpoint; use /metrics, /health, /status or /skb");
    }

    private void expectError(final String method, final String path, final String body, final int status,
        final String message) throws Exception
    {
        final HttpResponse<String> response = send(method, path, body);
        assertThat(response.statusCode()).as("%s %s", method, path).isEqualTo(status);
        final Map<String, Object> json = TestJson.parseObject(response.body());
        assertThat(json.get("error").toString()).as("%s %s", method, path).contains(message);
        assertThat(response.body()).doesNotContain("Exception", "\tat ");
    }

    private String raw(final String request) throws Exception
    {
        try (java.net.Socket socket = new java.net.Socket(server.boundAddress().getAddress(), server.port()))
        {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private HttpResponse<String> send(final String method, final String path, final String body) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
            .timeout(Duration.ofSeconds(10))
            .method(method, null == body ? HttpRequest.BodyPublishers.noBody() :
                HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build(), HttpResponse.BodyHandlers.ofString());
    }
}
