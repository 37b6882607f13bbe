package io.multikernel.replication;

/**
 * Told the outcome of a proposed transaction, exactly once, on the engine's thread (from
 * {@link ReplicationEngine#doWork(long)} or {@link ReplicationEngine#close()}). Keep it short:
 * hand the outcome to the caller's queue.
 */
@FunctionalInterface
public interface OutcomeListener
{
    void onOutcome(TransactionId transactionId, TransactionOutcome outcome);
}
