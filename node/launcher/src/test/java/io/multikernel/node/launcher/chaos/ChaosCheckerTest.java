package io.multikernel.node.launcher.chaos;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.multikernel.node.launcher.chaos.ChaosOperation.Outcome.ABORTED;
import static io.multikernel.node.launcher.chaos.ChaosOperation.Outcome.COMMITTED;
import static io.multikernel.node.launcher.chaos.ChaosOperation.Outcome.INDEFINITE;
import static io.multikernel.node.launcher.chaos.ChaosOperation.Outcome.NOT_SENT;
import static org.assertj.core.api.Assertions.assertThat;

class ChaosCheckerTest
{
    private static final List<Integer> CORES = List.of(0, 1, 2);

    private static ChaosOperation op(final int index, final String key, final ChaosOperation.Outcome outcome)
    {
        return new ChaosOperation(index, 1, key, "v" + index, 10L * index, 10L * index + 5, outcome, "");
    }

    /** Every core holds exactly these entries, with the same fingerprint. */
    private static Map<Integer, ReplicaState> agreeing(final Map<String, String> entries)
    {
        final Map<Integer, ReplicaState> replicas = new HashMap<>();
        for (final int core : CORES)
        {
            replicas.put(core, new ReplicaState(core, "f" + entries.hashCode(), new HashMap<>(entries), 0));
        }
        return replicas;
    }

    private final List<ChaosOperation> history = List.of(op(0, "a", COMMITTED), op(1, "b", ABORTED),
        op(2, "c", NOT_SENT), op(3, "d", INDEFINITE), op(4, "e", INDEFINITE));

    @Test
    void aRunThatKeptEveryPromiseHasNoViolation()
    {
        // d made it everywhere, e nowhere: both are fine for indefinite writes.
        assertThat(ChaosChecker.violations(history, agreeing(Map.of("a", "v0", "d", "v3", "other", "x")), CORES)).isEmpty();
    }

    @Test
    void replicasThatDifferedBeforeTheRunAreHeldToTheirOwnStateOutsideTheRunsKeys()
    {
        // Before the run: "partial" was written to cores 0 and 1 only (mk kv put --replicas 0,1).
        final Map<Integer, ReplicaState> before = agreeing(Map.of("other", "x"));
        before.put(0, new ReplicaState(0, "p", Map.of("other", "x", "partial", "y"), 0));
        before.put(1, new ReplicaState(1, "p", Map.of("other", "x", "partial", "y"), 0));
        final Map<Integer, ReplicaState> after = new HashMap<>();
        for (final int core : CORES)
        {
            final Map<String, String> entries = new HashMap<>(before.get(core).entries());
            entries.putAll(Map.of("a", "v0", "d", "v3"));
            after.put(core, new ReplicaState(core, "f" + entries.hashCode(), entries, 0));
        }
        assertThat(ChaosChecker.differed(before)).isTrue();
        assertThat(ChaosChecker.violations(history, after, CORES))
            .as("without the baseline the fingerprints differ").singleElement().asString().startsWith("replicas differ");
        assertThat(ChaosChecker.violations(history, after, CORES, before)).isEmpty();

        // A key outside the run that changed, appeared or vanished on a core is still caught.
        final Map<String, String> changed = new HashMap<>(after.get(2).entries());
        changed.put("other", "z");
        changed.put("partial", "y");
        after.put(2, new ReplicaState(2, "changed", changed, 0));
        final Map<String, String> lost = new HashMap<>(after.get(0).entries());
        lost.remove("partial");
        after.put(0, new ReplicaState(0, "lost", lost, 0));
        assertThat(ChaosChecker.violations(history, after, CORES, before)).containsExactly(
            "key partial, which the run did not write, changed on core 0: 'y' before the run, absent after",
            "key other, which the run did not write, changed on core 2: 'x' before the run, 'z' after",
            "key partial, which the run did not write, changed on core 2: absent before the run, 'y' after");
        // Within the run's keys the writes' own checks hold as before.
        final Map<String, String> missing = new HashMap<>(before.get(1).entries());
        after.put(1, new ReplicaState(1, "m", missing, 0));
        assertThat(ChaosChecker.violations(history, after, CORES, before))
            .contains("write #0 of a through core 1 was acknowledged as committed but is missing on core(s) [1]");
    }

    @Test
    void replicasThatAgreedBeforeTheRunMustAgreeAfterIt()
    {
        final Map<Integer, ReplicaState> after = agreeing(Map.of("a", "v0"));
        after.put(2, new ReplicaState(2, "another", Map.of("a", "v0", "stray", "s"), 0));
        assertThat(ChaosChecker.violations(history, after, CORES, agreeing(Map.of())))
            .singleElement().asString().startsWith("replicas differ: core 0 has fingerprint");
    }

    @Test
    void aLostAcknowledgedCommitIsCaught()
    {
        final Map<Integer, ReplicaState> replicas = agreeing(Map.of("a", "v0"));
        replicas.put(2, new ReplicaState(2, replicas.get(0).fingerprint(), Map.of(), 0));
        assertThat(ChaosChecker.violations(history, replicas, CORES))
            .contains("write #0 of a through core 1 was acknowledged as committed but is missing on core(s) [2]");
    }

    @Test
    void anAbortedOrUnsentWriteThatIsVisibleIsCaught()
    {
        assertThat(ChaosChecker.violations(history, agreeing(Map.of("a", "v0", "b", "v1", "c", "v2")), CORES))
            .containsExactly("write #1 of b through core 1 was aborted but is visible on core(s) [0, 1, 2]",
                "write #2 of c through core 1 was never sent but is visible on core(s) [0, 1, 2]");
    }

    @Test
    void anIndefiniteWriteOnSomeReplicasOnlyIsCaught()
    {
        final Map<Integer, ReplicaState> replicas = agreeing(Map.of("a", "v0"));
        replicas.put(1, new ReplicaState(1, replicas.get(0).fingerprint(), Map.of("a", "v0", "d", "v3"), 0));
        assertThat(ChaosChecker.violations(history, replicas, CORES))
            .containsExactly("write #3 of d through core 1 was indefinite and is on core(s) [1] but not on [0, 2]");
    }

    @Test
    void replicasThatDifferAWrongValueAMissingCoreAndDoubtAreCaught()
    {
        final Map<Integer, ReplicaState> replicas = agreeing(Map.of("a", "v0"));
        replicas.put(1, new ReplicaState(1, "other", Map.of("a", "v9"), 2));
        replicas.remove(2);
        assertThat(ChaosChecker.violations(history, replicas, CORES)).containsExactlyInAnyOrder(
            "core 2 did not come back: it did not answer after the faults were healed",
            "core 1 is still in doubt about 2 transaction(s) after the cluster settled",
            "replicas differ: core 0 has fingerprint " + replicas.get(0).fingerprint() + ", core 1 other",
            "write #0 of a through core 1 has value 'v9' on core 1, not the one written");
    }
}
