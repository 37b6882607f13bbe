package io.multikernel.node.caps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.node.replication.ReplicationProxy;
import io.multikernel.node.service.ServiceException;
import io.multikernel.node.service.ServiceHandler;
import io.multikernel.node.service.ServiceRequest;
import io.multikernel.node.service.ServiceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.multikernel.node.caps.InProcessCapabilityCluster.PAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code /caps} of core 0 of an in-process cluster, its kernel loop stood in for by a thread that
 * drains the command queue and decides proposals: each operation, its JSON, and every class of bad
 * request answered with one sentence and nothing changed.
 */
class CapabilityAdminTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private InProcessCapabilityCluster cluster;
    private ReplicationProxy proxy;
    private ServiceHandler handler;
    private Thread kernelLoop;
    private volatile boolean running = true;

    @BeforeEach
    void start()
    {
        cluster = new InProcessCapabilityCluster(3, directory.resolve("host-0.memory"));
        proxy = new ReplicationProxy(16, new SimpleMeterRegistry());
        handler = new CapabilityAdmin(proxy, cluster.core(0), TimeUnit.SECONDS.toNanos(5)).endpoints().get(0).handler();
        kernelLoop = new Thread(() ->
        {
            while (running)
            {
                proxy.drain(null, 16);
                cluster.deliver();
                Thread.onSpinWait();
            }
        }, "caps-test-kernel-loop");
        kernelLoop.start();
    }

    @AfterEach
    void stop() throws InterruptedException
    {
        running = false;
        kernelLoop.join();
        cluster.close();
    }

    private ServiceResponse post(final String path, final String body) throws ServiceException
    {
        return handler.handle(new ServiceRequest("POST", path, Map.of(), body.getBytes(StandardCharsets.UTF_8)));
    }

    private ServiceResponse get(final String path, final Map<String, String> parameters) throws ServiceException
    {
        return handler.handle(new ServiceRequest("GET", path, parameters, new byte[0]));
    }

    private static JsonNode json(final ServiceResponse response) throws Exception
    {
        return JSON.readTree(response.json());
    }

    private long committed(final String path, final String body) throws Exception
    {
        final ServiceResponse response = post(path, body);
        final JsonNode answer = json(response);
        assertThat(response.status()).as(response.json()).isEqualTo(200);
        assertThat(answer.get("outcome").asText()).isEqualTo("committed");
        return answer.get("caps").size() > 0 ? answer.get("caps").get(0).asLong() : 0;
    }

    @Test
    void operationsAnswerTheCapabilitiesTheyMadeAndTheListingShowsThem() throws Exception
    {
        final long ram = committed("/caps/alloc", "{\"bytes\":65536}");
        final long frame = committed("/caps/retype", "{\"cap\":" + ram + ",\"type\":\"frame\",\"size\":4096,\"count\":2}");
        final long copy = committed("/caps/copy", "{\"cap\":" + frame + ",\"to\":1}");
        final long minted = committed("/caps/mint", "{\"cap\":" + frame + ",\"rights\":\"read\"}");

        final JsonNode listing = json(get("/caps", Map.of()));
        assertThat(listing.get("core").asInt()).isZero();
        assertThat(listing.get("count").asInt()).isEqualTo(5);
        assertThat(listing.get("fingerprint").asText()).isEqualTo(cluster.core(1).database().fingerprint());
        assertThat(listing.get("memory").get("used").asLong()).isEqualTo(65536);
        assertThat(listing.get("memory").get("free").asLong()).isEqualTo(InProcessCapabilityCluster.SERVER_BYTES - 65536);
        final JsonNode first = listing.get("capabilities").get(0);
        assertThat(first.get("cap").asLong()).isEqualTo(ram);
        assertThat(first.get("type").asText()).isEqualTo("ram");
        assertThat(first.get("rights").asText()).isEqualTo("read,write,execute,grant,identify");
        assertThat(first.get("children").asInt()).isEqualTo(2);

        final JsonNode held = json(get("/caps", Map.of("holder", "1")));
        assertThat(held.get("capabilities")).hasSize(1);
        assertThat(held.get("capabilities").get(0).get("cap").asLong()).isEqualTo(copy);
        assertThat(json(get("/caps", Map.of("limit", "2"))).get("truncated").asBoolean()).isTrue();

        final JsonNode one = json(get("/caps/" + minted, Map.of()));
        assertThat(one.get("rights").asText()).isEqualTo("read");
        assertThat(one.get("copies").asInt()).isEqualTo(3);
        final JsonNode identified = json(post("/caps/identify", "{\"cap\":" + frame + "}"));
        assertThat(identified.get("type").asText()).isEqualTo("frame");
        assertThat(identified.get("length").asLong()).isEqualTo(PAGE);

        committed("/caps/revoke", "{\"cap\":" + ram + "}");
        assertThat(json(get("/caps", Map.of())).get("count").asInt()).isEqualTo(1);
        committed("/caps/delete", "{\"cap\":" + ram + "}");
        final JsonNode empty = json(get("/caps", Map.of()));
        assertThat(empty.get("count").asInt()).isZero();
        assertThat(empty.get("memory").get("returned").asLong()).isEqualTo(65536);
    }

    @Test
    void frameBytesGoInAndOutAsBase64() throws Exception
    {
        final long ram = committed("/caps/alloc", "{\"bytes\":8192}");
        final long frame = committed("/caps/retype", "{\"cap\":" + ram + ",\"type\":\"frame\",\"size\":8192}");
        final String hello = Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8));

        final ServiceResponse written = post("/caps/write", "{\"cap\":" + frame + ",\"offset\":4000,\"base64\":\"" + hello + "\"}");
        assertThat(written.status()).isEqualTo(200);
        assertThat(json(written).get("length").asInt()).isEqualTo(5);
        final JsonNode read = json(post("/caps/read", "{\"cap\":" + frame + ",\"offset\":4000,\"length\":5}"));
        assertThat(read.get("base64").asText()).isEqualTo(hello);

        final ServiceResponse outside = post("/caps/read", "{\"cap\":" + frame + ",\"offset\":8190,\"length\":5}");
        assertThat(outside.status()).isEqualTo(400);
        assertThat(json(outside).get("error").asText()).contains("outside frame");
    }

    @Test
    void refusalsCarryTheirStatusAndOneSentence() throws Exception
    {
        final long ram = committed("/caps/alloc", "{\"bytes\":16384}");
        committed("/caps/retype", "{\"cap\":" + ram + ",\"type\":\"frame\",\"size\":4096}");
        final String fingerprint = cluster.core(0).database().fingerprint();

        expectRefusal(post("/caps/retype", "{\"cap\":" + ram + ",\"type\":\"frame\",\"size\":4096}"), 409, "conflict",
            "revoke first");
        expectRefusal(post("/caps/delete", "{\"cap\":" + ram + "}"), 409, "conflict", "revoke first");
        expectRefusal(post("/caps/revoke", "{\"cap\":77}"), 404, "not_found", "capability 77 does not exist");
        expectRefusal(post("/caps/retype", "{\"cap\":" + ram + ",\"type\":\"vnode\",\"size\":8192,\"offset\":8192}"), 400,
            "invalid", "a VNODE is exactly 4096 bytes, not 8192");
        expectRefusal(post("/caps/alloc", "{\"bytes\":1073741824}"), 409, "conflict", "no free run");
        assertThat(cluster.core(0).database().fingerprint()).isEqualTo(fingerprint);
    }

    private static void expectRefusal(final ServiceResponse response, final int status, final String outcome,
        final String sentence) throws Exception
    {
        assertThat(response.status()).as(response.json()).isEqualTo(status);
        final JsonNode answer = JSON.readTree(response.json());
        assertThat(answer.get("outcome").asText()).isEqualTo(outcome);
        assertThat(answer.get("error").asText()).contains(sentence).doesNotContain("\n");
        assertThat(answer.get("caps")).isEmpty();
    }

    @Test
    void badRequestsAreRefusedBeforeTheKernelLoopSeesThem()
    {
        badRequest(() -> post("/caps/alloc", "{}"), 400, "bytes is required");
        badRequest(() -> post("/caps/alloc", "{\"bytes\":\"4096\"}"), 400, "");
        badRequest(() -> post("/caps/alloc", "{\"bytes\":4096,\"extra\":1}"), 400, "");
        badRequest(() -> post("/caps/retype", "{\"cap\":1,\"type\":\"mapping\",\"size\":4096}"), 400,
            "is not one of ram, frame, cnode, vnode");
        badRequest(() -> post("/caps/retype", "{\"cap\":1,\"type\":\"frame\"}"), 400, "size is required");
        badRequest(() -> post("/caps/copy", "{\"cap\":1}"), 400, "to is required");
        badRequest(() -> post("/caps/copy", "{\"cap\":1,\"to\":1,\"rights\":\"read\"}"), 400, "use /caps/mint");
        badRequest(() -> post("/caps/mint", "{\"cap\":1,\"to\":1}"), 400, "rights is required");
        badRequest(() -> post("/caps/mint", "{\"cap\":1,\"to\":1,\"rights\":\"fly\"}"), 400, "right 'fly' is unknown");
        badRequest(() -> post("/caps/revoke", "{}"), 400, "cap is required");
        badRequest(() -> post("/caps/read", "{\"cap\":1,\"length\":70000}"), 400, "is outside 0..32768");
        badRequest(() -> post("/caps/write", "{\"cap\":1,\"base64\":\"!!\"}"), 400, "not valid base64");
        badRequest(() -> post("/caps/fly", "{}"), 404, "no capability operation 'fly'");
        badRequest(() -> get("/caps/abc", Map.of()), 404, "is not a capability id");
        badRequest(() -> get("/caps/12345", Map.of()), 404, "does not exist in core 0's replica");
        badRequest(() -> get("/caps", Map.of("limit", "-1")), 400, "limit='-1' is not a whole number");
        badRequest(() -> get("/caps", Map.of("color", "red")), 400, "unknown parameter 'color'");
        badRequest(() -> post("/caps", "{}"), 405, "");
    }

    private static void badRequest(final Request request, final int status, final String sentence)
    {
        assertThatThrownBy(request::send)
            .isInstanceOf(ServiceException.class)
            .hasMessageContaining(sentence)
            .satisfies(ex -> assertThat(((ServiceException)ex).status()).isEqualTo(status));
    }

    @FunctionalInterface
    private interface Request
    {
        ServiceResponse send() throws ServiceException;
    }

    @Test
    void aWriteToAnotherHostsFrameThatIsSentButNotAnsweredInTimeIsIndefiniteAndAReadUnavailable() throws Exception
    {
        final InProcessCapabilityCluster hosts = new InProcessCapabilityCluster(2, 2,
            java.nio.file.Files.createDirectories(directory.resolve("two-hosts")));
        try
        {
            final long ram = hosts.run(cb -> hosts.core(0).allocate(4 * PAGE, cb)).capIds().get(0);
            final long frame0 = hosts.run(cb -> hosts.core(0).retype(ram, CapabilityType.FRAME, 0, PAGE, 1, cb))
                .capIds().get(0);
            final long frame = hosts.run(cb -> hosts.core(0).copy(frame0, 1, cb)).capIds().get(0);
            final ReplicationProxy coreOneProxy = new ReplicationProxy(16, new SimpleMeterRegistry());
            final ServiceHandler coreOne = new CapabilityAdmin(coreOneProxy, hosts.core(1),
                TimeUnit.MILLISECONDS.toNanos(200)).endpoints().get(0).handler();
            final String write = "{\"cap\":" + frame + ",\"base64\":\"" +
                Base64.getEncoder().encodeToString("secret".getBytes(StandardCharsets.UTF_8)) + "\"}";

            // Core 1's kernel loop takes each request and sends it to host 0, which answers only later.
            final ServiceResponse written = whileTakenNotAnswered(coreOneProxy, () -> coreOne.handle(
                new ServiceRequest("POST", "/caps/write", Map.of(), write.getBytes(StandardCharsets.UTF_8))));
            assertThat(written.status()).isEqualTo(504);
            assertThat(json(written).get("outcome").asText()).isEqualTo("indefinite");
            assertThat(json(written).get("error").asText()).contains("it may have been written");

            final ServiceResponse read = whileTakenNotAnswered(coreOneProxy, () -> coreOne.handle(
                new ServiceRequest("POST", "/caps/read", Map.of(), ("{\"cap\":" + frame + ",\"length\":6}")
                    .getBytes(StandardCharsets.UTF_8))));
            assertThat(read.status()).isEqualTo(503);
            assertThat(json(read).get("error").asText()).contains("nothing changed");

            hosts.deliver();
            hosts.deliver();
            final KernelObject object = hosts.core(0).database().object(
                hosts.core(0).database().capability(frame0).objectId());
            final org.agrona.concurrent.UnsafeBuffer bytes = new org.agrona.concurrent.UnsafeBuffer(new byte[6]);
            hosts.memories.get(0).load(object.base(), bytes, 0, 6);
            assertThat(new String(bytes.byteArray(), StandardCharsets.UTF_8)).as("the indefinite write landed")
                .isEqualTo("secret");
        }
        finally
        {
            hosts.close();
        }
    }

    /** A request answered while a stand-in kernel loop takes commands but delivers no frame answers. */
    private static ServiceResponse whileTakenNotAnswered(final ReplicationProxy proxy,
        final java.util.concurrent.Callable<ServiceResponse> request) throws Exception
    {
        final java.util.concurrent.atomic.AtomicBoolean taking = new java.util.concurrent.atomic.AtomicBoolean(true);
        final Thread loop = new Thread(() ->
        {
            while (taking.get())
            {
                proxy.drain(null, 16);
                Thread.onSpinWait();
            }
        }, "caps-test-taking-loop");
        loop.start();
        try
        {
            return request.call();
        }
        finally
        {
            taking.set(false);
            loop.join();
        }
    }
}
