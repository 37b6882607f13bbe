package io.multikernel.node.cli;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the OS workload of a chaos run counts as a violation beside stale accesses and differing replicas. */
class ChaosOsWorkloadTest
{
    @Test
    void everyAppThatStoppedOnSomethingItCouldNotExplainIsAViolation()
    {
        final DemoStaleAccessChecker checker = new DemoStaleAccessChecker();
        checker.onUnmapReturned(7, 100);
        IllegalStateException reused = null;
        try
        {
            checker.onUnmapReturned(7, 200);
        }
        catch (final IllegalStateException ex)
        {
            reused = ex;
        }
        assertThat(reused).as("the checker refuses a mapping id unmapped twice").isNotNull();

        final Map<Integer, Throwable> failures = new TreeMap<>(Map.of(3, reused,
            1, new IllegalStateException("an answer without its outcome")));
        assertThat(ChaosOsWorkload.stoppedApps(failures)).containsExactly(
            "the OS workload's app on core 1 stopped: an answer without its outcome",
            "the OS workload's app on core 3 stopped: " + reused.getMessage());
        assertThat(ChaosOsWorkload.stoppedApps(Map.of())).isEmpty();
    }
}
