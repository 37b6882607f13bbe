package io.multikernel.node.cli;

import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.util.Usage;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
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
        "Exit code 0 when there is no stale access and the replicas agree, 1 otherwise, 2 for a bad flag." })
final class DemoCommand implements Callable<Integer>
{
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

    @Option(names = "--run-dir", description = "The cluster's run directory (default: a new temporary directory).")
    Path runDir;

    @Option(names = "--seed", description = "Seed of the apps' choices (default: a new one, printed).")
    Long seed;

    @Option(names = "--timeout-s", description = "How long the cluster may take to start (default: ${DEFAULT-VALUE}).",
        defaultValue = "120")
    long timeoutS;

    @Override
    public Integer call() throws Exception
    {
        final DemoRun.Config config = config();
        final DemoSummary summary = new DemoRun(config, System.out, new SystemNanoClock()).run();
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
        if (null != runDir && Files.exists(runDir.resolve("data")))
        {
            throw Usage.error(spec, "--run-dir=" + runDir + " holds the data of an earlier cluster: the demo starts " +
                "empty, so name a new directory");
        }
        final Path root = null == runDir ? Files.createTempDirectory("mk-demo-") : runDir;
        final long chosenSeed = null == seed ? System.nanoTime() : seed;
        return new DemoRun.Config(cores, hosts, durationNs, rate, chosen, parsed, json, keep, new RunDirectory(root),
            chosenSeed, TimeUnit.SECONDS.toMillis(timeoutS));
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
