package io.multikernel.node.caps;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.node.lrpc.LrpcChannel;
import io.multikernel.node.lrpc.LrpcClient;
import io.multikernel.node.lrpc.LrpcLayout;
import io.multikernel.node.lrpc.LrpcOperations;
import io.multikernel.node.lrpc.LrpcOutcome;
import io.multikernel.node.lrpc.LrpcResult;
import io.multikernel.node.lrpc.LrpcServer;
import io.multikernel.node.lrpc.LrpcStatus;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.multikernel.node.caps.InProcessCapabilityCluster.PAGE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The capability operations over a real in-process LRPC channel, against core 0 of an in-process
 * cluster: each operation's payloads, the refusals' statuses and lines, and malformed requests.
 */
class CapabilityLrpcTest
{
    @TempDir
    Path directory;

    private InProcessCapabilityCluster cluster;
    private LrpcServer server;
    private LrpcClient client;

    private LrpcClient client()
    {
        if (null == client)
        {
            cluster = new InProcessCapabilityCluster(2, directory.resolve("host-0.memory"));
            final LrpcChannel channel = LrpcChannel.createInMemory(LrpcLayout.of(2, 256 * 1024, 16 * 1024, 64), 0, 7,
                ProcessHandle.current().pid(), System.currentTimeMillis());
            server = new LrpcServer(new LrpcServer.Context().channel(channel).meterRegistry(new SimpleMeterRegistry()));
            CapabilityLrpc.register(server, cluster.core(0));
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
        }
        return client;
    }

    @AfterEach
    void close()
    {
        if (null != client)
        {
            client.close();
            server.close();
            cluster.close();
        }
    }

    private LrpcResult call(final int operation, final ByteBuffer payload)
    {
        final byte[] bytes = new byte[payload.position()];
        payload.flip().get(bytes);
        return client().call(operation, new UnsafeBuffer(bytes), 0, bytes.length);
    }

    private static ByteBuffer payload()
    {
        return ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer reply(final LrpcResult result)
    {
        assertThat(result.outcome()).as(String.valueOf(result.message())).isEqualTo(LrpcOutcome.SUCCESS);
        return ByteBuffer.wrap(result.payload()).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void anAppAllocatesRetypesWritesReadsAndIdentifies()
    {
        final long ram = reply(call(LrpcOperations.CAPS_ALLOC, payload().putLong(16 * PAGE))).getLong(0);
        final ByteBuffer retyped = reply(call(LrpcOperations.CAPS_RETYPE, payload().putLong(ram)
            .putInt(CapabilityType.FRAME.ordinal()).putLong(4 * PAGE).putLong(PAGE).putInt(3)));
        final long frame = retyped.getLong(0);
        assertThat(retyped.getInt(8)).isEqualTo(3);
        assertThat(cluster.core(1).database().capability(frame + 2)).isNotNull();

        final byte[] hello = "hello over lrpc".getBytes(StandardCharsets.UTF_8);
        final ByteBuffer written = reply(call(LrpcOperations.FRAME_WRITE, payload().putLong(frame).putLong(100).put(hello)));
        assertThat(written.getInt(0)).isEqualTo(hello.length);
        final LrpcResult read = call(LrpcOperations.FRAME_READ, payload().putLong(frame).putLong(100).putInt(hello.length));
        assertThat(reply(read).array()).isEqualTo(hello);

        final ByteBuffer identified = reply(call(LrpcOperations.CAPS_IDENTIFY, payload().putLong(frame)));
        assertThat(identified.getInt(8)).isEqualTo(CapabilityType.FRAME.ordinal());
        assertThat(identified.getLong(20)).isEqualTo(PAGE);
        assertThat(identified.getInt(28)).isEqualTo(Rights.ALL);
        assertThat(identified.getInt(32)).isZero();

        final long copy = reply(call(LrpcOperations.CAPS_COPY, payload().putLong(frame).putInt(1))).getLong(0);
        final long minted = reply(call(LrpcOperations.CAPS_MINT, payload().putLong(frame).putInt(0).putInt(Rights.READ)))
            .getLong(0);
        assertThat(cluster.core(0).database().capability(copy).holderCore()).isEqualTo(1);
        assertThat(cluster.core(0).database().capability(minted).rights()).isEqualTo(Rights.READ);

        assertThat(reply(call(LrpcOperations.CAPS_REVOKE, payload().putLong(ram))).remaining()).isZero();
        assertThat(cluster.core(1).database().capability(copy)).isNull();
        assertThat(reply(call(LrpcOperations.CAPS_DELETE, payload().putLong(ram))).remaining()).isZero();
        assertThat(cluster.core(1).database().capabilities()).isEmpty();
        cluster.fingerprint();
    }

    @Test
    void refusalsComeBackWithTheirStatusAndSentence()
    {
        final long ram = reply(call(LrpcOperations.CAPS_ALLOC, payload().putLong(4 * PAGE))).getLong(0);
        reply(call(LrpcOperations.CAPS_RETYPE, payload().putLong(ram).putInt(CapabilityType.FRAME.ordinal())
            .putLong(0).putLong(PAGE).putInt(1)));

        expect(call(LrpcOperations.CAPS_DELETE, payload().putLong(99)), LrpcStatus.NOT_FOUND, "capability 99 does not exist");
        expect(call(LrpcOperations.CAPS_RETYPE, payload().putLong(ram).putInt(CapabilityType.FRAME.ordinal())
            .putLong(0).putLong(PAGE).putInt(1)), LrpcStatus.CONFLICT, "revoke first");
        expect(call(LrpcOperations.CAPS_RETYPE, payload().putLong(ram).putInt(17).putLong(0).putLong(PAGE).putInt(1)),
            LrpcStatus.INVALID_ARGUMENT, "capability type 17 is unknown");
        expect(call(LrpcOperations.FRAME_READ, payload().putLong(ram).putLong(0).putInt(4)), LrpcStatus.INVALID_ARGUMENT,
            "is a RAM, not a FRAME");
        final long readOnly = reply(call(LrpcOperations.CAPS_MINT, payload().putLong(ram).putInt(0).putInt(Rights.READ)))
            .getLong(0);
        expect(call(LrpcOperations.CAPS_IDENTIFY, payload().putLong(readOnly)), LrpcStatus.DENIED, "lacks identify");
        expect(call(LrpcOperations.CAPS_COPY, payload().putLong(readOnly).putInt(1)), LrpcStatus.DENIED,
            "lacks the grant right");
        expect(call(LrpcOperations.FRAME_READ, payload().putLong(ram).putLong(0).putInt(1 << 20)),
            LrpcStatus.INVALID_ARGUMENT, "a frame read moves 0..");
    }

    @Test
    void malformedPayloadsAreRefusedAndChangeNothing()
    {
        client();
        final String fingerprint = cluster.fingerprint();
        expect(call(LrpcOperations.CAPS_ALLOC, payload().putInt(4096)), LrpcStatus.MALFORMED, "expected 8");
        expect(call(LrpcOperations.CAPS_RETYPE, payload().putLong(1)), LrpcStatus.MALFORMED, "expected 32");
        expect(call(LrpcOperations.FRAME_WRITE, payload().putLong(1)), LrpcStatus.MALFORMED, "at least 16");
        assertThat(cluster.fingerprint()).isEqualTo(fingerprint);
    }

    private static void expect(final LrpcResult result, final int status, final String sentence)
    {
        assertThat(result.outcome()).isEqualTo(LrpcOutcome.REJECTED);
        assertThat(result.status()).as(result.message()).isEqualTo(status);
        assertThat(result.message()).contains(sentence).doesNotContain("\n");
    }
}
