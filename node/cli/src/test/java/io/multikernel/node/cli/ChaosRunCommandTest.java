package io.multikernel.node.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ChaosRunCommandTest
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
    void badFlagsAndAMissingClusterAreOneSentenceEach()
    {
        assertThat(run("chaos")).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(run("chaos", "run", "--duration-s", "0", "--run-dir", dir.toString())).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--duration-s must be 1..3600, not 0");
        assertThat(run("chaos", "run", "--faults", "kill,flood", "--run-dir", dir.toString())).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--faults: 'flood' is not a kind of fault; use kill, pause, partition, lossy, slow");
        assertThat(run("chaos", "run", "--seed", "x", "--run-dir", dir.toString())).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(run("chaos", "run", "--writers", "0,1,0", "--run-dir", dir.toString())).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--writers=[0, 1, 0] names a core twice: each writing core runs one client");
        assertThat(run("chaos", "run", "--seed", "5", "--run-dir", dir.toString())).isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(out.toString()).startsWith("seed 5");
        assertThat(err.toString()).contains("no cluster in " + dir.toAbsolutePath().normalize() + ": start one with 'mk up'")
            .doesNotContain("Exception");
        err.getBuffer().setLength(0);
        assertThat(run("chaos", "run", "--os", "--seed", "5", "--run-dir", dir.toString()))
            .isEqualTo(MkCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("no cluster in " + dir.toAbsolutePath().normalize() + ": start one with 'mk up'")
            .doesNotContain("Exception");
    }

    @Test
    void helpNamesEveryKindOfFaultAndFormatsCleanly()
    {
        // picocli reports a description it cannot format (a lone %) on System.err and prints it raw.
        final java.io.ByteArrayOutputStream systemErr = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(systemErr, true));
        try
        {
            assertThat(run("chaos", "run", "--help")).isZero();
        }
        finally
        {
            System.setErr(saved);
        }
        assertThat(out.toString()).contains("partition, lossy, slow").contains("lossy (drop 20-50% of")
            .contains("mk up --chaos").contains("--os").contains("stale access");
        assertThat(err.toString() + systemErr).doesNotContain("WARN");
    }
}
