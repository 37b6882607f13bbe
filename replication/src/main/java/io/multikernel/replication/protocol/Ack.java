package io.multikernel.replication.protocol;

import io.multikernel.replication.TransactionId;

/**
 * Participant to coordinator: the commit is durable and applied here.
 */
public record Ack(TransactionId transactionId) implements TwoPhaseMessage
{
    public static final int KIND = 3;

    @Override
    public int kind()
    {
        return KIND;
    }
}
