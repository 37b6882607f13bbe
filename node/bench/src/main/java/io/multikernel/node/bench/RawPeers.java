package io.multikernel.node.bench;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * The floor: plain Aeron publication/subscription ping-pong with no SBE, no envelope and no
 * validation. A message is an 8-byte timestamp followed by the payload; a negative timestamp asks
 * for no echo (the streaming phase).
 */
final class RawPeers
{
    private RawPeers()
    {
    }

    /** Claim with retries: the floor also has to wait out back pressure. */
    static void claimAndCopy(
        final Publication publication, final BufferClaim claim, final IdleStrategy idle, final PeerWait wait,
        final DirectBuffer source, final int offset, final int length)
    {
        idle.reset();
        wait.start();
        long result;
        while ((result = publication.tryClaim(length, claim)) <= 0)
        {
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                throw new IllegalStateException("raw publication closed: " + Publication.errorString(result));
            }
            wait.check();
            idle.idle();
        }
        claim.buffer().putBytes(claim.offset(), source, offset, length);
        claim.commit();
    }

    /** Runs in the benchmark's JVM. */
    static final class Pinger implements PingPongPeer
    {
        private final Publication publication;
        private final Subscription subscription;
        private final IdleStrategy idle;
        private final BufferClaim claim = new BufferClaim();
        private final org.agrona.concurrent.UnsafeBuffer message;
        private long echoedTimestampNs = Long.MIN_VALUE;
        private final FragmentHandler onEcho = (buffer, offset, length, header) -> echoedTimestampNs = buffer.getLong(offset);
        private final PeerWait echoWait = PeerWait.forEcho();
        private final PeerWait sendWait = PeerWait.forRoomToSend();

        Pinger(final Aeron aeron, final BenchChannels channels, final IdleStrategy idle, final int payloadLength)
        {
            this.publication = aeron.addPublication(channels.pingChannel(), BenchChannels.RAW_PING_STREAM_ID);
            this.subscription = aeron.addSubscription(channels.pongChannel(), BenchChannels.RAW_PONG_STREAM_ID);
            this.idle = idle;
            this.message = new org.agrona.concurrent.UnsafeBuffer(new byte[Long.BYTES + payloadLength]);
        }

        public boolean isConnected()
        {
            return publication.isConnected() && subscription.isConnected();
        }

        public long roundTrip(final long timestampNs)
        {
            message.putLong(0, timestampNs);
            echoedTimestampNs = Long.MIN_VALUE;
            claimAndCopy(publication, claim, idle, sendWait, message, 0, message.capacity());
            idle.reset();
            echoWait.start();
            while (Long.MIN_VALUE == echoedTimestampNs)
            {
                echoWait.check();
                idle.idle(subscription.poll(onEcho, 1));
            }
            return echoedTimestampNs;
        }

        public void stream(final long count)
        {
            message.putLong(0, -1);
            for (long i = 0; i < count - 1; i++)
            {
                claimAndCopy(publication, claim, idle, sendWait, message, 0, message.capacity());
            }
            roundTrip(0);
        }

        public int poll()
        {
            return subscription.poll(onEcho, 16);
        }

        public void close()
        {
            CloseHelper.closeAll(publication, subscription);
        }
    }

    /** Runs in the peer JVM: echoes every message whose timestamp is not negative. */
    static final class Ponger implements AutoCloseable
    {
        private final Publication publication;
        private final Subscription subscription;
        private final IdleStrategy idle;
        private final BufferClaim claim = new BufferClaim();
        private final FragmentHandler onPing;
        private final PeerWait sendWait = PeerWait.forRoomToSend();

        Ponger(final Aeron aeron, final BenchChannels channels, final IdleStrategy echoIdle)
        {
            this.subscription = aeron.addSubscription(channels.pingChannel(), BenchChannels.RAW_PING_STREAM_ID);
            this.publication = aeron.addPublication(channels.pongChannel(), BenchChannels.RAW_PONG_STREAM_ID);
            this.idle = echoIdle;
            this.onPing = (buffer, offset, length, header) ->
            {
                if (buffer.getLong(offset) >= 0)
                {
                    claimAndCopy(publication, claim, idle, sendWait, buffer, offset, length);
                }
            };
        }

        int poll()
        {
            return subscription.poll(onPing, 16);
        }

        public void close()
        {
            CloseHelper.closeAll(publication, subscription);
        }
    }
}
