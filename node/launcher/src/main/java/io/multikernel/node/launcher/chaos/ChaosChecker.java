package io.multikernel.node.launcher.chaos;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges a chaos run from its history and the replicas at the end, after every fault was healed:
 * <ul>
 *   <li>a core that should be running and did not answer did not come back;</li>
 *   <li>replicas of the store must be identical (fingerprints, and the run's keys one by one);</li>
 *   <li>an acknowledged commit must be on every replica with its value;</li>
 *   <li>an aborted write, or one that never reached a core, must be on none;</li>
 *   <li>an indefinite write must be on every replica or on none;</li>
 *   <li>no core may be left in doubt about a transaction once the cluster has settled.</li>
 * </ul>
 * Each violation is one sentence naming the operation, the cores and what was found.
 */
public final class ChaosChecker
{
    private ChaosChecker()
    {
    }

    /**
     * @param history  every operation of the run.
     * @param replicas the final state of each core that answered, by core id.
     * @param cores    every core of the cluster: each must have answered.
     * @return the violations, in a stable order; empty when the run kept every promise.
     */
    public static List<String> violations(final List<ChaosOperation> history, final Map<Integer, ReplicaState> replicas,
        final Collection<Integer> cores)
    {
        return violations(history, replicas, cores, Map.of());
    }

    /**
     * @param baseline each core's replica before the run, where it answered. When the replicas already
     *                 differed then (a write to some replicas only, {@code mk kv put --replicas}), they are
     *                 not held to one fingerprint at the end; instead every key the run did not write must
     *                 be on each core as it was before the run.
     * @return as {@link #violations(List, Map, Collection)}.
     */
    public static List<String> violations(final List<ChaosOperation> history, final Map<Integer, ReplicaState> replicas,
        final Collection<Integer> cores, final Map<Integer, ReplicaState> baseline)
    {
        final List<String> violations = new ArrayList<>();
        final SortedSet<Integer> answered = new TreeSet<>(replicas.keySet());
        for (final int core : new TreeSet<>(cores))
        {
            if (!answered.contains(core))
            {
                violations.add("core " + core + " did not come back: it did not answer after the faults were healed");
            }
        }
        final Map<Integer, ReplicaState> byCore = new TreeMap<>(replicas);
        for (final ReplicaState replica : byCore.values())
        {
            if (replica.inDoubt() > 0)
            {
                violations.add("core " + replica.core() + " is still in doubt about " + replica.inDoubt() +
                    " transaction(s) after the cluster settled");
            }
        }
        final List<ReplicaState> states = new ArrayList<>(byCore.values());
        if (differed(baseline))
        {
            unchangedOutsideTheRun(history, states, baseline, violations);
        }
        else
        {
            for (int i = 1; i < states.size(); i++)
            {
                if (!Objects.equals(states.get(0).fingerprint(), states.get(i).fingerprint()))
                {
                    violations.add("replicas differ: core " + states.get(0).core() + " has fingerprint " +
                        states.get(0).fingerprint() + ", core " + states.get(i).core() + " " + states.get(i).fingerprint());
                }
            }
        }
        for (final ChaosOperation op : history)
        {
            final SortedSet<Integer> holding = new TreeSet<>();
            final SortedSet<Integer> lacking = new TreeSet<>();
            for (final ReplicaState replica : states)
            {
                final String value = replica.entries().get(op.key());
                if (null == value)
                {
                    lacking.add(replica.core());
                }
                else if (value.equals(op.value()))
                {
                    holding.add(replica.core());
                }
                else
                {
                    violations.add(describe(op) + " has value '" + value + "' on core " + replica.core() +
                        ", not the one written");
                }
            }
            switch (op.outcome())
            {
                case COMMITTED:
                    if (!lacking.isEmpty())
                    {
                        violations.add(describe(op) + " was acknowledged as committed but is missing on core(s) " + lacking);
                    }
                    break;
                case ABORTED:
                case NOT_SENT:
                    if (!holding.isEmpty())
                    {
                        violations.add(describe(op) + " was " + (ChaosOperation.Outcome.ABORTED == op.outcome() ?
                            "aborted" : "never sent") + " but is visible on core(s) " + holding);
                    }
                    break;
                case INDEFINITE:
                    if (!holding.isEmpty() && !lacking.isEmpty())
                    {
                        violations.add(describe(op) + " was indefinite and is on core(s) " + holding + " but not on " +
                            lacking);
                    }
                    break;
                default:
                    throw new IllegalStateException("unknown outcome " + op.outcome());
            }
        }
        return violations;
    }

    /** @return whether the replicas' fingerprints differed before the run. */
    public static boolean differed(final Map<Integer, ReplicaState> baseline)
    {
        return baseline.values().stream().map(ReplicaState::fingerprint).distinct().count() > 1;
    }

    private static void unchangedOutsideTheRun(final List<ChaosOperation> history, final List<ReplicaState> states,
        final Map<Integer, ReplicaState> baseline, final List<String> violations)
    {
        final java.util.Set<String> written = new java.util.HashSet<>();
        history.forEach(op -> written.add(op.key()));
        for (final ReplicaState replica : states)
        {
            final ReplicaState before = baseline.get(replica.core());
            if (null == before)
            {
                violations.add("core " + replica.core() + " did not answer before the run while the replicas differed, " +
                    "so its keys outside the run's writes cannot be checked");
                continue;
            }
            final SortedSet<String> keys = new TreeSet<>(before.entries().keySet());
            keys.addAll(replica.entries().keySet());
            keys.removeAll(written);
            for (final String key : keys)
            {
                final String was = before.entries().get(key);
                final String is = replica.entries().get(key);
                if (!Objects.equals(was, is))
                {
                    violations.add("key " + key + ", which the run did not write, changed on core " + replica.core() +
                        ": " + (null == was ? "absent" : "'" + was + "'") + " before the run, " +
                        (null == is ? "absent" : "'" + is + "'") + " after");
                }
            }
        }
    }

    private static String describe(final ChaosOperation op)
    {
        return "write #" + op.index() + " of " + op.key() + " through core " + op.core();
    }
}
