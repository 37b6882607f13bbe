package io.multikernel.node.replication;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.protocol.MessageBatch;
import io.multikernel.replication.protocol.Query;
import io.multikernel.replication.protocol.TwoPhaseBatchCodec;
import io.multikernel.schema.TwoPhaseBatchEncoder;
import io.multikernel.transport.PeerDescriptor;
import io.multikernel.transport.UrpcEndpoint;
import io.multikernel.transport.UrpcMediaDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's network over two real URPC endpoints (embedded media driver, one JVM): a sent batch
 * waits in the publisher's per-destination batch until the engine flushes, then reaches the peer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UrpcNetworkTest
{
    private static final int TERM_LENGTH = 64 * 1024;
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path tempDir;

    @Test
    void aSentBatchWaitsInTheBatchUntilTheEngineFlushesTheNetwork()
    {
        try (UrpcMediaDriver driver = UrpcMediaDriver.launch(new UrpcMediaDriver.Context()
                .aeronDirectory(tempDir.resolve("aeron").toString())
                .idleStrategy("yielding")
                .termLength(TERM_LENGTH)
                .deleteDirectoryOnStart(true));
            UrpcEndpoint a = endpoint(driver, 0, 1);
            UrpcEndpoint b = endpoint(driver, 1, 0))
        {
            final AtomicInteger received = new AtomicInteger();
            b.dispatcher().register(TwoPhaseBatchCodec.TEMPLATE_ID, "two_phase_batch", TwoPhaseBatchEncoder.BLOCK_LENGTH,
                (buffer, blockOffset, blockLength, version, frameEnd) ->
                {
                    received.incrementAndGet();
                    return frameEnd;
                });
            final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
            while (!(a.isConnected(1) && b.isConnected(0)))
            {
                a.poll();
                b.poll();
                assertThat(System.nanoTime() - deadlineNs).as("endpoints connected in time").isNegative();
                Thread.yield();
            }
            final UrpcNetwork network = new UrpcNetwork(a.publisher(), a.incarnations(), new ChaosFreeze(ChaosFreeze.Point.NONE, 0),
                new SimpleMeterRegistry(), 256);

            assertThat(network.send(new MessageBatch(0, 1, 1, 1, List.of(new Query(new TransactionId(0, 1, 7)))))).isTrue();
            assertThat(a.publisher().pendingBatches()).isEqualTo(1);

            network.flush();
            assertThat(a.publisher().pendingBatches()).isZero();
            while (received.get() == 0)
            {
                b.poll();
                assertThat(System.nanoTime() - deadlineNs).as("batch delivered in time").isNegative();
                Thread.yield();
            }
            assertThat(received.get()).isEqualTo(1);
            assertThat(network.sentBatches()).isEqualTo(1);
        }
    }

    private static UrpcEndpoint endpoint(final UrpcMediaDriver driver, final int coreId, final int peer)
    {
        return UrpcEndpoint.launch(new UrpcEndpoint.Context()
            .aeronDirectory(driver.aeronDirectory())
            .coreId(coreId)
            .peers(List.of(new PeerDescriptor(peer, 0, null)))
            .frameKey("urpc network key".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .termLength(TERM_LENGTH));
    }
}
