package io.multikernel.replication.sim;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.multikernel.replication.StateMachine;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;

/**
 * One kind of replicated state under simulation: how a core's replica is made, what the cores
 * propose, and what must hold of the replicas. The simulation owns the protocol's invariants
 * (atomicity, what a caller is told, every core settles); a state adds its own through the checks
 * below, each returning {@code null} when it holds, else one sentence naming the violation.
 *
 * <p>One instance serves one run, on the simulation's thread. It draws randomness only from the
 * {@code Random} it is handed and never reads a clock, so that a seed replays exactly.
 *
 * @param <O> the operation type.
 * @param <R> the replica type the checks read.
 */
public interface SimulatedState<O, R extends StateMachine<O>>
{
    /**
     * Makes the state of one run.
     *
     * @param <O> the operation type.
     * @param <R> the replica type.
     */
    @FunctionalInterface
    interface Factory<O, R extends StateMachine<O>>
    {
        /**
         * @param config  the run's settings (its cores are 0..{@code config.cores()}-1).
         * @param history what the protocol checker has seen, for the state's checks.
         * @param random  the run's seeded source, for choices made once per run.
         */
        SimulatedState<O, R> newRun(SimulationConfig config, SimulationHistory<O> history, Random random);
    }

    /**
     * @return an empty replica for a core that starts or restarts; recovery then fills it from the
     * core's disk (snapshot and write-ahead log).
     */
    R newReplica(int coreId);

    /**
     * @return what core {@code coreId}'s engine runs over the replica: the replica itself, or a
     * deliberately broken decorator of it, to show that the checks catch the breakage.
     */
    default StateMachine<O> stateMachine(final int coreId, final R replica)
    {
        return replica;
    }

    /**
     * The workload. The first proposal is proposed by {@code coreId} at once; each further one by
     * its own core a moment later (within {@link Simulation#PROPOSAL_SKEW_MAX_NS}), so a workload
     * can have cores race each other on purpose.
     *
     * @param random  the run's seeded source.
     * @param coreId  the core about to propose; up and not paused.
     * @param replica that core's replica as it is now (it may lag the others).
     * @return the transactions to propose; empty for none this time.
     */
    List<Proposal<O>> nextProposals(Random random, int coreId, R replica);

    /** A proposal reached its core's engine under {@code id}. */
    default void onProposed(final TransactionId id, final Proposal<O> proposal)
    {
    }

    /**
     * Core {@code coreId} applied committed transaction {@code id}: the state may note it, and check
     * the replica just after it. Recovery replays a core's transactions without calling this; see
     * {@link #checkRecovered}.
     */
    default String checkApplied(final int coreId, final TransactionId id, final R replica)
    {
        return null;
    }

    /** The proposing core told its caller the outcome of {@code id}. */
    default void onOutcome(final TransactionId id, final TransactionOutcome outcome)
    {
    }

    /** After a live core's duty cycles in a step. */
    default String checkStep(final int coreId, final R replica)
    {
        return null;
    }

    /** After a core restarted and recovered its replica from its disk. */
    default String checkRecovered(final int coreId, final R replica)
    {
        return null;
    }

    /**
     * At the end: every core up, the network healed, nothing in doubt, held or in flight.
     *
     * @param replicas each core's replica, by core id.
     */
    String checkQuiet(List<R> replicas);

    /**
     * For states every core holds all of: the replicas must then be byte for byte equal.
     *
     * @param replicas each core's replica, by core id.
     * @return null when every snapshot equals core 0's, else which core differs.
     */
    static String snapshotsDiffer(final List<? extends StateMachine<?>> replicas)
    {
        final byte[] first = replicas.get(0).snapshot();
        for (int coreId = 1; coreId < replicas.size(); coreId++)
        {
            final byte[] other = replicas.get(coreId).snapshot();
            if (!Arrays.equals(first, other))
            {
                return "replicas diverge once quiet: core " + coreId + "'s snapshot (" + other.length +
                    " bytes) differs from core 0's (" + first.length + " bytes)";
            }
        }
        return null;
    }
}
