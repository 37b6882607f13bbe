package io.multikernel.replication.protocol;

import io.multikernel.replication.TransactionId;

/**
 * Answer to a {@link Query} when the answerer cannot give a decision.
 */
public record StatusReply(TransactionId transactionId, QueryStatus status) implements TwoPhaseMessage
{
    public static final int KIND = 5;

    @Override
    public int kind()
    {
        return KIND;
    }
}
