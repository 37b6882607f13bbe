package io.multikernel.replication.sim;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.multikernel.replication.TransactionId;

/**
 * What the simulation's protocol checker has seen so far, for a {@link SimulatedState}'s own checks:
 * every transaction proposed, each one's fate, the order commits were decided in, and which commits
 * each core made durable. Read-only; valid on the simulation's thread.
 *
 * @param <O> the operation type.
 */
public interface SimulationHistory<O>
{
    /** A transaction's fate as far as anyone has decided it. */
    enum Fate
    {
        /** Proposed, and neither committed nor aborted anywhere yet. */
        UNDECIDED,
        /** Decided commit by its coordinator or a participant. */
        COMMITTED,
        /** Decided abort, refused, voted no, or told aborted. */
        ABORTED
    }

    /** @return the transaction's fate; {@link Fate#UNDECIDED} also for an id never proposed. */
    Fate fate(TransactionId id);

    /** @return the proposal, or null when {@code id} was never proposed. */
    Proposal<O> proposal(TransactionId id);

    /** @return every proposal so far, by transaction id. */
    Map<TransactionId, Proposal<O>> proposals();

    /** @return committed transactions in the order their commits were decided. */
    List<TransactionId> commitOrder();

    /** @return transactions whose COMMITTED record core {@code coreId} made durable. */
    Set<TransactionId> durableCommits(int coreId);
}
