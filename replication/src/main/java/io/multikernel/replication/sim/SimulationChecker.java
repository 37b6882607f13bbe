package io.multikernel.replication.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.ReplicationObserver;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.TransactionOutcome;
import io.multikernel.replication.kv.KeyValueOperation;

/**
 * The simulator's invariants.
 *
 * <ul>
 *   <li>Atomicity: no transaction is committed anywhere (coordinator decision, participant apply,
 *   caller told committed) and aborted anywhere else (coordinator decision, participant abort,
 *   refusal or no vote, caller told aborted). Checked on every event.</li>
 *   <li>Nothing uncommitted is visible: after every step, every value held by a live replica was
 *   written by a transaction already decided commit.</li>
 *   <li>No committed transaction is lost by recovery: after a restart, each key holds the value of
 *   the last transaction applied there whose COMMITTED record was durable, or a later one.</li>
 *   <li>At the end, with every core up, the network healed and the cluster quiet: replicas of each
 *   set equal each other and the model (committed transactions applied in decision order), no
 *   locks held, nothing in doubt, nothing in flight.</li>
 * </ul>
 */
final class SimulationChecker
{
    private record Applied(TransactionId id, String value)
    {
    }

    private final Consumer<String> fail;
    private final Map<TransactionId, Boolean> decided = new HashMap<>();
    private final Map<TransactionId, Workload.Proposal> proposals = new HashMap<>();
    private final Map<String, TransactionId> writers = new HashMap<>();
    private final List<TransactionId> commitOrder = new ArrayList<>();
    private final List<Set<TransactionId>> durableCommits = new ArrayList<>();
    private final List<Map<String, List<Applied>>> histories = new ArrayList<>();
    private final long[] checkedChanges;
    private long committed;
    private long aborted;
    private long indefinite;

    SimulationChecker(final int cores, final Consumer<String> fail)
    {
        this.fail = fail;
        this.checkedChanges = new long[cores];
        for (int i = 0; i < cores; i++)
        {
            durableCommits.add(new HashSet<>());
            histories.add(new HashMap<>());
        }
    }

    ReplicationObserver observerFor(final int coreId)
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
                    recordApplied(coreId, id);
                }
            }

            @Override
            public void onParticipantCommitDurable(final TransactionId id)
            {
                durableCommits.get(coreId).add(id);
            }
        };
    }

    void onProposed(final TransactionId id, final Workload.Proposal proposal)
    {
        proposals.put(id, proposal);
        for (final KeyValueOperation operation : proposal.operations())
        {
            if (null != operation.value())
            {
                writers.put(operation.value(), id);
            }
        }
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

    private void recordApplied(final int coreId, final TransactionId id)
    {
        final Workload.Proposal proposal = proposals.get(id);
        if (null == proposal)
        {
            fail.accept("core " + coreId + " applied transaction " + id + ", which was never proposed");
            return;
        }
        final Map<String, String> lastPerKey = new LinkedHashMap<>();
        for (final KeyValueOperation operation : proposal.operations())
        {
            lastPerKey.put(operation.key(), operation.value());
        }
        final Map<String, List<Applied>> history = histories.get(coreId);
        lastPerKey.forEach((key, value) -> history.computeIfAbsent(key, (k) -> new ArrayList<>()).add(new Applied(id, value)));
    }

    /**
     * Every value a live replica holds was written by a transaction decided commit.
     */
    void checkVisible(final SimulatedCore core)
    {
        if (core.replica().changes() == checkedChanges[core.id()])
        {
            return;
        }
        checkedChanges[core.id()] = core.replica().changes();
        for (final Map.Entry<String, String> entry : core.replica().entries().entrySet())
        {
            final TransactionId writer = writers.get(entry.getValue());
            if (null == writer || !Boolean.TRUE.equals(decided.get(writer)))
            {
                fail.accept("core " + core.id() + " shows " + entry.getKey() + "=" + entry.getValue() +
                    ", written by transaction " + writer + ", which is " +
                    (null == writer ? "unknown" : null == decided.get(writer) ? "undecided" : "aborted"));
            }
        }
    }

    /**
     * After a restart: no key lost a transaction whose COMMITTED record was durable.
     */
    void checkRecovered(final SimulatedCore core)
    {
        checkedChanges[core.id()] = -1;
        final Set<TransactionId> durable = durableCommits.get(core.id());
        final Map<String, List<Applied>> history = histories.get(core.id());
        final Set<String> keys = new HashSet<>(history.keySet());
        keys.addAll(core.replica().entries().keySet());
        for (final String key : keys)
        {
            final List<Applied> applied = history.getOrDefault(key, new ArrayList<>());
            final String recovered = core.replica().get(key);
            int lastDurable = -1;
            for (int i = 0; i < applied.size(); i++)
            {
                if (durable.contains(applied.get(i).id()))
                {
                    lastDurable = i;
                }
            }
            int match = -2;
            for (int i = applied.size() - 1; i >= Math.max(lastDurable, 0) && match == -2; i--)
            {
                if (Objects.equals(applied.get(i).value(), recovered))
                {
                    match = i;
                }
            }
            if (match == -2 && lastDurable == -1 && null == recovered)
            {
                match = -1;
            }
            if (match == -2 && isFinalWriteOfCommitted(recovered, key))
            {
                // The crash cut the engine off after its COMMITTED record reached the disk but before it
                // reported the apply: recovery applied it. It is the newest write to the key here.
                applied.add(new Applied(writers.get(recovered), recovered));
                match = applied.size() - 1;
            }
            if (match == -2)
            {
                fail.accept("core " + core.id() + " recovered " + key + "=" + recovered + ", which is not the value of " +
                    (lastDurable < 0 ? "any transaction applied there" : "transaction " + applied.get(lastDurable).id() +
                    " (durably committed there) or a later one") + "; applied there: " + applied);
                return;
            }
            applied.subList(match + 1, applied.size()).clear();
        }
    }

    private boolean isFinalWriteOfCommitted(final String value, final String key)
    {
        if (null == value)
        {
            return isFinalDeleteOfCommitted(key);
        }
        final TransactionId writer = writers.get(value);
        if (null == writer || !Boolean.TRUE.equals(decided.get(writer)))
        {
            return false;
        }
        String last = null;
        for (final KeyValueOperation operation : proposals.get(writer).operations())
        {
            if (operation.key().equals(key))
            {
                last = operation.value();
            }
        }
        return value.equals(last);
    }

    private boolean isFinalDeleteOfCommitted(final String key)
    {
        for (final Map.Entry<TransactionId, Workload.Proposal> entry : proposals.entrySet())
        {
            if (!Boolean.TRUE.equals(decided.get(entry.getKey())))
            {
                continue;
            }
            boolean deletes = false;
            for (final KeyValueOperation operation : entry.getValue().operations())
            {
                if (operation.key().equals(key))
                {
                    deletes = null == operation.value();
                }
            }
            if (deletes)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * With everyone up and quiet: replicas equal the model, nothing held, nothing in doubt.
     */
    void checkFinal(final SimulatedCore[] cores, final Workload workload)
    {
        final Map<String, String> model = new TreeMap<>();
        for (final TransactionId id : commitOrder)
        {
            final Workload.Proposal proposal = proposals.get(id);
            for (final KeyValueOperation operation : proposal.operations())
            {
                if (null == operation.value())
                {
                    model.remove(operation.key());
                }
                else
                {
                    model.put(operation.key(), operation.value());
                }
            }
        }
        for (final SimulatedCore core : cores)
        {
            if (core.engine().locksHeld() != 0 || core.engine().preparedCount() != 0 ||
                core.engine().inFlightTransactions() != 0)
            {
                fail.accept("core " + core.id() + " is not settled: locks=" + core.engine().locksHeld() + " prepared=" +
                    core.engine().preparedCount() + " coordinating=" + core.engine().inFlightTransactions());
            }
            for (int s = 0; s < workload.sets().size(); s++)
            {
                checkReplicaOfSet(core, s, workload.sets().get(s), model);
            }
        }
    }

    private void checkReplicaOfSet(
        final SimulatedCore core, final int setIndex, final ParticipantSet set, final Map<String, String> model)
    {
        if (!set.contains(core.id()))
        {
            return;
        }
        for (int k = 0; k < Workload.KEYS_PER_SET; k++)
        {
            final String key = Workload.key(setIndex, k);
            final String actual = core.replica().get(key);
            if (!Objects.equals(actual, model.get(key)))
            {
                fail.accept("replicas diverge: core " + core.id() + " has " + key + "=" + actual + " but the committed " +
                    "transactions in decision order give " + model.get(key));
                return;
            }
        }
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
