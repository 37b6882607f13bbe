package io.multikernel.replication;

import java.util.List;

/**
 * A transaction this core has prepared (PREPARED appended, keys locked) and not yet finished.
 *
 * @param <O> the operation type.
 */
final class ParticipantTransaction<O>
{
    final TransactionId id;
    final ParticipantSet participants;
    final byte[] operationBytes;
    final List<O> operations;
    final List<Object> lockKeys;
    /** PREPARED is durable and the yes vote went out: from here on the transaction is in doubt. */
    boolean durable;
    long inDoubtSinceNs;
    long nextQueryNs;
    long coordinatorHeardNs;
    int queriesSent;

    ParticipantTransaction(
        final TransactionId id,
        final ParticipantSet participants,
        final byte[] operationBytes,
        final List<O> operations,
        final List<Object> lockKeys)
    {
        this.id = id;
        this.participants = participants;
        this.operationBytes = operationBytes;
        this.operations = operations;
        this.lockKeys = lockKeys;
    }

    int coordinatorCoreId()
    {
        return id.coordinatorCoreId();
    }
}
