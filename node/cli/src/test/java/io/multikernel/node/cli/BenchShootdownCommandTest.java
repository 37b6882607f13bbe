package io.multikernel.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk bench shootdown}: every bad flag is a usage error (exit 2) with one line naming the flag
 * and the value, found before any cluster is started.
 */
class BenchShootdownCommandTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final String[] full = new String[args.length + 2];
        full[0] = "bench";
        full[1] = "shootdown";
        System.arraycopy(args, 0, full, 2, args.length);
        return MkCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
    }

    private void assertUsageError(final String expected, final String... args)
    {
        err.getBuffer().setLength(0);
        assertThat(run(args)).as(String.join(" ", args)).isEqualTo(MkCommand.EXIT_USAGE);
        assertThat(err.toString()).as(String.join(" ", args)).startsWith("mk: ").contains(expected)
            .doesNotContain("\tat ");
    }

    @Test
    void helpListsEveryOption()
    {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--cores", "--protocol", "--hosts", "--rounds", "--warmup", "--json",
            "--idle", "Fig. 6");
    }

    @Test
    void badCoreCountsAreUsageErrors()
    {
        assertUsageError("--cores=1 is outside 2..256", "--cores", "1");
        assertUsageError("--cores=300 is outside 2..256", "--cores", "2,300");
        assertUsageError("--cores lists 4 twice", "--cores", "4,4");
        assertUsageError("--cores", "--cores", "four");
    }

    @Test
    void badProtocolsAreUsageErrors()
    {
        assertUsageError("--protocol=ring is not one of unicast, broadcast, multicast, topo", "--protocol", "ring");
        assertUsageError("--protocol lists topo twice", "--protocol", "topo,unicast,topo");
    }

    @Test
    void badCountsAndStrategiesAreUsageErrors()
    {
        assertUsageError("--hosts=3 is more than --cores=2: every host needs a core", "--cores", "2,4", "--hosts", "3");
        assertUsageError("--hosts=0 is less than 1", "--hosts", "0");
        assertUsageError("--rounds=0 is outside 1..1000000", "--rounds", "0");
        assertUsageError("--warmup=-5 is outside 0..1000000", "--warmup", "-5");
        assertUsageError("--timeout-s=0 is outside 1..3600", "--timeout-s", "0");
        assertUsageError("idle strategy 'nap' is unknown", "--idle", "nap");
        assertUsageError("--no-such-flag", "--no-such-flag");
    }
}
