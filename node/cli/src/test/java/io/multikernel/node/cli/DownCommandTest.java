package io.multikernel.node.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DownCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        return MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void aTimeoutOutsideItsRangeIsAUsageErrorBeforeAnythingIsSignalled()
    {
        assertThat(run("down", "--timeout-s", "-1", "--run-dir", dir.toString())).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--timeout-s=-1 is outside 1..3600");
        assertThat(run("down", "--timeout-s", "0", "--run-dir", dir.toString())).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(run("down", "--timeout-s", "10000000000000000", "--run-dir", dir.toString()))
            .as("a timeout whose milliseconds would overflow").isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(out.toString()).doesNotContain("stopped");
    }

    @Test
    void withoutAClusterItSaysSo()
    {
        assertThat(run("down", "--run-dir", dir.toString())).isZero();
        assertThat(out.toString()).contains("no cluster running in");
    }
}
