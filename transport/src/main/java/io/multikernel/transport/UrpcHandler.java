package io.multikernel.transport;

import org.agrona.DirectBuffer;

/**
 * Typed callbacks for the transport's own messages. Every method has an empty default so a user
 * implements only what it needs. Buffers passed in are valid only during the call.
 */
public interface UrpcHandler
{
    default void onHello(
        final int sourceCoreId, final long sourceIncarnation, final long correlationId,
        final int schemaVersion, final int hostId, final long timestampNs, final boolean reply)
    {
    }

    default void onHeartbeat(
        final int sourceCoreId, final long sourceIncarnation, final long correlationId, final long timestampNs)
    {
    }

    default void onPing(
        final int sourceCoreId, final long correlationId, final long timestampNs,
        final DirectBuffer payload, final int payloadOffset, final int payloadLength)
    {
    }

    default void onPong(
        final int sourceCoreId, final long correlationId, final long pingTimestampNs,
        final DirectBuffer payload, final int payloadOffset, final int payloadLength)
    {
    }

    default void onGoodbye(final int sourceCoreId, final long sourceIncarnation, final short reason)
    {
    }

    /**
     * A peer shows a newer incarnation than before (first contact, or it restarted).
     *
     * @param coreId         of the peer.
     * @param oldIncarnation previously current, or {@link io.multikernel.common.PeerIncarnations#UNKNOWN_INCARNATION}.
     * @param newIncarnation now seen.
     */
    default void onNewIncarnation(final int coreId, final long oldIncarnation, final long newIncarnation)
    {
    }
}
