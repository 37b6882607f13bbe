package io.multikernel.replication;

/**
 * A transaction this core voted yes on and whose decision it does not know, for the admin API.
 *
 * @param participants    every participant of the transaction.
 * @param inDoubtSinceNs  engine clock time at which it prepared or was recovered.
 * @param queriesSent     how many times this core has asked for the decision.
 */
public record InDoubtTransaction(
    TransactionId id,
    ParticipantSet participants,
    long inDoubtSinceNs,
    int queriesSent)
{
}
