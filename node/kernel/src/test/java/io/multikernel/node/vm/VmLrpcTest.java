package io.multikernel.node.vm;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.node.caps.CapabilityLrpc;
import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.lrpc.LrpcChannel;
import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.lrpc.LrpcLayout;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.lrpc.LrpcServer;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.node.skb.RoutingProtocol;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.multikernel.node.vm.InProcessVmCluster.PAGE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An app on core 0 of an in-process cluster, through the core's LRPC channel and {@link VmClient}:
 * builds a domain from capabilities, maps, stores, loads, unmaps (after which it faults), and every
 * class of malformed request.
 */
class VmLrpcTest
{
    private static final long VA = 0x10_0000L;

    @TempDir
    Path directory;

    private InProcessVmCluster cluster;
    private LrpcServer server;
    private LrpcClient client;
    private VmClient app;

    @BeforeEach
    void attach()
    {
        cluster = new InProcessVmCluster(2, 1, directory);
        final LrpcChannel channel = LrpcChannel.createInMemory(LrpcLayout.of(2, 256 * 1024, 16 * 1024, 64), 0, 7,
            ProcessHandle.current().pid(), System.currentTimeMillis());
        server = new LrpcServer(new LrpcServer.Context().channel(channel).meterRegistry(new SimpleMeterRegistry()));
        CapabilityLrpc.register(server, cluster.capabilities.get(0));
        VmLrpc.register(server, cluster.core(0));
        client = LrpcClient.attach(new LrpcClient.Context().channel(channel)
            .callTimeoutNs(TimeUnit.SECONDS.toNanos(5)).idleStrategy(new IdleStrategy()
            {
                public void idle(final int workCount)
                {
                    idle();
                }

                public void idle()
                {
                    server.doWork();
                    cluster.deliver();
                }

                public void reset()
                {
                }
            }));
        app = new VmClient(client);
    }

    @AfterEach
    void close()
    {
        client.close();
        server.close();
        cluster.close();
    }

    @Test
    void anAppBuildsADomainMapsStoresLoadsAndFaultsAfterUnmap()
    {
        final long ram = app.allocate(4 * PAGE).value();
        final long vnode = app.retype(ram, CapabilityType.VNODE, 0, PAGE, 1).value();
        final long frame = app.retype(ram, CapabilityType.FRAME, PAGE, 2 * PAGE, 1).value();
        final VmCalls.Call created = app.create(vnode, 0, 1);
        assertThat(created.ok()).as(created.message()).isTrue();
        final long domain = created.value();
        final VmCalls.Call mapped = app.map(domain, VA, frame, 0, 2 * PAGE, Rights.READ | Rights.WRITE);
        assertThat(mapped.ok()).as(mapped.message()).isTrue();

        assertThat(app.store(domain, VA + 100, "lrpc".getBytes(StandardCharsets.UTF_8)).value()).isEqualTo(4);
        final VmCalls.Call loaded = app.load(domain, VA + 100, 4);
        assertThat(new String(loaded.data(), StandardCharsets.UTF_8)).isEqualTo("lrpc");
        assertThat(loaded.answeredNs()).isGreaterThanOrEqualTo(loaded.issuedNs());

        final VmCalls.Call unmapped = app.unmap(domain, VA, 2 * PAGE, RoutingProtocol.BROADCAST);
        assertThat(unmapped.ok()).as(unmapped.message()).isTrue();
        assertThat(unmapped.value()).as("shootdown nanoseconds").isNotNegative();
        final VmCalls.Call fault = app.load(domain, VA + 100, 4);
        assertThat(fault.fault()).isTrue();
        assertThat(fault.statusName()).isEqualTo("fault");
        assertThat(fault.message()).contains("no mapping at 0x100000");

        assertThat(app.span(domain, 1).status()).as("core 1 already runs it").isEqualTo(LrpcStatus.CONFLICT);
        assertThat(app.shrink(domain, 1, null).ok()).isTrue();
        assertThat(app.destroy(domain, RoutingProtocol.UNICAST).ok()).isTrue();
        assertThat(app.load(domain, VA, 1).status()).isEqualTo(LrpcStatus.NOT_FOUND);
    }

    @Test
    void malformedRequestsAreRefusedWithASentence()
    {
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[64]);
        assertThat(client.call(LrpcOperations.VM_MAP, bytes, 0, 12).message()).contains("payload of 12 bytes, expected 44");
        assertThat(client.call(LrpcOperations.VM_CREATE, bytes, 0, 4).message()).contains("expected at least 12");
        bytes.putInt(8, 3, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(client.call(LrpcOperations.VM_CREATE, bytes, 0, 16).message()).contains("does not hold 3 cores");
        assertThat(client.call(LrpcOperations.VM_STORE, bytes, 0, 16).message()).contains("expected at least 17");
        bytes.putInt(24, 9, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(client.call(LrpcOperations.VM_UNMAP, bytes, 0, 28).message())
            .contains("routing protocol 9 is unknown");
        bytes.putInt(16, 0, java.nio.ByteOrder.LITTLE_ENDIAN);
        final var load = client.call(LrpcOperations.VM_LOAD, bytes, 0, 20);
        assertThat(load.status()).isEqualTo(LrpcStatus.INVALID_ARGUMENT);
        assertThat(load.message()).contains("a load moves 1..");
        assertThat(app.protect(77, VA, PAGE, Rights.READ, null).status()).isEqualTo(LrpcStatus.NOT_FOUND);
    }
}
