package io.multikernel.replication;

/**
 * What a caller learns about its transaction. {@link Status#COMMITTED} and {@link Status#ABORTED}
 * are definite; {@link Status#INDEFINITE} means the engine cannot say: the transaction may have
 * committed, and the caller must find out (read the replica, or ask again) before assuming either.
 *
 * @param reason one sentence a user can read: why it aborted, or why the outcome is unknown.
 */
public record TransactionOutcome(Status status, String reason)
{
    /** The three outcomes, never blurred. */
    public enum Status
    {
        /** Durable at the coordinator; every participant applies it. */
        COMMITTED,
        /** Nothing changed anywhere. */
        ABORTED,
        /** Unknown: it may have committed. */
        INDEFINITE
    }

    public static TransactionOutcome committed()
    {
        return new TransactionOutcome(Status.COMMITTED, "committed");
    }

    public static TransactionOutcome aborted(final String reason)
    {
        return new TransactionOutcome(Status.ABORTED, reason);
    }

    public static TransactionOutcome indefinite(final String reason)
    {
        return new TransactionOutcome(Status.INDEFINITE, reason);
    }

    public boolean isDefinite()
    {
        return status != Status.INDEFINITE;
    }

    public boolean isCommitted()
    {
        return status == Status.COMMITTED;
    }

    /**
     * @return for an abort because a participant found a key locked, the transaction holding it;
     *         otherwise null. Two transactions that abort each other this way can agree which one
     *         retries: the lower id.
     */
    public TransactionId lockConflictWith()
    {
        return status == Status.ABORTED ? LockTable.holderNamedIn(reason) : null;
    }
}
