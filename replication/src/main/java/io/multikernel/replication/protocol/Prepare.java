package io.multikernel.replication.protocol;

import java.util.Arrays;

import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;

/**
 * Coordinator to participant: validate these operations, lock their keys, make PREPARED durable
 * and vote.
 *
 * @param operations the transaction's operations, as the engine encodes them; not copied.
 */
public record Prepare(TransactionId transactionId, ParticipantSet participants, byte[] operations)
    implements TwoPhaseMessage
{
    public static final int KIND = 0;

    @Override
    public int kind()
    {
        return KIND;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof Prepare that &&
            transactionId.equals(that.transactionId) &&
            participants.equals(that.participants) &&
            Arrays.equals(operations, that.operations);
    }

    @Override
    public int hashCode()
    {
        return 31 * (31 * transactionId.hashCode() + participants.hashCode()) + Arrays.hashCode(operations);
    }

    @Override
    public String toString()
    {
        return "Prepare[" + transactionId + " participants=" + participants + " operations=" +
            operations.length + " bytes]";
    }
}
