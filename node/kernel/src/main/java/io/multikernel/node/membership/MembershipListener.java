package io.multikernel.node.membership;

/**
 * Told about every change {@link Membership} makes, on the agent thread, during the call that made
 * it. For the monitor (abort transactions waiting on a DOWN peer, forget a restarted peer's volatile
 * state) and for tests; logging and metrics are done by {@link Membership} itself. Implementations
 * must not block and must not call back into {@link Membership}.
 */
public interface MembershipListener
{
    /** A listener that ignores everything. */
    MembershipListener NO_OP = new MembershipListener()
    {
    };

    /**
     * A peer moved from one state to another; {@code from != to} always.
     *
     * @param coreId      of the peer.
     * @param incarnation of the peer now known.
     * @param from        state before.
     * @param to          state after.
     * @param cause       what triggered the move.
     * @param silenceNs   time since the peer was last heard before this move, or
     *                    {@link Membership#NEVER_HEARD} if it never was.
     * @param nowNs       the time of the move.
     */
    default void onTransition(
        final int coreId,
        final long incarnation,
        final PeerState from,
        final PeerState to,
        final TransitionCause cause,
        final long silenceNs,
        final long nowNs)
    {
    }

    /**
     * A peer showed a newer incarnation than a known one: it restarted and lost its volatile state.
     * Not called on first contact.
     *
     * @param coreId         of the peer.
     * @param oldIncarnation known before.
     * @param newIncarnation now known.
     * @param nowNs          when it was seen.
     */
    default void onRestart(final int coreId, final long oldIncarnation, final long newIncarnation, final long nowNs)
    {
    }
}
