package io.multikernel.node.cli;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.util.Usage;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mk demo}: the multikernel's address spaces under load, and the proof that they stay correct.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = { "Start a cluster, run apps that build, use and tear down address spaces on every core, and check " +
        "that no core used a translation after its unmap returned and that every replica agrees.",
        "One app per core (threads of this JVM, each over its core's LRPC channel) creates domains over different " +
        "core sets, then maps fresh frames (retyped from its RAM; RAM is revoked and allocated again), stores each " +
        "mapping's id at its page start, loads and stores at mappings any app published, unmaps, protects, and " +
        "moves cores in and out of domains. A load issued after an unmap returned that still reads that mapping's " +
        "id is a stale access. At the end every core's capability fingerprint, and each domain's page-table " +
        "fingerprint on the cores that run it, must agree.",
        "With --attach it runs against the cluster already running in the run directory (mk up, or a docker-compose " +
        "cluster through its cluster map and secret): apps use their core's LRPC channel when it is on this host and " +
        "its admin API otherwise, and what the demo made is taken away at the end; the cluster keeps running.",
        "Exit code 0 when there is no stale access and the replicas agree, 1 otherwise, 2 for a bad flag; interrupted " +
        "(130 for Ctrl-C, 143 for SIGTERM) it stops the cluster it started and leaves its logs in its run directory." })
final class DemoCommand implements Callable<Integer>
{
    /**
     * The exit code of a run interrupted by Ctrl-C, as a shell reports one; the JVM itself ends a run
     * stopped by a signal with 128 + the signal (143 for SIGTERM).
     */
    static final int EXIT_INTERRUPTED = 130;
    /** CORES_MIN, CORES_MAX: the demo's cluster sizes. */
    static final int CORES_MIN = 2;
    static final int CORES_MAX = 16;
    /** DURATION_MIN_NS, DURATION_MAX_NS: how long the mix may run. */
    static final long DURATION_MIN_NS = TimeUnit.SECONDS.toNanos(1);
    static final long DURATION_MAX_NS = TimeUnit.HOURS.toNanos(1);
    /** RATE_MAX_PER_S: the highest --rate taken, steps per second per core. */
    static final int RATE_MAX_PER_S = 1_000_000;
    /** A --duration: a whole number and a unit. java.time.Duration.parse wants ISO-8601 (PT15S), not 15s. */
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--cores", description = "Cores of the cluster, " + CORES_MIN + ".." + CORES_MAX +
        " (default: ${DEFAULT-VALUE}).", defaultValue = "4")
    int cores;

    @Option(names = "--hosts", description = "Simulated hosts, each with its own media driver (default: ${DEFAULT-VALUE}).",
        defaultValue = "1")
    int hosts;

    @Option(names = "--duration", description = "How long the mix runs: a whole number with ms, s, m or h, " +
        "1s..1h (default: ${DEFAULT-VALUE}).", defaultValue = "15s")
    String duration;

    @Option(names = "--rate", paramLabel = "OPS_PER_S_PER_CORE", description = "Steps per second of each app at most; " +
        "0 for as fast as the core answers (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    int rate;

    @Option(names = "--protocol", description = "TLB-shootdown protocol of every unmap, protect and shrink: unicast, " +
        "broadcast, multicast, topo, or mixed (each takes the next in turn) (default: ${DEFAULT-VALUE}).",
        defaultValue = "mixed")
    String protocol;

    @Option(names = "--mix", description = "Percent of each step, adding up to 100; keys load, store, map, unmap, " +
        "protect, span, shrink, retype, revoke (default: ${DEFAULT-VALUE}).", defaultValue = DemoMix.DEFAULT)
    String mix;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the summary as JSON to this file.")
    Path json;

    @Option(names = "--keep", description = "Leave the cluster running at the end (stop it with mk down --run-dir ...).")
    boolean keep;

    @Option(names = "--run-dir", description = "The cluster's run directory (default: a new temporary directory, " +
        "removed after a passing run unless --keep; with --attach: $MK_RUN_DIR, else the project's run/).")
    Path runDir;

    @Option(names = "--attach", description = "Run against the cluster running in the run directory instead of " +
        "starting one; its cores must be numbered 0..N-1.")
    boolean attach;

    @Option(names = "--seed", description = "Seed of the apps' choices (default: a new one, printed).")
    Long seed;

    @Option(names = "--timeout-s", description = "How long the cluster may take to start, or with --attach to have " +
        "every core up and seeing every peer (default: ${DEFAULT-VALUE}).",
        defaultValue = "120")
    long timeoutS;

    @Override
    public Integer call() throws Exception
    {
        io.multikernel.node.util.Usage.checkOutputFile(spec, "--json", json);
        final DemoRun.Config config = config();
        final DemoRun run = new DemoRun(config, System.out, new SystemNanoClock());
        final DemoSummary summary;
        try
        {
            summary = run.run();
        }
        catch (final Exception ex)
        {
            if (run.exitRequested())
            {
                // Ctrl-C or SIGTERM: the shutdown hook said so and stopped the cluster; what failed after is its doing.
                return EXIT_INTERRUPTED;
            }
            throw ex;
        }
        if (run.exitRequested())
        {
            return EXIT_INTERRUPTED;
        }
        if (DemoSummary.PASS.equals(summary.verdict()))
        {
            return 0;
        }
        spec.commandLine().getErr().println("mk: demo failed: " + summary.reason());
        return MkCommand.EXIT_FAILURE;
    }

    /** @return the run's settings, every flag checked before anything starts. */
    DemoRun.Config config() throws Exception
    {
        Usage.checkRange(spec, "--cores", cores, CORES_MIN, CORES_MAX);
        Usage.check(spec, hosts >= 1 && hosts <= cores, "--hosts=" + hosts + " is outside 1..--cores (" + cores +
            "): every host needs a core");
        final long durationNs = durationNs(duration);
        Usage.checkRange(spec, "--rate", rate, 0, RATE_MAX_PER_S);
        Usage.checkRange(spec, "--timeout-s", timeoutS, 1, 3600);
        final RoutingProtocol chosen;
        if ("mixed".equals(protocol.toLowerCase(Locale.ROOT)))
        {
            chosen = null;
        }
        else
        {
            try
            {
                chosen = RoutingProtocol.fromCliName(protocol);
            }
            catch (final IllegalArgumentException ex)
            {
                throw Usage.error(spec, "--protocol=" + protocol + " is not one of unicast, broadcast, multicast, topo, mixed");
            }
        }
        final DemoMix parsed;
        try
        {
            parsed = DemoMix.parse(mix);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, ex.getMessage());
        }
        final long chosenSeed = null == seed ? System.nanoTime() : seed;
        if (attach)
        {
            for (final String flag : List.of("--cores", "--hosts", "--keep"))
            {
                Usage.check(spec, !spec.commandLine().getParseResult().hasMatchedOption(flag), flag +
                    " does not go with --attach: the running cluster's map says how many cores and hosts it has, " +
                    "and it keeps running");
            }
            final RunDirectory directory = RunDirectory.resolve(runDir);
            final ClusterMap map = ClusterStatus.map(directory);
            final int[] ids = map.coreIds();
            Usage.check(spec, ids.length >= CORES_MIN && ids.length <= CORES_MAX, "the cluster in " + directory.root() +
                " has " + ids.length + " cores; the demo runs on " + CORES_MIN + ".." + CORES_MAX);
            for (int i = 0; i < ids.length; i++)
            {
                Usage.check(spec, ids[i] == i, "the cluster in " + directory.root() + " has cores " +
                    Arrays.toString(ids) + "; the demo needs them numbered 0.." + (ids.length - 1));
            }
            return new DemoRun.Config(ids.length, map.hosts().size(), durationNs, rate, chosen, parsed, json, false,
                directory, chosenSeed, TimeUnit.SECONDS.toMillis(timeoutS), true, false);
        }
        if (null != runDir && Files.exists(runDir.resolve("data")))
        {
            throw Usage.error(spec, "--run-dir=" + runDir + " holds the data of an earlier cluster: the demo starts " +
                "empty, so name a new directory");
        }
        final Path root = null == runDir ? Files.createTempDirectory("mk-demo-") : runDir;
        return new DemoRun.Config(cores, hosts, durationNs, rate, chosen, parsed, json, keep, new RunDirectory(root),
            chosenSeed, TimeUnit.SECONDS.toMillis(timeoutS), false, null == runDir);
    }

    private long durationNs(final String text)
    {
        final Matcher matcher = DURATION.matcher(text.trim());
        Usage.check(spec, matcher.matches(), "--duration=" + text + " is not a whole number with a unit ms, s, m or h, " +
            "such as 15s");
        final long value = Long.parseLong(matcher.group(1));
        final TimeUnit unit = switch (matcher.group(2))
        {
            case "ms" -> TimeUnit.MILLISECONDS;
            case "s" -> TimeUnit.SECONDS;
            case "m" -> TimeUnit.MINUTES;
            default -> TimeUnit.HOURS;
        };
        final long nanos = unit.toNanos(value);
        Usage.check(spec, nanos >= DURATION_MIN_NS && nanos <= DURATION_MAX_NS, "--duration=" + text +
            " is outside 1s..1h");
        return nanos;
    }
}
