package io.multikernel.replication;

/**
 * Optional hooks on protocol events, for tracing and for the simulator's checker. Called on the
 * engine's thread; must not call back into the engine.
 */
public interface ReplicationObserver
{
    /** Does nothing. */
    ReplicationObserver NONE = new ReplicationObserver()
    {
    };

    /**
     * The coordinator's decision is final: a COMMIT record is durable, or the transaction aborted.
     *
     * @param recovered true when found in the write-ahead log during recovery.
     */
    default void onCoordinatorDecision(final TransactionId id, final boolean commit, final boolean recovered)
    {
    }

    /**
     * This participant ended its part: it applied the commit, or dropped the transaction (after an
     * abort, a no vote, or a refusal during cooperative termination).
     */
    default void onParticipantDecision(final TransactionId id, final boolean commit)
    {
    }

    /**
     * This participant's COMMITTED record is durable: a restart must not lose the transaction.
     */
    default void onParticipantCommitDurable(final TransactionId id)
    {
    }
}
