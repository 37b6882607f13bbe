package io.multikernel.node.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.multikernel.node.bench.ShootdownBenchmark;
import io.multikernel.node.bench.ShootdownSummary;
import io.multikernel.node.skb.RoutingProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
            "--chart", "--idle", "Fig. 6");
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

    @Test
    void aChartFileThatIsNeitherPngNorSvgIsAUsageError()
    {
        assertUsageError("--chart=fig6.jpg ends in neither .png nor .svg: name a .png or .svg file", "--chart", "fig6.jpg");
        assertUsageError("--chart=fig6 ends in neither .png nor .svg: name a .png or .svg file", "--chart", "fig6");
    }

    @Test
    void theChartIsDrawnFromTheRows(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("charts/fig6.svg");
        final BenchShootdownCommand command = new BenchShootdownCommand();
        new CommandLine(command).parseArgs("--cores", "2,4", "--chart", file.toString());
        assertThat(command.chart).isEqualTo(file);

        final ShootdownBenchmark benchmark = new ShootdownBenchmark(new ShootdownBenchmark.Config(List.of(2, 4),
            List.of(RoutingProtocol.UNICAST, RoutingProtocol.MULTICAST), 1, 50, 10, "backoff", dir, 1000),
            new PrintStream(OutputStream.nullOutputStream()));
        final List<ShootdownBenchmark.Row> rows = List.of(
            row(RoutingProtocol.UNICAST, 2, 12_000), row(RoutingProtocol.UNICAST, 4, 20_000),
            row(RoutingProtocol.MULTICAST, 2, 13_000), row(RoutingProtocol.MULTICAST, 4, 16_000));

        assertThat(command.report(benchmark, rows)).isZero();
        final String svg = Files.readString(file);
        assertThat(svg).startsWith("<?xml").contains(">unicast</text>", ">multicast</text>");
        assertThat(svg.split("<polyline", -1)).hasSize(3);
    }

    private static ShootdownBenchmark.Row row(final RoutingProtocol protocol, final int cores, final long p50Ns)
    {
        return new ShootdownBenchmark.Row(protocol, cores, 1, new ShootdownSummary(protocol.cliName(), cores, 50, 10, 50,
            0, p50Ns, 2 * p50Ns, 3 * p50Ns, p50Ns, 1, cores - 1, 1, cores - 1, protocol.name() + " from 0", null));
    }
}
