package io.multikernel.replication;

import java.util.BitSet;

/**
 * A transaction this core coordinates, from propose (or recovery) until every participant has
 * acked the commit, or until it aborts.
 */
final class CoordinatorTransaction
{
    enum State
    {
        /** PREPAREs sent, collecting votes; may still abort. */
        COLLECTING,
        /** All voted yes, COMMIT_DECIDED appended, waiting for it to be durable. */
        COMMITTING,
        /** The commit is durable and sent; waiting for acks. */
        AWAITING_ACKS
    }

    final TransactionId id;
    final ParticipantSet participants;
    final OutcomeListener listener;
    final long startNs;
    final BitSet yesVotes = new BitSet();
    final BitSet noVotes = new BitSet();
    final BitSet acks = new BitSet();
    State state;
    /** The vote deadline while collecting; the next COMMIT resend while awaiting acks. */
    long timerNs;

    CoordinatorTransaction(
        final TransactionId id,
        final ParticipantSet participants,
        final OutcomeListener listener,
        final long startNs,
        final State state,
        final long timerNs)
    {
        this.id = id;
        this.participants = participants;
        this.listener = listener;
        this.startNs = startNs;
        this.state = state;
        this.timerNs = timerNs;
    }
}
