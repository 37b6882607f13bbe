package io.multikernel.node.launcher;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import io.multikernel.node.cluster.TransportKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk up --chaos} reaches every core as {@code mk core --chaos}; without it no core gets the flag.
 */
class ClusterLauncherChaosTest
{
    @TempDir
    Path dir;

    @Test
    void chaosIsOnTheCoresCommandLineOnlyWhenAskedFor()
    {
        final ClusterLauncher launcher = new ClusterLauncher(new RunDirectory(dir.resolve("run")),
            new PrintStream(new ByteArrayOutputStream(), true), List.of());
        final ClusterLauncher.Options options = new ClusterLauncher.Options(3, 1, TransportKind.IPC, 9400, 40400,
            "backoff", 10_000);

        assertThat(options.chaos()).as("off by default").isFalse();
        assertThat(launcher.coreArguments(2, options)).doesNotContain("--chaos")
            .containsSequence("core", "--id", "2");
        assertThat(launcher.coreArguments(2, options.withChaos(true))).endsWith("--chaos")
            .containsSequence("core", "--id", "2");
        assertThat(options.withChaos(true).withChaos(false)).isEqualTo(options);
    }
}
