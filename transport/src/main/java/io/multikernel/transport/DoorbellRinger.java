package io.multikernel.transport;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Rings other cores' {@link Doorbell}s: one one-byte datagram each, never blocking. A ring that cannot
 * be sent (a full socket buffer, an unreachable address) is reported and dropped: it only ever
 * shortens a doze, and the message it announced is already in the core's inbox or LRPC ring.
 * Not thread safe: one per sending thread.
 */
public final class DoorbellRinger implements AutoCloseable
{
    /** One byte: an empty datagram could not tell "sent" from "no room in the socket buffer" (both 0). */
    private final ByteBuffer ring = ByteBuffer.allocateDirect(1);
    private DatagramChannel channel;

    /**
     * @param doorbell where the core's doorbell listens.
     * @return true when the datagram left, false when it could not be sent.
     */
    public boolean ring(final InetSocketAddress doorbell)
    {
        try
        {
            if (null == channel)
            {
                channel = DatagramChannel.open();
                channel.configureBlocking(false);
            }
            ring.clear();
            return channel.send(ring, doorbell) > 0;
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietClose(channel);
            channel = null;
            return false;
        }
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(channel);
        channel = null;
    }
}
