package io.multikernel.replication.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.StateMachine;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.kv.KeyValueOperation;
import io.multikernel.replication.kv.KeyValueStateMachine;

/**
 * The key-value store under simulation: {@link KeyValueWorkload}'s transactions over a few replica
 * sets, and the store's invariants.
 *
 * <ul>
 *   <li>Nothing uncommitted is visible: after every step, every value held by a live replica was
 *   written by a transaction already decided commit.</li>
 *   <li>No committed transaction is lost by recovery: after a restart, each key holds the value of
 *   the last transaction applied there whose COMMITTED record was durable, or a later one.</li>
 *   <li>At the end, the replicas of each set equal the model: committed transactions applied in
 *   decision order.</li>
 * </ul>
 */
final class KeyValueSimulatedState implements SimulatedState<KeyValueOperation, KeyValueStateMachine>
{
    /** Runs the store as it is, or decorated as the configuration says. */
    static final SimulatedState.Factory<KeyValueOperation, KeyValueStateMachine> FACTORY = KeyValueSimulatedState::new;

    private record Applied(TransactionId id, String value)
    {
    }

    private final SimulationConfig.StateMachineDecorator decorator;
    private final SimulationHistory<KeyValueOperation> history;
    private final KeyValueWorkload workload;
    private final Map<String, TransactionId> writers = new HashMap<>();
    private final List<Map<String, List<Applied>>> histories = new ArrayList<>();
    private final long[] checkedChanges;

    private KeyValueSimulatedState(
        final SimulationConfig config, final SimulationHistory<KeyValueOperation> history, final Random random)
    {
        this.decorator = config.stateMachineDecorator();
        this.history = history;
        this.workload = new KeyValueWorkload(config.cores(), random);
        this.checkedChanges = new long[config.cores()];
        for (int i = 0; i < config.cores(); i++)
        {
            histories.add(new HashMap<>());
        }
    }

    @Override
    public KeyValueStateMachine newReplica(final int coreId)
    {
        return new KeyValueStateMachine();
    }

    @Override
    public StateMachine<KeyValueOperation> stateMachine(final int coreId, final KeyValueStateMachine replica)
    {
        return decorator.apply(replica);
    }

    @Override
    public List<Proposal<KeyValueOperation>> nextProposals(
        final Random random, final int coreId, final KeyValueStateMachine replica)
    {
        return List.of(workload.next(random, coreId));
    }

    @Override
    public void onProposed(final TransactionId id, final Proposal<KeyValueOperation> proposal)
    {
        for (final KeyValueOperation operation : proposal.operations())
        {
            if (null != operation.value())
            {
                writers.put(operation.value(), id);
            }
        }
    }

    /**
     * Notes the values the transaction left on the core's keys, for {@link #checkRecovered}.
     */
    @Override
    public String checkApplied(final int coreId, final TransactionId id, final KeyValueStateMachine replica)
    {
        final Map<String, String> lastPerKey = new LinkedHashMap<>();
        for (final KeyValueOperation operation : history.proposal(id).operations())
        {
            lastPerKey.put(operation.key(), operation.value());
        }
        final Map<String, List<Applied>> applied = histories.get(coreId);
        lastPerKey.forEach((key, value) -> applied.computeIfAbsent(key, (k) -> new ArrayList<>()).add(new Applied(id, value)));
        return null;
    }

    /**
     * Every value a live replica holds was written by a transaction decided commit.
     */
    @Override
    public String checkStep(final int coreId, final KeyValueStateMachine replica)
    {
        if (replica.changes() == checkedChanges[coreId])
        {
            return null;
        }
        checkedChanges[coreId] = replica.changes();
        for (final Map.Entry<String, String> entry : replica.entries().entrySet())
        {
            final TransactionId writer = writers.get(entry.getValue());
            final SimulationHistory.Fate fate = null == writer ? null : history.fate(writer);
            if (SimulationHistory.Fate.COMMITTED != fate)
            {
                return "core " + coreId + " shows " + entry.getKey() + "=" + entry.getValue() +
                    ", written by transaction " + writer + ", which is " +
                    (null == fate ? "unknown" : SimulationHistory.Fate.UNDECIDED == fate ? "undecided" : "aborted");
            }
        }
        return null;
    }

    /**
     * After a restart: no key lost a transaction whose COMMITTED record was durable.
     */
    @Override
    public String checkRecovered(final int coreId, final KeyValueStateMachine replica)
    {
        checkedChanges[coreId] = -1;
        final Set<TransactionId> durable = history.durableCommits(coreId);
        final Map<String, List<Applied>> appliedPerKey = histories.get(coreId);
        final Set<String> keys = new HashSet<>(appliedPerKey.keySet());
        keys.addAll(replica.entries().keySet());
        for (final String key : keys)
        {
            final List<Applied> applied = appliedPerKey.getOrDefault(key, new ArrayList<>());
            final String recovered = replica.get(key);
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
                return "core " + coreId + " recovered " + key + "=" + recovered + ", which is not the value of " +
                    (lastDurable < 0 ? "any transaction applied there" : "transaction " + applied.get(lastDurable).id() +
                    " (durably committed there) or a later one") + "; applied there: " + applied;
            }
            applied.subList(match + 1, applied.size()).clear();
        }
        return null;
    }

    private boolean isFinalWriteOfCommitted(final String value, final String key)
    {
        if (null == value)
        {
            return isFinalDeleteOfCommitted(key);
        }
        final TransactionId writer = writers.get(value);
        if (null == writer || SimulationHistory.Fate.COMMITTED != history.fate(writer))
        {
            return false;
        }
        String last = null;
        for (final KeyValueOperation operation : history.proposal(writer).operations())
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
        for (final Map.Entry<TransactionId, Proposal<KeyValueOperation>> entry : history.proposals().entrySet())
        {
            if (SimulationHistory.Fate.COMMITTED != history.fate(entry.getKey()))
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
     * The replicas of each set equal the model: the committed transactions in decision order.
     */
    @Override
    public String checkQuiet(final List<KeyValueStateMachine> replicas)
    {
        final Map<String, String> model = new TreeMap<>();
        for (final TransactionId id : history.commitOrder())
        {
            for (final KeyValueOperation operation : history.proposal(id).operations())
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
        for (int coreId = 0; coreId < replicas.size(); coreId++)
        {
            for (int s = 0; s < workload.sets().size(); s++)
            {
                final String violation = checkReplicaOfSet(coreId, replicas.get(coreId), s, workload.sets().get(s), model);
                if (null != violation)
                {
                    return violation;
                }
            }
        }
        return null;
    }

    private static String checkReplicaOfSet(final int coreId, final KeyValueStateMachine replica, final int setIndex,
        final ParticipantSet set, final Map<String, String> model)
    {
        if (!set.contains(coreId))
        {
            return null;
        }
        for (int k = 0; k < KeyValueWorkload.KEYS_PER_SET; k++)
        {
            final String key = KeyValueWorkload.key(setIndex, k);
            final String actual = replica.get(key);
            if (!Objects.equals(actual, model.get(key)))
            {
                return "replicas diverge: core " + coreId + " has " + key + "=" + actual + " but the committed " +
                    "transactions in decision order give " + model.get(key);
            }
        }
        return null;
    }
}
