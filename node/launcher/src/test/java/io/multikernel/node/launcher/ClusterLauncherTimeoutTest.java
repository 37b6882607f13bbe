package io.multikernel.node.launcher;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code mk up} says when its cores do not all see each other in time. */
class ClusterLauncherTimeoutTest
{
    private static final Path LOG = Path.of("run/logs/core-3.log");

    @Test
    void aCoreThatDidNotAnswerIsSaidToHaveNotAnsweredNotToSeeMinusOnePeers()
    {
        final ClusterStatus.CoreRow silent = new ClusterStatus.CoreRow(3, 0, "suspect", 77, -1, -1, -1, -1, "url", null);

        assertThat(ClusterLauncher.notAllUp(silent, 90_000, LOG, 4, 2)).isEqualTo("core 3 did not see all peers " +
            "within 90000 ms (state suspect, its admin API did not answer; log: " + LOG + ")");
    }

    @Test
    void aCrowdedMachineIsNamedWithWhatToChange()
    {
        final ClusterStatus.CoreRow late = new ClusterStatus.CoreRow(3, 0, "up", 77, 5, 40, 99, -1, "url", null);

        assertThat(ClusterLauncher.notAllUp(late, 90_000, LOG, 100, 2)).isEqualTo("core 3 did not see all peers " +
            "within 90000 ms (state up, peers up 40/99; log: " + LOG + "); 100 cores share 2 CPUs here, so a start " +
            "takes long: give more --timeout-s or start fewer --cores");
        assertThat(ClusterLauncher.notAllUp(late, 90_000, LOG, 32, 2)).as("16 cores a CPU is no crowd yet")
            .doesNotContain("share");
    }
}
