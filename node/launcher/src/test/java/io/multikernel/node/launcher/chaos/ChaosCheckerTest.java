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
