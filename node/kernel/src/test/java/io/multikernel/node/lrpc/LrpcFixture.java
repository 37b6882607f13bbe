package io.multikernel.node.lrpc;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An in-process channel, its server and clients on stepped clocks, and a recorder of outcomes.
 */
final class LrpcFixture implements AutoCloseable
{
    static final int CORE_ID = 3;
    static final long INCARNATION = 42;
    static final long START_MS = 1_000_000;
    static final long CALL_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);

    final CachedNanoClock nanoClock = new CachedNanoClock();
    final CachedEpochClock epochClock = new CachedEpochClock();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final LrpcChannel channel;
    final LrpcServer server;
    final List<LrpcClient> clients = new ArrayList<>();

    LrpcFixture(final LrpcLayout layout)
    {
        this(layout, 256);
    }

    LrpcFixture(final LrpcLayout layout, final int requestsPerDutyCycleMax)
    {
        nanoClock.update(5_000_000_000L);
        epochClock.update(START_MS);
        channel = LrpcChannel.createInMemory(layout, CORE_ID, INCARNATION, ProcessHandle.current().pid(), START_MS);
        server = new LrpcServer(new LrpcServer.Context()
            .channel(channel)
            .epochClock(epochClock)
            .nanoClock(nanoClock)
            .meterRegistry(registry)
            .requestsPerDutyCycleMax(requestsPerDutyCycleMax)
            .clientLivenessTimeoutMs(1_000));
    }

    static LrpcLayout smallLayout()
    {
        return LrpcLayout.of(4, 64 * 1024, 256, 16);
    }

    LrpcClient.Context clientContext()
    {
        return new LrpcClient.Context()
            .channel(channel)
            .nanoClock(nanoClock)
            .epochClock(epochClock)
            .callTimeoutNs(CALL_TIMEOUT_NS)
            .coreLivenessTimeoutMs(1_000);
    }

    LrpcClient attach()
    {
        return attach(clientContext());
    }

    LrpcClient attach(final LrpcClient.Context ctx)
    {
        final LrpcClient client = LrpcClient.attach(ctx);
        clients.add(client);
        return client;
    }

    void advanceMs(final long ms)
    {
        nanoClock.advance(TimeUnit.MILLISECONDS.toNanos(ms));
        epochClock.advance(ms);
    }

    double counter(final String name, final String tag, final String value)
    {
        return registry.get(name).tag(tag, value).functionCounter().count();
    }

    static UnsafeBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    static long deadPid() throws Exception
    {
        final Process process = new ProcessBuilder("true").start();
        process.waitFor();
        return process.pid();
    }

    @Override
    public void close()
    {
        clients.forEach(LrpcClient::close);
        server.close();
    }

    /** Every outcome delivered to it, in order. */
    static final class Recorder implements LrpcReplyHandler
    {
        record Reply(long correlationId, LrpcOutcome outcome, int status, String text)
        {
        }

        final List<Reply> replies = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();

        @Override
        public void onReply(final long correlationId, final LrpcOutcome outcome, final int status,
            final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            payloads.add(bytes);
            replies.add(new Reply(correlationId, outcome, status, buffer.getStringWithoutLengthUtf8(offset, length)));
        }

        Reply only()
        {
            if (replies.size() != 1)
            {
                throw new AssertionError("expected one reply, got " + replies);
            }
            return replies.get(0);
        }
    }
}
