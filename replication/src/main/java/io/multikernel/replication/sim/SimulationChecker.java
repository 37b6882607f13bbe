package io.multikernel.replication.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.multikernel.replication.ReplicationObserver;
import io.multikernel.replication.StateMachine;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;

/**
 * The simulator's protocol invariants, whatever the state; the state's own invariants are its
 * {@link SimulatedState}'s checks, which this runs at the same points.
 *
 * <ul>
 *   <li>Atomicity: no transaction is committed anywhere (coordinator decision, participant apply,
 *   caller told committed) and aborted anywhere else (coordinator decision, participant abort,
 *   refusal or no vote, caller told aborted). Checked on every event.</li>
 *   <li>A caller told "committed" has a commit decision behind it; a core applies only
 *   transactions that were proposed.</li>
 *   <li>At the end, with every core up, the network healed and the cluster quiet: no locks held,
 *   nothing prepared, nothing coordinated; then the state's quiet check.</li>
 * </ul>
 *
 * @param <O> the operation type.
 * @param <R> the replica type.
 */
final class SimulationChecker<O, R extends StateMachine<O>> implements SimulationHistory<O>
{
    private final Consumer<String> fail;
    private final Map<TransactionId, Boolean> decided = new HashMap<>();
    private final Map<TransactionId, Proposal<O>> proposals = new HashMap<>();
    private final List<TransactionId> commitOrder = new ArrayList<>();
    private final List<Set<TransactionId>> durableCommits = new ArrayList<>();
    private SimulatedState<O, R> state;
    private long committed;
    private long aborted;
    private long indefinite;

    SimulationChecker(final int cores, final Consumer<String> fail)
    {
        this.fail = fail;
        for (int i = 0; i < cores; i++)
        {
            durableCommits.add(new HashSet<>());
        }
    }

    /** The state whose checks run beside the protocol's; set once, before the first core starts. */
    void state(final SimulatedState<O, R> state)
    {
        this.state = state;
    }

    /**
     * @param replica the replica the core's engine runs over, for the state's checks.
     */
    ReplicationObserver observerFor(final int coreId, final R replica)
    {
        return new ReplicationObserver()
        {
            @Override
            public void onCoordinatorDecision(final TransactionId id, final boolean commit, final boolean recovered)
            {
                decide(id, commit, "coordinator core " + coreId + (recovered ? " (recovered)" : ""));
            }

            @Override
            public void onParticipantDecision(final TransactionId id, final boolean commit)
            {
                decide(id, commit, "participant core " + coreId);
                if (commit)
                {
                    onApplied(coreId, id, replica);
                }
            }

            @Override
            public void onParticipantCommitDurable(final TransactionId id)
            {
                durableCommits.get(coreId).add(id);
            }
        };
    }

    void onProposed(final TransactionId id, final Proposal<O> proposal)
    {
        proposals.put(id, proposal);
        state.onProposed(id, proposal);
    }

    void onOutcome(final TransactionId id, final TransactionOutcome outcome)
    {
        switch (outcome.status())
        {
            case COMMITTED:
                if (!Boolean.TRUE.equals(decided.get(id)))
                {
                    fail.accept("caller told transaction " + id + " committed, but no commit decision was made");
                }
                break;
            case ABORTED:
                decide(id, false, "caller (" + outcome.reason() + ")");
                break;
            default:
                indefinite++;
        }
        state.onOutcome(id, outcome);
    }

    private void decide(final TransactionId id, final boolean commit, final String who)
    {
        final Boolean previous = decided.putIfAbsent(id, commit);
        if (null == previous)
        {
            if (commit)
            {
                committed++;
                commitOrder.add(id);
            }
            else
            {
                aborted++;
            }
        }
        else if (previous != commit)
        {
            fail.accept("atomicity violated: transaction " + id + " was " + (previous ? "committed" : "aborted") +
                " before, and now " + who + " " + (commit ? "commits" : "aborts") + " it");
        }
    }

    private void onApplied(final int coreId, final TransactionId id, final R replica)
    {
        if (!proposals.containsKey(id))
        {
            fail.accept("core " + coreId + " applied transaction " + id + ", which was never proposed");
            return;
        }
        report(state.checkApplied(coreId, id, replica));
    }

    /**
     * After a live core's duty cycles: the state's step check.
     */
    void checkStep(final SimulatedCore<O, R> core)
    {
        // A core is told it lost committed transactions only when its log did: never on an honest disk.
        final String divergence = core.engine().divergence();
        if (null != divergence)
        {
            fail.accept("core " + core.id() + " reports its replicas diverged: " + divergence);
        }
        report(state.checkStep(core.id(), core.replica()));
    }

    /**
     * After a restart: the state's recovery check.
     */
    void checkRecovered(final SimulatedCore<O, R> core)
    {
        report(state.checkRecovered(core.id(), core.replica()));
    }

    /**
     * With everyone up and quiet: nothing held, nothing prepared or coordinated, then the state's
     * quiet check.
     */
    void checkFinal(final SimulatedCore<O, R>[] cores)
    {
        final List<R> replicas = new ArrayList<>(cores.length);
        for (final SimulatedCore<O, R> core : cores)
        {
            if (core.engine().locksHeld() != 0 || core.engine().preparedCount() != 0 ||
                core.engine().inFlightTransactions() != 0)
            {
                fail.accept("core " + core.id() + " is not settled: locks=" + core.engine().locksHeld() + " prepared=" +
                    core.engine().preparedCount() + " coordinating=" + core.engine().inFlightTransactions());
            }
            replicas.add(core.replica());
        }
        report(state.checkQuiet(replicas));
    }

    private void report(final String violation)
    {
        if (null != violation)
        {
            fail.accept(violation);
        }
    }

    @Override
    public Fate fate(final TransactionId id)
    {
        final Boolean decision = decided.get(id);
        return null == decision ? Fate.UNDECIDED : decision ? Fate.COMMITTED : Fate.ABORTED;
    }

    @Override
    public Proposal<O> proposal(final TransactionId id)
    {
        return proposals.get(id);
    }

    @Override
    public Map<TransactionId, Proposal<O>> proposals()
    {
        return Collections.unmodifiableMap(proposals);
    }

    @Override
    public List<TransactionId> commitOrder()
    {
        return Collections.unmodifiableList(commitOrder);
    }

    @Override
    public Set<TransactionId> durableCommits(final int coreId)
    {
        return Collections.unmodifiableSet(durableCommits.get(coreId));
    }

    long committed()
    {
        return committed;
    }

    long aborted()
    {
        return aborted;
    }

    long indefinite()
    {
        return indefinite;
    }
}
