package io.multikernel.replication.protocol;

import io.multikernel.replication.TransactionId;

/**
 * The outcome of a transaction: from its coordinator, or from a participant that knows it to one
 * in doubt.
 *
 * @param reason why it aborted; empty for commit.
 */
public record Decision(TransactionId transactionId, boolean commit, String reason) implements TwoPhaseMessage
{
    public static final int KIND = 2;

    public Decision
    {
        reason = TwoPhaseMessage.limitReason(reason);
    }

    @Override
    public int kind()
    {
        return KIND;
    }
}
