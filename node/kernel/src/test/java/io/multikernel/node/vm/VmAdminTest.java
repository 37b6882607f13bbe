package io.multikernel.node.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.node.replication.ReplicationCommand;
import io.multikernel.node.replication.ReplicationProxy;
import io.multikernel.node.service.ServiceException;
import io.multikernel.node.service.ServiceHandler;
import io.multikernel.node.service.ServiceRequest;
import io.multikernel.node.service.ServiceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static io.multikernel.node.vm.InProcessVmCluster.PAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code /domains} of core 0 of a three-core in-process cluster, its kernel loop stood in for by a
 * thread that drains the command queue and delivers the cluster's messages: each operation and its
 * JSON, refusals with their status and one sentence, a change answered indefinite when its shootdown
 * does not finish in time, and every class of bad request refused before the kernel loop sees it.
 */
@Timeout(60)
class VmAdminTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long VA = 0x40_0000L;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    @TempDir
    Path directory;

    private InProcessVmCluster cluster;
    private ReplicationProxy proxy;
    private ServiceHandler handler;
    private Thread kernelLoop;
    private volatile boolean running = true;
    /** Messages the stand-in kernel loop holds back while this matches them. */
    private volatile Predicate<InProcessVmCluster.Message> hold = message -> false;

    @BeforeEach
    void start()
    {
        cluster = new InProcessVmCluster(3, 1, directory);
        proxy = new ReplicationProxy(16, new SimpleMeterRegistry());
        handler = handler(TIMEOUT_NS);
        kernelLoop = new Thread(() ->
        {
            while (running)
            {
                // One command at a time: the cluster prepares a proposal on every participant at once,
                // so the commits of the one before must be delivered first, as FIFO channels would.
                proxy.drain(null, 1);
                cluster.deliver(hold);
                Thread.onSpinWait();
            }
        }, "vm-test-kernel-loop");
        kernelLoop.start();
    }

    @AfterEach
    void stop() throws InterruptedException
    {
        running = false;
        kernelLoop.join();
        cluster.close();
    }

    private ServiceHandler handler(final long timeoutNs)
    {
        return new VmAdmin(proxy, cluster.core(0), timeoutNs).endpoints().get(0).handler();
    }

    /** Runs {@code action} on the stand-in kernel loop, where the cluster may be touched. */
    private <T> T onLoop(final Supplier<T> action) throws Exception
    {
        return proxy.call(ReplicationCommand.query(replication -> action.get()), TIMEOUT_NS);
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

    private JsonNode committed(final String path, final String body) throws Exception
    {
        final ServiceResponse response = post(path, body);
        final JsonNode answer = json(response);
        assertThat(response.status()).as(response.json()).isEqualTo(200);
        assertThat(answer.get("core").asInt()).isZero();
        assertThat(answer.get("outcome").asText()).isEqualTo("committed");
        assertThat(answer.get("transaction").asText()).matches("\\d+:\\d+:\\d+");
        assertThat(answer.has("error")).isFalse();
        return answer;
    }

    private long domain(final String cores) throws Exception
    {
        final long root = onLoop(() -> cluster.vnode(0));
        final JsonNode created = committed("/domains/create", "{\"root\":" + root + ",\"cores\":" + cores + "}");
        assertThat(created.has("protocol")).as("a create needs no shootdown").isFalse();
        return created.get("id").asLong();
    }

    private static String base64(final String text)
    {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void createAndMapAreListedWithTheReplicasFingerprintAndTheTlb() throws Exception
    {
        final long domain = domain("[1,0]");
        final long frame = onLoop(() -> cluster.frame(0, 4));
        final JsonNode mapped = committed("/domains/map", "{\"domain\":" + domain + ",\"vaddr\":" + VA + ",\"frame\":" +
            frame + ",\"offset\":" + PAGE + ",\"length\":" + 2 * PAGE + ",\"rights\":\"write,read\"}");
        final long mapping = mapped.get("id").asLong();
        assertThat(mapped.has("shootdown_us")).isFalse();

        final JsonNode listing = json(get("/domains", Map.of()));
        assertThat(listing.get("core").asInt()).isZero();
        assertThat(listing.get("count").asInt()).isEqualTo(1);
        assertThat(listing.get("protocol").asText()).isEqualTo("multicast");
        assertThat(listing.get("tlb").fieldNames()).toIterable()
            .containsExactly("entries", "hits", "misses", "invalidations");
        final JsonNode one = listing.get("domains").get(0);
        assertThat(one.fieldNames()).toIterable()
            .containsExactly("domain", "root", "cores", "version", "fingerprint", "mappings", "leaves");
        assertThat(one.get("domain").asLong()).isEqualTo(domain);
        assertThat(one.get("cores").toString()).isEqualTo("[0,1]");
        assertThat(one.get("version").asLong()).isPositive();
        assertThat(one.get("fingerprint").asText()).isEqualTo(onLoop(() -> cluster.fingerprint(domain)));
        assertThat(one.get("mappings").get(0).toString()).isEqualTo("{\"mapping\":" + mapping + ",\"vaddr\":" + VA +
            ",\"length\":" + 2 * PAGE + ",\"frame\":" + frame + ",\"frame_offset\":" + PAGE + ",\"rights\":\"read,write\"}");
        final long leafVnode = onLoop(() -> cluster.capabilities.get(0).database().leafTables(domain).get(2L).vnodeCapId());
        assertThat(one.get("leaves").toString()).as("VA's leaf page table, made by the map")
            .isEqualTo("[{\"leaf\":2,\"vaddr\":" + VA + ",\"vnode\":" + leafVnode + ",\"pages\":2}]");

        assertThat(json(get("/domains/" + domain, Map.of()))).isEqualTo(one);
        assertThat(onLoop(() -> cluster.core(2).spaces().domain(domain))).as("core 2 does not run it").isNull();
    }

    @Test
    void storedBytesAreLoadedAndAnUnmappedAddressFaults() throws Exception
    {
        final long domain = domain("[0,1,2]");
        final long frame = onLoop(() -> cluster.frame(0, 1));
        committed("/domains/map", "{\"domain\":" + domain + ",\"vaddr\":" + VA + ",\"frame\":" + frame + ",\"length\":" +
            PAGE + ",\"rights\":\"read,write\"}");

        final ServiceResponse stored = post("/domains/store", "{\"domain\":" + domain + ",\"vaddr\":" + (VA + 8) +
            ",\"base64\":\"" + base64("hello") + "\"}");
        assertThat(stored.status()).as(stored.json()).isEqualTo(200);
        assertThat(stored.json()).isEqualTo("{\"core\":0,\"domain\":" + domain + ",\"vaddr\":" + (VA + 8) + ",\"length\":5}");
        final ServiceResponse loaded = post("/domains/load", "{\"domain\":" + domain + ",\"vaddr\":" + (VA + 8) +
            ",\"length\":5}");
        assertThat(loaded.json()).isEqualTo("{\"core\":0,\"domain\":" + domain + ",\"vaddr\":" + (VA + 8) +
            ",\"length\":5,\"base64\":\"" + base64("hello") + "\"}");
        assertThat(json(get("/domains", Map.of())).get("tlb").get("entries").asInt()).isPositive();

        final ServiceResponse fault = post("/domains/load", "{\"domain\":" + domain + ",\"vaddr\":" + (VA + PAGE) +
            ",\"length\":4}");
        assertThat(fault.status()).isEqualTo(422);
        assertThat(json(fault).get("outcome").asText()).isEqualTo("fault");
        assertThat(json(fault).get("error").asText()).isEqualTo("load at 0x401000: no mapping at 0x401000 in domain " +
            domain);

        final ServiceResponse readOnly = post("/domains/protect", "{\"domain\":" + domain + ",\"vaddr\":" + VA +
            ",\"length\":" + PAGE + ",\"rights\":\"read\"}");
        assertThat(readOnly.status()).isEqualTo(200);
        final ServiceResponse denied = post("/domains/store", "{\"domain\":" + domain + ",\"vaddr\":" + VA +
            ",\"base64\":\"AA==\"}");
        assertThat(denied.status()).isEqualTo(422);
        assertThat(json(denied).get("error").asText()).contains("allows read, not write");
    }

    @Test
    void changesThatTakeATranslationAwayAnswerTheirShootdown() throws Exception
    {
        final long domain = domain("[0,1]");
        final long frame = onLoop(() -> cluster.frame(0, 2));
        committed("/domains/map", "{\"domain\":" + domain + ",\"vaddr\":" + VA + ",\"frame\":" + frame + ",\"length\":" +
            2 * PAGE + ",\"rights\":\"read,write\"}");

        final JsonNode protect = committed("/domains/protect", "{\"domain\":" + domain + ",\"vaddr\":" + VA +
            ",\"length\":" + 2 * PAGE + ",\"rights\":\"read\",\"protocol\":\"unicast\"}");
        assertThat(protect.get("protocol").asText()).isEqualTo("unicast");
        assertThat(protect.get("shootdown_us").asLong()).isNotNegative();
        assertThat(protect.has("id")).isFalse();

        committed("/domains/span", "{\"domain\":" + domain + ",\"core\":2}");
        assertThat(onLoop(() -> cluster.fingerprint(domain))).isNotNull();
        assertThat(onLoop(() -> cluster.core(2).spaces().domain(domain))).isNotNull();
        assertThat(committed("/domains/shrink", "{\"domain\":" + domain + ",\"core\":2,\"protocol\":\"TOPO\"}")
            .get("protocol").asText()).isEqualTo("topo");
        assertThat(onLoop(() -> cluster.core(2).spaces().domain(domain))).isNull();

        final JsonNode unmap = committed("/domains/unmap", "{\"domain\":" + domain + ",\"vaddr\":" + VA + ",\"length\":" +
            2 * PAGE + "}");
        assertThat(unmap.get("protocol").asText()).as("the core's default").isEqualTo("multicast");
        assertThat(unmap.has("shootdown_us")).isTrue();
        assertThat(json(get("/domains/" + domain, Map.of())).get("mappings")).isEmpty();

        assertThat(committed("/domains/destroy", "{\"domain\":" + domain + ",\"protocol\":\"broadcast\"}")
            .get("protocol").asText()).isEqualTo("broadcast");
        assertThat(json(get("/domains", Map.of())).get("count").asInt()).isZero();
        badRequest(() -> get("/domains/" + domain, Map.of()), 404, "domain " + domain + " does not run on core 0; " +
            "GET /domains lists the domains it runs");
    }

    @Test
    void refusalsCarryTheirStatusAndOneSentence() throws Exception
    {
        final long domain = domain("[0,1]");
        final long frame = onLoop(() -> cluster.frame(0, 1));
        final String fingerprint = onLoop(() -> cluster.fingerprint(domain));

        expectRefusal(post("/domains/map", "{\"domain\":" + domain + ",\"vaddr\":100,\"frame\":" + frame +
            ",\"length\":4096,\"rights\":\"read\"}"), 400, "invalid", "virtual address 0x64 is not a multiple of the page size");
        expectRefusal(post("/domains/map", "{\"domain\":" + domain + ",\"vaddr\":" + VA + ",\"frame\":" + frame +
            ",\"length\":" + 2 * PAGE + ",\"rights\":\"read\"}"), 400, "invalid", "");
        expectRefusal(post("/domains/unmap", "{\"domain\":77,\"vaddr\":" + VA + ",\"length\":4096}"), 404, "not_found",
            "77");
        expectRefusal(post("/domains/create", "{\"root\":" + frame + ",\"cores\":[1,2]}"), 400, "invalid",
            "core 0 creates only domains it runs itself");
        expectRefusal(post("/domains/load", "{\"domain\":77,\"vaddr\":0,\"length\":1}"), 404, "not_found",
            "domain 77 does not run on core 0");
        assertThat(onLoop(() -> cluster.fingerprint(domain))).isEqualTo(fingerprint);
    }

    private static void expectRefusal(final ServiceResponse response, final int status, final String outcome,
        final String sentence) throws Exception
    {
        assertThat(response.status()).as(response.json()).isEqualTo(status);
        final JsonNode answer = JSON.readTree(response.json());
        assertThat(answer.get("outcome").asText()).isEqualTo(outcome);
        assertThat(answer.get("error").asText()).contains(sentence).doesNotContain("\n");
        assertThat(answer.has("id")).isFalse();
    }

    @Test
    void aShootdownThatDoesNotFinishInTimeIsIndefiniteAndAQueueNobodyDrainsIsUnavailable() throws Exception
    {
        final long domain = domain("[0,1]");
        final long frame = onLoop(() -> cluster.frame(0, 1));
        committed("/domains/map", "{\"domain\":" + domain + ",\"vaddr\":" + VA + ",\"frame\":" + frame + ",\"length\":" +
            PAGE + ",\"rights\":\"read,write\"}");

        hold = message -> "shootdown".equals(message.kind());
        final ServiceResponse unmap = new VmAdmin(proxy, cluster.core(0), TimeUnit.MILLISECONDS.toNanos(200)).endpoints()
            .get(0).handler().handle(new ServiceRequest("POST", "/domains/unmap", Map.of(),
                ("{\"domain\":" + domain + ",\"vaddr\":" + VA + ",\"length\":" + PAGE + "}").getBytes(StandardCharsets.UTF_8)));
        assertThat(unmap.status()).as(unmap.json()).isEqualTo(504);
        assertThat(json(unmap).get("outcome").asText()).isEqualTo("indefinite");
        assertThat(json(unmap).get("error").asText())
            .isEqualTo("no outcome within 200 ms; it may have committed: read /domains before retrying");
        hold = message -> false;
        onLoop(() ->
        {
            cluster.release();
            cluster.deliver();
            return null;
        });
        assertThat(json(get("/domains/" + domain, Map.of())).get("mappings")).as("it had committed").isEmpty();

        final ReplicationProxy undrained = new ReplicationProxy(4, new SimpleMeterRegistry());
        final ServiceResponse unavailable = new VmAdmin(undrained, cluster.core(0), TimeUnit.MILLISECONDS.toNanos(50))
            .endpoints().get(0).handler().handle(new ServiceRequest("POST", "/domains/destroy", Map.of(),
                ("{\"domain\":" + domain + "}").getBytes(StandardCharsets.UTF_8)));
        expectRefusal(unavailable, 503, "unavailable", "not proposed: the kernel loop did not take the request within 50 ms");
    }

    @Test
    void badRequestsAreRefusedBeforeTheKernelLoopSeesThem()
    {
        badRequest(() -> post("/domains/fly", "{}"), 404, "no address-space operation 'fly'; use create, map, unmap");
        badRequest(() -> post("/domains/create", "{\"cores\":[0]}"), 400, "root is required");
        badRequest(() -> post("/domains/create", "{\"root\":5}"), 400, "cores is required");
        badRequest(() -> post("/domains/create", "{\"root\":5,\"cores\":[]}"), 400, "cores is required");
        badRequest(() -> post("/domains/create", "{\"root\":5,\"cores\":[0,-1]}"), 400, "cores[1]=-1 is not a core id");
        badRequest(() -> post("/domains/create", "{\"root\":5,\"cores\":\"0,1\"}"), 400,
            "cores must be a non-empty array of core ids");
        badRequest(() -> post("/domains/map", "{\"domain\":1,\"vaddr\":0,\"frame\":2,\"length\":4096}"), 400,
            "rights is required");
        badRequest(() -> post("/domains/map", "{\"domain\":1,\"vaddr\":0,\"frame\":2,\"rights\":\"read\"}"), 400,
            "length is required");
        badRequest(() -> post("/domains/map", "{\"vaddr\":0,\"frame\":2,\"length\":4096,\"rights\":\"read\"}"), 400,
            "domain is required");
        badRequest(() -> post("/domains/map", "{\"domain\":1,\"frame\":2,\"length\":4096,\"rights\":\"read\"}"), 400,
            "vaddr is required");
        badRequest(() -> post("/domains/map", "{\"domain\":1,\"vaddr\":0,\"length\":4096,\"rights\":\"read\"}"), 400,
            "frame is required");
        badRequest(() -> post("/domains/map", "{\"domain\":1,\"vaddr\":0,\"frame\":2,\"length\":4096,\"rights\":\"fly\"}"),
            400, "right 'fly' is unknown");
        badRequest(() -> post("/domains/map", "{\"domain\":1,\"vaddr\":\"0x1000\",\"frame\":2,\"length\":4096," +
            "\"rights\":\"read\"}"), 400, "vaddr must be a whole number");
        badRequest(() -> post("/domains/unmap", "{\"domain\":1,\"vaddr\":0,\"length\":4096,\"protocol\":\"smoke\"}"), 400,
            "protocol 'smoke' is not one of unicast, broadcast, multicast, topo");
        badRequest(() -> post("/domains/unmap", "{\"domain\":1,\"vaddr\":0,\"length\":4096,\"rights\":\"read\"}"), 400,
            "field 'rights' is unknown; use domain, vaddr, length or protocol");
        badRequest(() -> post("/domains/protect", "{\"domain\":1,\"vaddr\":0,\"length\":4096}"), 400, "rights is required");
        badRequest(() -> post("/domains/span", "{\"domain\":1}"), 400, "core is required");
        badRequest(() -> post("/domains/shrink", "{\"domain\":1,\"core\":-2}"), 400, "core=-2 is not a core id");
        badRequest(() -> post("/domains/destroy", "{\"protocol\":\"topo\"}"), 400, "domain is required");
        badRequest(() -> post("/domains/load", "{\"domain\":1,\"vaddr\":0}"), 400, "length=null is not 1..32768");
        badRequest(() -> post("/domains/load", "{\"domain\":1,\"vaddr\":0,\"length\":40000}"), 400,
            "length=40000 is not 1..32768");
        badRequest(() -> post("/domains/store", "{\"domain\":1,\"vaddr\":0}"), 400, "base64 is required");
        badRequest(() -> post("/domains/store", "{\"domain\":1,\"vaddr\":0,\"base64\":\"!!\"}"), 400, "not valid base64");
        badRequest(() -> post("/domains/store", "{\"domain\":1,\"vaddr\":0,\"base64\":\"\"}"), 400,
            "base64 holds 0 bytes; one store moves 1..32768");
        badRequest(() -> post("/domains/create", "not json"), 400, "request body is not a JSON object");
        badRequest(() -> get("/domains/abc", Map.of()), 404, "'abc' is not a domain id");
        badRequest(() -> get("/domains/-3", Map.of()), 404, "'-3' is not a domain id");
        badRequest(() -> get("/domains/12345", Map.of()), 404, "domain 12345 does not run on core 0");
        badRequest(() -> get("/domains", Map.of("limit", "5")), 400, "unknown parameter 'limit'; /domains takes no " +
            "parameters");
        badRequest(() -> post("/domains", "{}"), 405, "method POST is not allowed on /domains; use GET");
        badRequest(() -> get("/domains/map", Map.of()), 405, "method GET is not allowed on /domains/map; use POST");
    }

    private static void badRequest(final Request request, final int status, final String sentence)
    {
        assertThatThrownBy(request::send)
            .isInstanceOf(ServiceException.class)
            .hasMessageContaining(sentence)
            .satisfies(ex -> assertThat(((ServiceException)ex).status()).isEqualTo(status))
            .satisfies(ex -> assertThat(ex.getMessage()).doesNotContain("\n"));
    }

    @FunctionalInterface
    private interface Request
    {
        ServiceResponse send() throws ServiceException;
    }
}
