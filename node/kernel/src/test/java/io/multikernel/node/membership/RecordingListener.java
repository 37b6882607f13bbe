package io.multikernel.node.membership;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link MembershipListener} that records what it is told.
 */
final class RecordingListener implements MembershipListener
{
    record Transition(int coreId, long incarnation, PeerState from, PeerState to, TransitionCause cause, long silenceNs,
        long nowNs)
    {
    }

    record Restart(int coreId, long oldIncarnation, long newIncarnation, long nowNs)
    {
    }

    final List<Transition> transitions = new ArrayList<>();
    final List<Restart> restarts = new ArrayList<>();

    @Override
    public void onTransition(
        final int coreId, final long incarnation, final PeerState from, final PeerState to,
        final TransitionCause cause, final long silenceNs, final long nowNs)
    {
        transitions.add(new Transition(coreId, incarnation, from, to, cause, silenceNs, nowNs));
    }

    @Override
    public void onRestart(final int coreId, final long oldIncarnation, final long newIncarnation, final long nowNs)
    {
        restarts.add(new Restart(coreId, oldIncarnation, newIncarnation, nowNs));
    }

    Transition last()
    {
        return transitions.get(transitions.size() - 1);
    }
}
