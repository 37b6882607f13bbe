package io.multikernel.node.cli;

import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.launcher.StrictJson;
import io.multikernel.node.launcher.chaos.ChaosFault;
import io.multikernel.node.launcher.chaos.ChaosRun;
import io.multikernel.node.launcher.chaos.ChaosWorkload;
import org.agrona.concurrent.SystemNanoClock;
import io.multikernel.node.util.Usage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code mk chaos run}: faults against the local cluster under a write load, then a verdict.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = { "Break the cluster in the run directory on purpose, then check that it kept its promises.",
        "Clients on the writing cores post replicated writes (every core a replica) while a seeded schedule kills " +
        "cores with kill -9 (each started again over its data after a while) and pauses them with SIGSTOP for longer " +
        "than the failure detector waits (then SIGCONT), one fault at a time. On a cluster started with mk up --chaos " +
        "it also partitions cores from the rest (both ways or one way), makes a core's links lossy (drop 20-50%% of " +
        "frames) or slow (20-200 ms), through the cores' link fault points.",
        "Then everything is healed, the cluster settles, and the history is checked against every replica: an " +
        "acknowledged write missing anywhere, an aborted one visible anywhere, an indefinite one on some replicas " +
        "only, replicas that differ, a transaction still in doubt, or a core that did not come back is a violation. " +
        "With --os, apps on every core also build, use and tear down address spaces, and a stale access or OS " +
        "replicas that differ are violations too.",
        "The seed is printed first; --seed replays the same schedule. Exit code 0 only without violations." })
final class ChaosRunCommand implements Callable<Integer>
{
    /** Longest run, s. */
    static final long DURATION_MAX_S = 3_600;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--run-dir", description = "Run directory of the cluster (default: $MK_RUN_DIR, else the project's run/).")
    Path runDir;

    @Option(names = "--duration-s", description = "How long the workload and the faults run, s (default: ${DEFAULT-VALUE}).",
        defaultValue = "60")
    long durationS;

    @Option(names = "--seed", description = "Seed of the fault schedule (default: a random one, printed).")
    Long seed;

    @Option(names = "--faults", split = ",", paramLabel = "KIND",
        description = "Kinds of fault: kill, pause, partition, lossy, slow (default: all five on a cluster started " +
            "with --chaos, else kill,pause; partition, lossy and slow need --chaos).")
    List<String> faults;

    @Option(names = "--writers", split = ",", paramLabel = "CORE",
        description = "Cores whose clients write (default: every core).")
    List<Integer> writers;

    @Option(names = "--os", description = "Also run the OS workload: an app per core builds, uses and tears down " +
        "address spaces (map, load, store, unmap with TLB shootdown, protect, span, shrink, retype, revoke) through " +
        "the admin API; a load that read a page after its unmap returned, or capability or page-table replicas " +
        "that differ after settling, is a violation.")
    boolean os;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws Exception
    {
        io.multikernel.node.util.Usage.checkOutputFile(spec, "--json", json);
        if (durationS < 1 || durationS > DURATION_MAX_S)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--duration-s must be 1.." + DURATION_MAX_S +
                ", not " + durationS);
        }
        final List<ChaosFault.Kind> kinds = new ArrayList<>();
        for (final String fault : null != faults ? faults : List.<String>of())
        {
            try
            {
                final ChaosFault.Kind kind = ChaosFault.Kind.of(fault);
                if (!kinds.contains(kind))
                {
                    kinds.add(kind);
                }
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--faults: " + ex.getMessage());
            }
        }
        Usage.check(spec, null == writers || writers.size() == new java.util.HashSet<>(writers).size(),
            "--writers=" + writers + " names a core twice: each writing core runs one client");
        final long runSeed = null != seed ? seed : ThreadLocalRandom.current().nextLong();
        spec.commandLine().getOut().println("seed " + runSeed);
        spec.commandLine().getOut().flush();
        final ChaosRun run = new ChaosRun(RunDirectory.resolve(runDir), System.out);
        if (kinds.isEmpty())
        {
            kinds.addAll(run.defaultKinds());
            if (kinds.isEmpty())
            {
                throw new IllegalStateException("no kind of fault can be made on this cluster: its cores' processes " +
                    "cannot be killed or paused from here (they run elsewhere, in containers for one), and its cores " +
                    "have no link fault point; start them with it (mk up --chaos, or MK_CHAOS=true for the " +
                    "docker-compose cluster) for partitions, lossy and slow links");
            }
        }
        final List<Integer> writing = null != writers ? writers : run.cores();
        final List<ChaosWorkload> workloads = os ? List.of(new ChaosOsWorkload(RunDirectory.resolve(runDir), runSeed, System.out,
            new SystemNanoClock())) : List.of();
        final ChaosRun.Report report = run.run(new ChaosRun.Settings(runSeed, durationS * 1000, kinds, writing, workloads));
        spec.commandLine().getOut().print(ChaosRun.summary(report));
        if (null != json)
        {
            Files.writeString(json, StrictJson.write(report) + System.lineSeparator(), StandardCharsets.UTF_8);
            spec.commandLine().getOut().println("JSON written to " + json);
        }
        return report.clean() ? 0 : MkCommand.EXIT_FAILURE;
    }
}
