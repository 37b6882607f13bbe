package io.multikernel.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.multikernel.node.bench.UnmapBenchmark;
import io.multikernel.node.bench.UnmapReport;
import io.multikernel.node.skb.RoutingProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mk bench unmap}: options parse into the benchmark's configuration, every bad flag is a usage
 * error (exit 2) with one line naming the flag and the value, found before any cluster is started, and
 * the report prints, writes and draws what it is given whatever the target's verdict.
 */
class BenchUnmapCommandTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final String[] full = new String[args.length + 2];
        full[0] = "bench";
        full[1] = "unmap";
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
            "--chart", "--[no-]fill-tlbs", "--fsync", "--repeat", "Fig. 7", "shared-memory");
    }

    @Test
    void optionsBecomeTheConfiguration(@TempDir final Path dir) throws Exception
    {
        final BenchUnmapCommand command = parse("--cores", "2,8,16", "--protocol", "topo, unicast", "--hosts", "2",
            "--rounds", "40", "--warmup", "0", "--no-fill-tlbs", "--fsync", "group", "--repeat", "3", "--run-dir",
            dir.toString());

        assertThat(command.config()).isEqualTo(new UnmapBenchmark.Config(List.of(2, 8, 16),
            List.of(RoutingProtocol.TOPOLOGY_AWARE_MULTICAST, RoutingProtocol.UNICAST), 2, 40, 0, false, "yielding",
            "group", dir, 180_000, 3));
        final UnmapBenchmark.Config defaults = parse("--run-dir", dir.toString()).config();
        assertThat(defaults.cores()).containsExactly(2, 4, 8, 16);
        assertThat(defaults.protocols()).containsExactly(RoutingProtocol.values());
        assertThat(defaults.fillTlbs()).isTrue();
        assertThat(defaults.fsync()).isEqualTo("none");
        assertThat(defaults.repeat()).isEqualTo(1);
    }

    @Test
    void badCoreCountsAreUsageErrors()
    {
        assertUsageError("--cores=1 is outside 2..16: an unmap needs a core to shoot down besides the initiator",
            "--cores", "1");
        assertUsageError("--cores=17 is outside 2..16", "--cores", "2,17");
        assertUsageError("--cores lists 4 twice", "--cores", "4,4");
        assertUsageError("--cores", "--cores", "four");
        assertUsageError("--hosts=3 is more than --cores=2: every host needs a core", "--cores", "2,4", "--hosts", "3");
        assertUsageError("--hosts=0 is less than 1", "--hosts", "0");
    }

    @Test
    void badProtocolsAreUsageErrors()
    {
        assertUsageError("--protocol=ring is not one of unicast, broadcast, multicast, topo", "--protocol", "ring");
        assertUsageError("--protocol lists topo twice", "--protocol", "topo,unicast,topo");
    }

    @Test
    void badCountsPoliciesAndChartsAreUsageErrors()
    {
        assertUsageError("--rounds=0 is outside 1..100000", "--rounds", "0");
        assertUsageError("--rounds=100001 is outside 1..100000", "--rounds", "100001");
        assertUsageError("--warmup=-5 is outside 0..100000", "--warmup", "-5");
        assertUsageError("--timeout-s=0 is outside 1..3600", "--timeout-s", "0");
        assertUsageError("--repeat=0 is outside 1..20", "--repeat", "0");
        assertUsageError("--repeat=21 is outside 1..20", "--repeat", "21");
        assertUsageError("idle strategy 'nap' is unknown", "--idle", "nap");
        assertUsageError("--fsync=sometimes is unknown: use always, group or none", "--fsync", "sometimes");
        assertUsageError("--chart=fig7.jpg ends in neither .png nor .svg: name a .png or .svg file", "--chart", "fig7.jpg");
        assertUsageError("--no-such-flag", "--no-such-flag");
    }

    @Test
    void theReportPrintsWritesAndDrawsAndATargetThatDoesNotHoldStillExitsZero(@TempDir final Path dir) throws Exception
    {
        final Path json = dir.resolve("out/unmap.json");
        final Path chart = dir.resolve("charts/fig7.svg");
        final BenchUnmapCommand command = parse("--cores", "2,4", "--json", json.toString(), "--chart", chart.toString());
        final UnmapReport report = UnmapReport.of(50, 10, true, "none", List.of(
            new UnmapReport.Row("unicast", 2, 1, 100, 150, 40), new UnmapReport.Row("unicast", 4, 1, 120, 190, 50),
            new UnmapReport.Row("multicast", 2, 1, 110, 160, 45), new UnmapReport.Row("multicast", 4, 1, 200, 290, 90),
            new UnmapReport.Row("shared-memory", 2, 1, 3, 5, 3), new UnmapReport.Row("shared-memory", 4, 1, 6, 9, 6)));

        assertThat(command.report(report, List.of())).isZero();
        assertThat(out.toString()).contains("multicast         4     1      200.0      290.0           90.0",
            "does not hold: unicast 120.0 us at 4 cores (+20.0 us from 2), multicast 200.0 us (+90.0 us)",
            "wrote " + json, "wrote " + chart);
        assertThat(Files.readString(json)).contains("\"verdict\":\"does not hold\"", "\"protocol\":\"shared-memory\"");
        assertThat(Files.readString(chart).split("<polyline", -1)).as("unicast, multicast, shared-memory").hasSize(4);

        assertThat(command.report(report, List.of("topo on 4 cores: unmap failed"))).isOne();
        assertThat(err.toString()).contains("mk: 1 run(s) failed: topo on 4 cores: unmap failed");
    }

    private BenchUnmapCommand parse(final String... args)
    {
        final BenchUnmapCommand command = new BenchUnmapCommand();
        new CommandLine(command).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).parseArgs(args);
        return command;
    }
}
