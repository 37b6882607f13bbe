package io.multikernel.node.bench;

import io.multikernel.transport.Media;
import io.multikernel.transport.PeerDescriptor;
import io.multikernel.transport.SendOutcome;
import io.multikernel.transport.UrpcEndpoint;
import io.multikernel.transport.UrpcHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;

/**
 * The system under test: two URPC endpoints (cores 0 and 1) exchanging SBE Ping/Pong with the full
 * envelope, validation and dispatch. Pings with a negative timestamp are not answered (streaming).
 */
final class UrpcPeers
{
    private UrpcPeers()
    {
    }

    static UrpcEndpoint.Context endpointContext(
        final String aeronDirectory, final BenchChannels channels, final int self, final int other)
    {
        final boolean udp = Media.UDP == channels.media();
        final String selfEndpoint = self == BenchChannels.PINGER_CORE_ID ? channels.pingerEndpoint() : channels.pongerEndpoint();
        final String otherEndpoint = self == BenchChannels.PINGER_CORE_ID ? channels.pongerEndpoint() : channels.pingerEndpoint();
        return channels.authenticate(new UrpcEndpoint.Context())
            .aeronDirectory(aeronDirectory)
            .coreId(self)
            .hostId(0)
            .sameHostMedia(channels.media())
            .termLength(channels.termLength())
            .udpBindEndpoint(udp ? selfEndpoint : null)
            .peers(List.of(new PeerDescriptor(other, 0, udp ? otherEndpoint : null)));
    }

    /** How long a reply may wait for the way back to connect, ns: the peers start concurrently. */
    static final long REPLY_CONNECT_TIMEOUT_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(20);

    static void checkRetryable(final SendOutcome outcome)
    {
        if (SendOutcome.BACK_PRESSURED != outcome)
        {
            throw new IllegalStateException("URPC send failed: " + outcome);
        }
    }

    /** Runs in the benchmark's JVM. */
    static final class Pinger implements PingPongPeer, UrpcHandler
    {
        private final UrpcEndpoint endpoint;
        private final IdleStrategy idle;
        private final UnsafeBuffer payload;
        private long echoedTimestampNs = Long.MIN_VALUE;
        private long correlationId;

        Pinger(final String aeronDirectory, final BenchChannels channels, final IdleStrategy idle, final int payloadLength)
        {
            this.idle = idle;
            this.payload = new UnsafeBuffer(new byte[payloadLength]);
            this.endpoint = UrpcEndpoint.launch(
                endpointContext(aeronDirectory, channels, BenchChannels.PINGER_CORE_ID, BenchChannels.PONGER_CORE_ID)
                    .handler(this));
        }

        public boolean isConnected()
        {
            return endpoint.isConnected(BenchChannels.PONGER_CORE_ID);
        }

        private final PeerWait echoWait = PeerWait.forEcho();
        private final PeerWait sendWait = PeerWait.forRoomToSend();

        public long roundTrip(final long timestampNs)
        {
            echoedTimestampNs = Long.MIN_VALUE;
            send(timestampNs);
            idle.reset();
            echoWait.start();
            while (Long.MIN_VALUE == echoedTimestampNs)
            {
                echoWait.check();
                idle.idle(endpoint.poll());
            }
            return echoedTimestampNs;
        }

        public void stream(final long count)
        {
            for (long i = 0; i < count - 1; i++)
            {
                send(-1);
            }
            roundTrip(0);
        }

        public int poll()
        {
            return endpoint.poll();
        }

        public void onPong(final int sourceCoreId, final long correlationId, final long pingTimestampNs,
            final DirectBuffer buffer, final int offset, final int length)
        {
            echoedTimestampNs = pingTimestampNs;
        }

        public void close()
        {
            endpoint.close();
        }

        private void send(final long timestampNs)
        {
            final long id = correlationId++;
            idle.reset();
            sendWait.start();
            SendOutcome outcome;
            while (SendOutcome.SENT != (outcome = endpoint.publisher().sendPing(
                BenchChannels.PONGER_CORE_ID, id, timestampNs, payload, 0, payload.capacity())))
            {
                checkRetryable(outcome);
                sendWait.check();
                // Drain our own inbox while we wait, so two senders can never block each other.
                idle.idle(endpoint.poll());
            }
        }
    }

    /** Runs in the peer JVM: answers every Ping whose timestamp is not negative. */
    static final class Ponger implements UrpcHandler, AutoCloseable
    {
        private final UrpcEndpoint endpoint;
        private final IdleStrategy idle;

        Ponger(final String aeronDirectory, final BenchChannels channels, final IdleStrategy echoIdle)
        {
            this.idle = echoIdle;
            this.endpoint = UrpcEndpoint.launch(
                endpointContext(aeronDirectory, channels, BenchChannels.PONGER_CORE_ID, BenchChannels.PINGER_CORE_ID)
                    .handler(this));
        }

        int poll()
        {
            return endpoint.poll();
        }

        public void onPing(final int sourceCoreId, final long correlationId, final long timestampNs,
            final DirectBuffer buffer, final int offset, final int length)
        {
            if (timestampNs >= 0)
            {
                idle.reset();
                SendOutcome outcome;
                long deadlineNs = 0;
                while (SendOutcome.SENT != (outcome = endpoint.publisher().sendPong(
                    sourceCoreId, correlationId, timestampNs, buffer, offset, length)))
                {
                    if (SendOutcome.NOT_CONNECTED == outcome)
                    {
                        // The first pings can beat the connection of the way back.
                        final long nowNs = System.nanoTime();
                        deadlineNs = 0 == deadlineNs ? nowNs + REPLY_CONNECT_TIMEOUT_NS : deadlineNs;
                        if (nowNs - deadlineNs > 0)
                        {
                            throw new IllegalStateException("reply path to core " + sourceCoreId + " never connected");
                        }
                    }
                    else
                    {
                        checkRetryable(outcome);
                    }
                    idle.idle();
                }
            }
        }

        public void close()
        {
            endpoint.close();
        }
    }
}
