package io.multikernel.node.membership;

import io.multikernel.transport.SendOutcome;

/**
 * How {@link Membership} sends its messages; the core implements it over its
 * {@link io.multikernel.transport.UrpcPublisher}, tests with a recorder. Called only from
 * {@link Membership#doWork(long)} and {@link Membership#leave(long)}, on the agent thread. A send
 * must not block beyond the publisher's bounded retries; anything but {@link SendOutcome#SENT} is
 * counted by {@link Membership}, never thrown.
 */
public interface MembershipSender
{
    /**
     * Send this core's Hello (with its incarnation and host id) to a peer.
     *
     * @param coreId of the peer.
     * @param reply  true when answering the peer's Hello, false when asking for the peer's.
     * @param nowNs  the duty cycle's time, for the message's timestamp if wanted.
     * @return the outcome.
     */
    SendOutcome sendHello(int coreId, boolean reply, long nowNs);

    /**
     * Send a Heartbeat to a peer.
     *
     * @param coreId of the peer.
     * @param nowNs  the duty cycle's time.
     * @return the outcome.
     */
    SendOutcome sendHeartbeat(int coreId, long nowNs);

    /**
     * Send Goodbye to a peer: this core is leaving cleanly.
     *
     * @param coreId of the peer.
     * @return the outcome.
     */
    SendOutcome sendGoodbye(int coreId);
}
