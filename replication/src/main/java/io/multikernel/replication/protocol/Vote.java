package io.multikernel.replication.protocol;

import io.multikernel.replication.TransactionId;

/**
 * Participant to coordinator. A yes vote promises that PREPARED is durable here.
 *
 * @param reason why the vote is no; empty for yes.
 */
public record Vote(TransactionId transactionId, boolean yes, String reason) implements TwoPhaseMessage
{
    public static final int KIND = 1;

    public Vote
    {
        reason = TwoPhaseMessage.limitReason(reason);
    }

    @Override
    public int kind()
    {
        return KIND;
    }
}
