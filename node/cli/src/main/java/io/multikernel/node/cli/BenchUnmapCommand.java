package io.multikernel.node.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.multikernel.node.bench.LatencyChart;
import io.multikernel.node.bench.UnmapBenchmark;
import io.multikernel.node.bench.UnmapReport;
import io.multikernel.node.core.CoreCommand;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.util.Usage;
import io.multikernel.transport.IdleStrategies;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mk bench unmap}: an app's unmap latency per protocol and core count against the
 * shared-memory kernel's, the paper's Fig. 7.
 */
@Command(name = "unmap", mixinStandardHelpOptions = true,
    description = { "The paper's Fig. 7 on JVM cores: how long an app's unmap takes, per shootdown protocol and core " +
        "count, against a shared-memory kernel's.",
        "Each core count gets a fresh cluster of separate core JVMs; an app on core 0 maps a page of a domain that " +
        "spans every core and unmaps it, answered after the TLB shootdown. The baseline runs in this JVM: a thread per " +
        "core, one page table, IPIs through shared memory one after another. Prints p50/p99 and whether the paper's " +
        "shape holds; --json FILE writes the rows, --chart FILE draws them (.png or .svg)." })
final class BenchUnmapCommand implements Callable<Integer>
{
    /** Most cores a cluster of this benchmark may have: the range of the paper's Fig. 7 a single machine can host. */
    static final int CORES_MAX = 16;
    /** Most measured or warmup unmaps per protocol and count: each is a map and an unmap, both 2PCs over every core. */
    static final int ROUNDS_MAX = 100_000;
    /** REPEAT_MAX: most runs of the whole set. */
    static final int REPEAT_MAX = 20;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--cores", split = ",", description = "Core counts, one cluster each, 2.." + CORES_MAX +
        " (default: ${DEFAULT-VALUE}).", defaultValue = "2,4,8,16")
    List<Integer> cores;

    @Option(names = "--protocol", split = ",", description = "unicast, broadcast, multicast, topo " +
        "(default: ${DEFAULT-VALUE}).", defaultValue = "unicast,broadcast,multicast,topo")
    List<String> protocols;

    @Option(names = "--hosts", description = "Simulated hosts (packages), each with its own media driver; IPC inside, " +
        "UDP between (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int hosts;

    @Option(names = "--rounds", description = "Measured unmaps per protocol and core count, 1.." + ROUNDS_MAX +
        " (default: ${DEFAULT-VALUE}).", defaultValue = "300")
    int rounds;

    @Option(names = "--warmup", description = "Unmaps before measuring (default: ${DEFAULT-VALUE}).", defaultValue = "50")
    int warmup;

    @Option(names = "--fill-tlbs", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Before each unmap, load the page through an app on every other core so its TLB holds the entry " +
            "(default: ${DEFAULT-VALUE}).")
    boolean fillTlbs;

    @Option(names = "--idle", description = "Idle strategy of cores and drivers (default: ${DEFAULT-VALUE}).",
        defaultValue = "yielding")
    String idle;

    @Option(names = "--fsync", description = "Write-ahead log fsync policy of every core: always, group or none " +
        "(default: ${DEFAULT-VALUE}: the paper's unmap touches no disk, and the baseline's does not either).",
        defaultValue = "none")
    String fsync;

    @Option(names = "--run-dir", description = "Where the clusters' maps and logs go (default: a new temporary directory).")
    Path runDir;

    @Option(names = "--timeout-s", description = "How long each cluster may take to start (default: ${DEFAULT-VALUE}).",
        defaultValue = "180")
    long timeoutS;

    @Option(names = "--repeat", defaultValue = "1", description = "Runs of the whole set, every core count on a fresh " +
        "cluster each time; each row reports the medians of its runs (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--json", description = "Also write the rows and the target check as JSON to this file.")
    Path json;

    @Option(names = "--chart", description = "Also draw the paper's Fig. 7 to this file, .png or .svg: one line per " +
        "protocol and one for shared memory, x = cores, y = p50 latency (us).")
    Path chart;

    @Override
    public Integer call() throws Exception
    {
        io.multikernel.node.util.Usage.checkOutputFile(spec, "--json", json);
        final UnmapBenchmark.Config config = config();
        final UnmapBenchmark benchmark = new UnmapBenchmark(config, System.out);
        System.out.println("mk bench unmap: cores " + config.cores() + ", protocols " + protocols + ", " + hosts +
            " host(s), runs in " + config.runRoot());
        final List<UnmapReport.Row> rows = benchmark.run();
        return report(benchmark.report(rows), benchmark.failures());
    }

    /**
     * Prints the table and the target check and writes the files asked for. The target never decides
     * the exit code: on a machine with fewer CPUs than core JVMs it measures the scheduler too.
     *
     * @return the exit code: 1 when a run failed or the chart could not be drawn, else 0.
     */
    int report(final UnmapReport report, final List<String> failures) throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        out.println();
        out.print(report.table());
        if (null != json)
        {
            report.writeJson(json);
            out.println("wrote " + json);
        }
        out.flush();
        boolean charted = true;
        if (null != chart)
        {
            charted = writeChart(report);
        }
        if (!failures.isEmpty())
        {
            spec.commandLine().getErr().println("mk: " + failures.size() + " run(s) failed: " + failures.get(0));
            return 1;
        }
        return charted ? 0 : 1;
    }

    private boolean writeChart(final UnmapReport report) throws Exception
    {
        final LatencyChart drawn;
        try
        {
            drawn = report.chart();
        }
        catch (final IllegalArgumentException ex)
        {
            spec.commandLine().getErr().println("mk: " + ex.getMessage() + ": " + chart + " was not written");
            return false;
        }
        drawn.write(chart);
        spec.commandLine().getOut().println("wrote " + chart);
        return true;
    }

    UnmapBenchmark.Config config() throws Exception
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
        Usage.check(spec, hosts >= 1, "--hosts=" + hosts + " is less than 1");
        for (final int count : cores)
        {
            Usage.check(spec, count >= 2 && count <= CORES_MAX, "--cores=" + count + " is outside 2.." + CORES_MAX +
                ": an unmap needs a core to shoot down besides the initiator");
            Usage.check(spec, cores.indexOf(count) == cores.lastIndexOf(count), "--cores lists " + count + " twice");
            Usage.check(spec, hosts <= count, "--hosts=" + hosts + " is more than --cores=" + count +
                ": every host needs a core");
        }
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
        Usage.checkRange(spec, "--rounds", rounds, 1, ROUNDS_MAX);
        Usage.checkRange(spec, "--warmup", warmup, 0, ROUNDS_MAX);
        Usage.checkRange(spec, "--timeout-s", timeoutS, 1, 3600);
        Usage.checkRange(spec, "--repeat", repeat, 1, REPEAT_MAX);
        try
        {
            IdleStrategies.validate(idle);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, ex.getMessage());
        }
        final String fsyncPolicy = CoreCommand.fsyncPolicy(spec, fsync).name().toLowerCase(Locale.ROOT);
        final Path root = null == runDir ? Files.createTempDirectory("mk-bench-unmap-") : runDir;
        return new UnmapBenchmark.Config(List.copyOf(cores), List.copyOf(parsed), hosts, rounds, warmup, fillTlbs, idle,
            fsyncPolicy, root, timeoutS * 1000, repeat);
    }
}
