package io.multikernel.node.cli;

import io.multikernel.common.Setting;
import io.multikernel.common.Sizes;
import io.multikernel.node.util.Usage;
import io.multikernel.node.cluster.ClusterLimits;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.vm.VmConfiguration;
import io.multikernel.node.core.CoreCommand;
import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.CpuPlacement;
import io.multikernel.node.launcher.JitMode;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.transport.IdleStrategies;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mk up}: start a cluster on this machine and leave it running.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = { "Start a cluster on this machine: one media driver per host, one JVM per core.",
        "Waits until every core sees every other, prints the status table and leaves the cluster running.",
        "Logs go to RUN/logs; 'mk status' and 'mk down' find the cluster through the run directory.",
        "Over the data of an earlier start, each core is told by its peers what they know it committed; a core whose " +
        "write-ahead log lost some of that runs diverged, and the table's last lines say so." },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = { "0:every core is up and sees every peer", "1:the cluster could not be started (one line says why; " +
        "what was started is stopped), or it runs with a diverged core", "2:bad usage" })
final class UpCommand implements Callable<Integer>
{
    static final int CORES_MAX = 256;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--cores", description = "Number of cores (default: ${DEFAULT-VALUE}).", defaultValue = "4")
    int cores;

    @Option(names = "--hosts", description = "Simulated hosts, each with its own media driver; cores are spread " +
        "evenly, IPC inside a host and UDP between (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int hosts;

    @Option(names = "--transport", description = "Same-host transport: ipc or udp (default: ${DEFAULT-VALUE}).",
        defaultValue = "ipc")
    String transport;

    @Option(names = "--run-dir", description = "Run directory (default: $MK_RUN_DIR, else the project's run/).")
    Path runDir;

    @Option(names = "--admin-base-port", description = "Admin/metrics port of core 0; core N uses base+N " +
        "(default: ${DEFAULT-VALUE}).", defaultValue = "9400")
    int adminBasePort;

    @Option(names = "--udp-base-port", description = "UDP inbox port of core 0; core N uses base+N " +
        "(default: ${DEFAULT-VALUE}).", defaultValue = "40400")
    int udpBasePort;

    @Option(names = "--idle", description = "Idle strategy of cores and drivers: busy-spin, yielding, backoff or " +
        "sleeping (default: ${DEFAULT-VALUE}: spins, yields, then parks, up to 10 ms unless configured, so an idle cluster costs little).",
        defaultValue = "backoff")
    String idle;

    @Option(names = "--timeout-s", description = "How long to wait for every core to be up and see every other, " +
        "seconds (default: ${DEFAULT-VALUE}).",
        defaultValue = "90")
    long timeoutS;

    @Option(names = "--fsync", description = "Write-ahead log fsync policy of every core: always, group or none " +
        "(default: ${DEFAULT-VALUE}; see mk core --help).", defaultValue = "group")
    String fsync;

    @Option(names = "--cpus", description = "CPU placement of the core processes: none (the OS places them), " +
        "spread (core i on CPU i mod C) or dedicated (cores 0, 1, ... on CPUs of their own while one is left; " +
        "the other cores and apps share the rest) (default: ${DEFAULT-VALUE}). Pinning uses taskset.",
        defaultValue = "none")
    String cpus;

    @Option(names = "--memory", paramLabel = "SIZE", description = "Physical memory of each host, in bytes or with " +
        "a k, m or g suffix: whole pages of " + ClusterLimits.PAGE_LENGTH_BYTES + " bytes, at least one for each core " +
        "of a host, at most 1g " +
        "(default: ${DEFAULT-VALUE}). The cores of a host share it; its file lies beside the host's Aeron directory.",
        defaultValue = "16m")
    String memory;

    @Option(names = "--chaos", description = "Start every core with its chaos fault points: link faults (drop, " +
        "delay) per peer and direction, set with mk chaos link or the admin API's /chaos/links. Off by default.")
    boolean chaos;

    @Option(names = "--shootdown-protocol", paramLabel = "PROTOCOL", description = "Routing protocol of the TLB " +
        "shootdown of an unmap that names none: unicast, broadcast, multicast or topo (default: ${DEFAULT-VALUE}).",
        defaultValue = "multicast")
    String shootdownProtocol;

    @Option(names = "--jit", description = "How the cores' JVMs compile: c1 (C1 only: a new cluster settles at " +
        "once and each core costs less memory, but the hot path is 2 to 3 times slower) or tiered (C1, then C2 for " +
        "hot code: the fastest hot path, and about 30 s of compilation after start) (default: ${DEFAULT-VALUE}; the " +
        "benchmarks always run tiered).", defaultValue = "c1")
    String jit;

    @Override
    public Integer call() throws Exception
    {
        final ClusterLauncher.Options options = options();
        final JitMode jitMode = jitMode(spec, jit);
        final RunDirectory runDirectory = RunDirectory.resolve(runDir);
        final long startNs = System.nanoTime();
        final List<String> coreJvmArgs = new java.util.ArrayList<>(ClusterLauncher.environmentCoreJvmArgs());
        // Before the user's own options, so that MK_CORE_JAVA_OPTS can still override them.
        coreJvmArgs.addAll(0, jitMode.jvmArgs());
        coreJvmArgs.add("-D" + VmConfiguration.PROTOCOL_PROP + "=" + protocol().cliName());
        final List<ClusterStatus.CoreRow> rows = new ClusterLauncher(runDirectory, System.out, coreJvmArgs).up(options);
        System.out.printf("cluster up in %.1f s%n", (System.nanoTime() - startNs) / 1e9);
        System.out.print(ClusterStatus.table(ClusterStatus.withUsage(rows)));
        System.out.println("stop it with: mk down" + (null == runDir ? "" : " --run-dir " + runDir));
        // The cluster runs; what it says is in the table's last lines, and the exit code tells scripts.
        return rows.stream().anyMatch(ClusterStatus.CoreRow::isDiverged) ? 1 : 0;
    }

    /**
     * @param value {@code tiered} or {@code c1}, as given to {@code --jit}.
     * @return the mode, or a usage error naming the value and the choices.
     */
    static JitMode jitMode(final CommandLine.Model.CommandSpec spec, final String value)
    {
        try
        {
            return JitMode.parse(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, "--" + ex.getMessage());
        }
    }

    private RoutingProtocol protocol()
    {
        try
        {
            return RoutingProtocol.fromCliName(shootdownProtocol);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, "--shootdown-" + ex.getMessage());
        }
    }

    /** Lowest base port: below it are the ports only root may bind. */
    static final int BASE_PORT_MIN = 1024;

    private void checkBasePort(final String option, final int port)
    {
        Usage.check(spec, port >= BASE_PORT_MIN, option + "=" + port + " is below " + BASE_PORT_MIN + " (ports below it " +
            "are privileged); core N uses the base port + N");
        Usage.check(spec, (long)port + cores <= 65535, option + "=" + port + " leaves no room for " + cores +
            " cores below 65536");
    }

    private ClusterLauncher.Options options()
    {
        protocol();
        Usage.checkRange(spec, "--cores", cores, 1, CORES_MAX);
        Usage.check(spec, hosts >= 1 && hosts <= cores, "--hosts=" + hosts + " is outside 1..--cores (" + cores + ")");
        checkBasePort("--admin-base-port", adminBasePort);
        checkBasePort("--udp-base-port", udpBasePort);
        Usage.checkRange(spec, "--timeout-s", timeoutS, 1, RestartCommand.TIMEOUT_MAX_S);
        final TransportKind kind = switch (transport.toLowerCase(Locale.ROOT))
        {
            case "ipc" -> TransportKind.IPC;
            case "udp" -> TransportKind.UDP;
            default -> throw Usage.error(spec, "--transport=" + transport + " is unknown: use ipc or udp");
        };
        try
        {
            IdleStrategies.validate(idle);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, ex.getMessage());
        }
        final String fsyncPolicy = CoreCommand.fsyncPolicy(spec, fsync).name().toLowerCase(Locale.ROOT);
        return new ClusterLauncher.Options(cores, hosts, kind, adminBasePort, udpBasePort, idle, timeoutS * 1000,
            fsyncPolicy, idle, cpuPlacement(spec, "--cpus", cpus), memoryBytes(), chaos);
    }

    /**
     * @return {@code --memory} in bytes, once it is known to give every core of the fullest host a page.
     */
    private long memoryBytes()
    {
        final long bytes;
        try
        {
            bytes = Sizes.parse("--memory", memory);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, ex.getMessage());
        }
        final String problem = ClusterLimits.hostMemoryProblem(bytes);
        Usage.check(spec, null == problem, "--memory=" + memory + " " + problem);
        final int coresPerHostMax = (cores + hosts - 1) / hosts;
        final long pages = bytes / ClusterLimits.PAGE_LENGTH_BYTES;
        Usage.check(spec, pages >= coresPerHostMax, "--memory=" + memory + " holds " + pages + " page(s) of " +
            ClusterLimits.PAGE_LENGTH_BYTES + " bytes, fewer than the " + coresPerHostMax + " cores of a host; use at " +
            "least " + Setting.size((long)coresPerHostMax * ClusterLimits.PAGE_LENGTH_BYTES) + " or more --hosts");
        return bytes;
    }

    /**
     * @return the placement named by a {@code --cpus} option, on the CPUs this process may use.
     * @throws picocli.CommandLine.ParameterException naming the value, or why the placement cannot be done.
     */
    static CpuPlacement cpuPlacement(final CommandLine.Model.CommandSpec spec, final String option, final String value)
    {
        final CpuPlacement.Mode mode;
        try
        {
            mode = CpuPlacement.Mode.parse(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, option + "=" + value + " is unknown: use none, spread or dedicated");
        }
        try
        {
            return CpuPlacement.onAllowedCpus(mode);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw Usage.error(spec, option + "=" + value + ": " + ex.getMessage());
        }
    }
}
