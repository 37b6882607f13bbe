package io.multikernel.node.vm;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /domains} of core 0 of an in-process cluster, its kernel loop stood in for by a thread that
 * drains the command queue and delivers the cluster's messages: each operation, its JSON, and every
 * class of bad request.
 */
class VmAdminTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private InProcessVmCluster cluster;
    private ReplicationProxy proxy;
    private ServiceHandler handler;
    private Thread kernelLoop;
    private volatile boolean running = true;
    private long root;
    private long frame;

    @BeforeEach
    void start()
    {
        cluster = new InProcessVmCluster(2, 1, directory);
        root = cluster.vnode(0);
        frame = cluster.frame(0, 2);
        proxy = new ReplicationProxy(16, new SimpleMeterRegistry());
        handler = new VmAdmin(proxy, cluster.core(0), TimeUnit.SECONDS.toNanos(5)).endpoints().get(0).handler();
        kernelLoop = new Thread(() ->
        {
            while (running)
            {
                proxy.drain(null, 16);
                cluster.deliver();
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

    private ServiceResponse post(final String path, final String body) throws ServiceException
    {
        return handler.handle(new ServiceRequest("POST", path, Map.of(), body.getBytes(StandardCharsets.UTF_8)));
    }

    private ServiceResponse get(final String path) throws ServiceException
    {
        return handler.handle(new ServiceRequest("GET", path, Map.of(), new byte[0]));
    }

    private static JsonNode json(final ServiceResponse response) throws Exception
    {
        return JSON.readTree(response.json());
    }

    private JsonNode ok(final String path, final String body) throws Exception
    {
        final ServiceResponse response = post(path, body);
        assertThat(response.status()).as(response.json()).isEqualTo(200);
        return json(response);
    }

    @Test
    void aDomainIsCreatedMappedStoredLoadedListedAndUnmapped() throws Exception
    {
        final JsonNode created = ok("/domains/create", "{\"root\":" + root + ",\"cores\":[0,1]}");
        assertThat(created.get("outcome").asText()).isEqualTo("committed");
        final long domain = created.get("id").asLong();
        final long mapping = ok("/domains/map", "{\"domain\":" + domain + ",\"vaddr\":8192,\"frame\":" + frame +
            ",\"length\":8192,\"rights\":\"read,write\"}").get("id").asLong();
        final String hello = Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.UTF_8));
        assertThat(ok("/domains/store", "{\"domain\":" + domain + ",\"vaddr\":8200,\"base64\":\"" + hello + "\"}")
            .get("length").asInt()).isEqualTo(5);
        assertThat(ok("/domains/load", "{\"domain\":" + domain + ",\"vaddr\":8200,\"length\":5}").get("base64").asText())
            .isEqualTo(hello);

        final JsonNode listing = json(get("/domains"));
        assertThat(listing.get("core").asInt()).isZero();
        assertThat(listing.get("count").asInt()).isEqualTo(1);
        assertThat(listing.get("protocol").asText()).isEqualTo("multicast");
        assertThat(listing.get("tlb").get("misses").asLong()).isPositive();
        final JsonNode one = listing.get("domains").get(0);
        assertThat(one.get("domain").asLong()).isEqualTo(domain);
        assertThat(one.get("root").asLong()).isEqualTo(root);
        assertThat(one.get("cores").toString()).isEqualTo("[0,1]");
        assertThat(one.get("fingerprint").asText()).isEqualTo(cluster.core(1).spaces().fingerprint(domain));
        final JsonNode m = one.get("mappings").get(0);
        assertThat(m.get("mapping").asLong()).isEqualTo(mapping);
        assertThat(m.get("vaddr").asLong()).isEqualTo(8192);
        assertThat(m.get("length").asLong()).isEqualTo(8192);
        assertThat(m.get("frame").asLong()).isEqualTo(frame);
        assertThat(m.get("frame_offset").asLong()).isZero();
        assertThat(m.get("rights").asText()).isEqualTo("read,write");
        assertThat(json(get("/domains/" + domain)).get("version").asLong()).isEqualTo(one.get("version").asLong());

        final JsonNode unmapped = ok("/domains/unmap", "{\"domain\":" + domain + ",\"vaddr\":8192,\"length\":8192," +
            "\"protocol\":\"topo\"}");
        assertThat(unmapped.get("protocol").asText()).isEqualTo("topo");
        assertThat(unmapped.get("shootdown_us").asLong()).isNotNegative();
        final ServiceResponse fault = post("/domains/load", "{\"domain\":" + domain + ",\"vaddr\":8200,\"length\":5}");
        assertThat(fault.status()).isEqualTo(422);
        assertThat(json(fault).get("outcome").asText()).isEqualTo("fault");
        assertThat(json(fault).get("error").asText()).isEqualTo("load at 0x2008: no mapping at 0x2000 in domain " + domain);

        assertThat(ok("/domains/shrink", "{\"domain\":" + domain + ",\"core\":1}").get("outcome").asText())
            .isEqualTo("committed");
        assertThat(ok("/domains/span", "{\"domain\":" + domain + ",\"core\":1}").get("outcome").asText())
            .isEqualTo("committed");
        assertThat(ok("/domains/destroy", "{\"domain\":" + domain + "}").get("outcome").asText()).isEqualTo("committed");
        assertThat(json(get("/domains")).get("count").asInt()).isZero();
    }

    @Test
    void everyClassOfBadRequestIsOneSentence() throws Exception
    {
        assertStatus(() -> post("/domains/launch", "{}"), 404, "no address-space operation 'launch'");
        assertStatus(() -> post("/domains/create", "{\"root\":" + root + "}"), 400, "cores is required");
        assertStatus(() -> post("/domains/create", "{\"cores\":[0]}"), 400, "root is required");
        assertStatus(() -> post("/domains/map", "{\"domain\":5,\"vaddr\":0,\"frame\":1,\"length\":4096," +
            "\"rights\":\"fly\"}"), 400, "fly");
        assertStatus(() -> post("/domains/unmap", "{\"domain\":5,\"vaddr\":0,\"length\":4096,\"protocol\":\"smoke\"}"),
            400, "protocol=smoke is not one of unicast, broadcast, multicast, topo");
        assertStatus(() -> post("/domains/unmap", "{\"domain\":5,\"vaddr\":0,\"length\":4096}"), 404,
            "domain 5 does not exist on core 0");
        assertStatus(() -> post("/domains/store", "{\"domain\":5,\"vaddr\":0,\"base64\":\"!!\"}"), 400,
            "not valid base64");
        assertStatus(() -> post("/domains/load", "{\"domain\":5,\"vaddr\":0}"), 400,
            "a load takes domain, vaddr and length");
        assertStatus(() -> post("/domains/load", "{\"domain\":5,\"vaddr\":0,\"length\":0}"), 400,
            "length 0 is outside 1..");
        assertStatus(() -> post("/domains/load", "{\"domain\":5,\"vaddr\":0,\"length\":8}"), 404,
            "domain 5 does not run on core 0");
        assertStatus(() -> post("/domains/span", "{\"domain\":5}"), 400, "core is required");
        assertStatus(() -> post("/domains/map", "{\"vaddr\":0}"), 400, "domain is required");
        assertStatus(() -> get("/domains/12345"), 404, "domain 12345 does not run on core 0");
        assertStatus(() -> get("/domains/abc"), 404, "'abc' is not a domain id");
        assertStatus(() -> post("/domains/map", "{\"domain\":1,\"colour\":\"red\"}"), 400, "colour");
        assertStatus(() -> post("/domains/map", "not json"), 400, "");
        assertStatus(() -> handler.handle(new ServiceRequest("GET", "/domains", Map.of("x", "1"), new byte[0])), 400,
            "takes no parameters");
        assertStatus(() -> handler.handle(new ServiceRequest("POST", "/domains", Map.of(), new byte[0])), 405, "");
        assertThat(json(get("/domains")).get("count").asInt()).as("nothing was made").isZero();
    }

    /** A request that answers or throws. */
    @FunctionalInterface
    private interface Call
    {
        ServiceResponse call() throws Exception;
    }

    private static void assertStatus(final Call request, final int status, final String error) throws Exception
    {
        int actual;
        String message;
        try
        {
            final ServiceResponse response = request.call();
            actual = response.status();
            message = json(response).get("error").asText();
        }
        catch (final ServiceException ex)
        {
            actual = ex.status();
            message = ex.getMessage();
        }
        assertThat(actual).as(message).isEqualTo(status);
        assertThat(message).contains(error);
    }
}
