package io.multikernel.replication.protocol;

import io.multikernel.replication.TransactionId;

/**
 * A participant in doubt asks the coordinator, or another participant, for the decision.
 */
public record Query(TransactionId transactionId) implements TwoPhaseMessage
{
    public static final int KIND = 4;

    @Override
    public int kind()
    {
        return KIND;
    }
}
