package io.multikernel.node.membership;

import io.multikernel.common.PeerIncarnations;
import io.multikernel.transport.SendOutcome;

/**
 * What {@link Membership} holds about one peer. Mutable, owned by the agent, allocated once.
 */
final class PeerEntry
{
    final int coreId;
    PeerState state = PeerState.UNKNOWN;
    /** The incarnation this entry's state belongs to; which one is current is the core's PeerIncarnations' call. */
    long incarnation = PeerIncarnations.UNKNOWN_INCARNATION;
    int hostId = Membership.HOST_ID_UNKNOWN;
    long restarts;

    /** False until anything is heard; {@link #lastHeardNs} means nothing before. */
    boolean heard;
    long lastHeardNs;

    /** True once the Hello of the current incarnation is heard; until then we send Hellos, not Heartbeats. */
    boolean handshaken;
    /** When the next Hello (not handshaken) or Heartbeat (handshaken) is due. */
    long nextSendNs;
    boolean sentAny;
    long lastSendNs;
    SendOutcome lastSendOutcome;

    /** The peer asked for our Hello; answered at most once per heartbeat interval. */
    boolean helloReplyOwed;
    boolean repliedAny;
    long lastHelloReplyNs;

    PeerEntry(final int coreId)
    {
        this.coreId = coreId;
    }

    /**
     * @param nowNs current time; may be a little before the last message when the caller read its clock
     *              first (a duty cycle's time, then a message heard later in the same cycle).
     * @return time since last heard, 0 when heard at or after {@code nowNs}, or {@link Membership#NEVER_HEARD}.
     */
    long silenceNs(final long nowNs)
    {
        return heard ? Math.max(0, nowNs - lastHeardNs) : Membership.NEVER_HEARD;
    }
}
