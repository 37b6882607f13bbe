package io.multikernel.node.membership;

import io.multikernel.transport.SendOutcome;

/**
 * One peer as {@link Membership} saw it when a {@link MembershipSnapshot} was taken. Immutable.
 *
 * @param coreId          of the peer.
 * @param state           of the peer.
 * @param incarnation     newest seen, or {@link io.multikernel.common.PeerIncarnations#UNKNOWN_INCARNATION}.
 * @param lastHeardAgeNs  time from the peer's last message to the snapshot, or
 *                        {@link Membership#NEVER_HEARD}.
 * @param hostId          from the peer's Hello, or {@link Membership#HOST_ID_UNKNOWN}.
 * @param handshaken      true once this incarnation's Hello has been heard.
 * @param restarts        newer incarnations seen after the first one.
 * @param lastSendOutcome of the last Hello or Heartbeat sent to the peer, or {@code null} before any.
 */
public record PeerView(
    int coreId,
    PeerState state,
    long incarnation,
    long lastHeardAgeNs,
    int hostId,
    boolean handshaken,
    long restarts,
    SendOutcome lastSendOutcome)
{
}
