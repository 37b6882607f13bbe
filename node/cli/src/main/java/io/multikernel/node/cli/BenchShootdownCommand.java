package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.multikernel.node.bench.LatencyChart;
import io.multikernel.node.bench.ShootdownBenchmark;
import io.multikernel.node.shootdown.ShootdownBenchRequest;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.transport.IdleStrategies;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mk bench shootdown}: the messaging cost of one shootdown round per protocol vs core count.
 */
@Command(name = "shootdown", mixinStandardHelpOptions = true,
    description = { "The paper's Fig. 6 on JVM cores: the messaging cost of one TLB-shootdown round per protocol and " +
        "core count.",
        "In a round core 0 sends to every other core along the protocol's plan, each acknowledges, and core 0 waits " +
        "for all. Each core count gets a fresh cluster of separate core JVMs. Prints p50/p99 latency, messages sent " +
        "by the initiator and critical-path hops; --json FILE writes the rows, --chart FILE draws them (.png or .svg)." })
final class BenchShootdownCommand implements Callable<Integer>
{
    static final int CORES_MAX = UpCommand.CORES_MAX;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--cores", split = ",", description = "Core counts, one cluster each (default: ${DEFAULT-VALUE}).",
        defaultValue = "2,4,8,16")
    List<Integer> cores;

    @Option(names = "--protocol", split = ",", description = "unicast, broadcast, multicast, topo " +
        "(default: ${DEFAULT-VALUE}).", defaultValue = "unicast,broadcast,multicast,topo")
    List<String> protocols;

    @Option(names = "--hosts", description = "Simulated hosts (packages), each with its own media driver; IPC inside, " +
        "UDP between (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int hosts;

    @Option(names = "--rounds", description = "Measured rounds per protocol (default: ${DEFAULT-VALUE}).",
        defaultValue = "1000")
    int rounds;

    @Option(names = "--warmup", description = "Rounds before measuring (default: ${DEFAULT-VALUE}).", defaultValue = "200")
    int warmup;

    @Option(names = "--idle", description = "Idle strategy of cores and drivers (default: ${DEFAULT-VALUE}).",
        defaultValue = "yielding")
    String idle;

    @Option(names = "--run-dir", description = "Where the clusters' maps and logs go (default: a new temporary directory).")
    Path runDir;

    @Option(names = "--timeout-s", description = "How long each cluster may take to start (default: ${DEFAULT-VALUE}).",
        defaultValue = "180")
    long timeoutS;

    @Option(names = "--json", description = "Also write the rows as JSON to this file.")
    Path json;

    @Option(names = "--chart", description = "Also draw the paper's Fig. 6 to this file, .png or .svg: one line per " +
        "protocol, x = cores, y = p50 latency (us).")
    Path chart;

    @Override
    public Integer call() throws Exception
    {
        io.multikernel.node.util.Usage.checkOutputFile(spec, "--json", json);
        final ShootdownBenchmark.Config config = config();
        final ShootdownBenchmark benchmark = new ShootdownBenchmark(config, System.out);
        System.out.println("mk bench shootdown: cores " + config.cores() + ", protocols " + protocols + ", " + hosts +
            " host(s), runs in " + config.runRoot());
        final List<ShootdownBenchmark.Row> rows = benchmark.run();
        return report(benchmark, rows);
    }

    /**
     * Prints the table and writes the files asked for.
     *
     * @return the exit code: 1 when a run failed or the chart could not be drawn, else 0.
     */
    int report(final ShootdownBenchmark benchmark, final List<ShootdownBenchmark.Row> rows) throws Exception
    {
        System.out.println();
        System.out.print(ShootdownBenchmark.tableHeader());
        rows.forEach(row -> System.out.print(ShootdownBenchmark.tableRow(row)));
        if (null != json)
        {
            benchmark.writeJson(json, rows);
            System.out.println("wrote " + json);
        }
        boolean charted = true;
        if (null != chart)
        {
            charted = writeChart(benchmark, rows);
        }
        if (!benchmark.failures().isEmpty())
        {
            System.err.println("mk: " + benchmark.failures().size() + " run(s) failed: " + benchmark.failures().get(0));
            return 1;
        }
        return charted ? 0 : 1;
    }

    private boolean writeChart(final ShootdownBenchmark benchmark, final List<ShootdownBenchmark.Row> rows)
        throws Exception
    {
        final LatencyChart drawn;
        try
        {
            drawn = benchmark.chart(rows);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("mk: " + ex.getMessage() + ": " + chart + " was not written");
            return false;
        }
        drawn.write(chart);
        System.out.println("wrote " + chart);
        return true;
    }

    private ShootdownBenchmark.Config config() throws Exception
    {
        Usage.check(spec, !cores.isEmpty(), "--cores is empty: give core counts such as 2,4,8");
        if (null != chart)
        {
            try
            {
                LatencyChart.formatOf(chart);
            }
            catch (final IllegalArgumentException ex)
            {
                throw Usage.error(spec, "--chart=" + chart + " ends in neither .png nor .svg: name a .png or .svg file");
            }
        }
        for (final int count : cores)
        {
            Usage.check(spec, count >= 2 && count <= CORES_MAX, "--cores=" + count + " is outside 2.." + CORES_MAX +
                ": a shootdown needs an initiator and at least one target");
            Usage.check(spec, cores.indexOf(count) == cores.lastIndexOf(count), "--cores lists " + count + " twice");
            Usage.check(spec, hosts <= count, "--hosts=" + hosts + " is more than --cores=" + count +
                ": every host needs a core");
        }
        Usage.check(spec, hosts >= 1, "--hosts=" + hosts + " is less than 1");
        final List<RoutingProtocol> parsed = new ArrayList<>();
        for (final String name : protocols)
        {
            final RoutingProtocol protocol;
            try
            {
                protocol = RoutingProtocol.fromCliName(name.trim());
            }
            catch (final IllegalArgumentException ex)
            {
                throw Usage.error(spec, "--" + ex.getMessage());
            }
            Usage.check(spec, !parsed.contains(protocol), "--protocol lists " + name + " twice");
            parsed.add(protocol);
        }
        Usage.checkRange(spec, "--rounds", rounds, 1, ShootdownBenchRequest.ROUNDS_MAX);
        Usage.checkRange(spec, "--warmup", warmup, 0, ShootdownBenchRequest.ROUNDS_MAX);
        Usage.checkRange(spec, "--timeout-s", timeoutS, 1, 3600);
        try
        {
            IdleStrategies.validate(idle);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, ex.getMessage());
        }
        final Path root = null == runDir ? Files.createTempDirectory("mk-bench-shootdown-") : runDir;
        return new ShootdownBenchmark.Config(List.copyOf(cores), List.copyOf(parsed), hosts, rounds, warmup, idle, root,
            timeoutS * 1000);
    }
}
