package io.multikernel.replication.sim;

import java.util.List;

import io.multikernel.replication.ParticipantSet;

/**
 * One transaction a {@link SimulatedState}'s workload wants proposed.
 *
 * @param coreId       the core that proposes it, and so coordinates it.
 * @param participants the cores that hold the replicas it changes.
 * @param operations   what it does, in order.
 * @param <O>          the operation type.
 */
public record Proposal<O>(int coreId, ParticipantSet participants, List<O> operations)
{
    public Proposal
    {
        operations = List.copyOf(operations);
    }
}
