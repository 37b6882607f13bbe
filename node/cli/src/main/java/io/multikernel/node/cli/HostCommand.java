package io.multikernel.node.cli;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.ClusterOverrides;
import io.multikernel.node.launcher.HostHealth;
import io.multikernel.node.launcher.HostSupervisor;
import io.multikernel.node.launcher.ClusterLauncher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mk host}: run one host of a cluster map in the foreground (a container's main process), or,
 * with {@code --check}, say whether its cores answer (the container's health check).
 */
@Command(name = "host", mixinStandardHelpOptions = true,
    description = { "Run one host of a cluster map in the foreground, as a container does: its media driver and its cores.",
        "Each core runs in a JVM of its own, after the driver; their output is forwarded with a prefix. SIGTERM stops " +
        "the cores (they say goodbye), then the driver.",
        "When one of them exits by itself the others are stopped too and mk host exits with 1, so that a restart " +
        "policy (docker, systemd, Kubernetes) starts the host again; its cores come back as new incarnations over " +
        "their data directories.",
        "With --check nothing starts: exit 0 when every core of the host answers GET /health, 1 otherwise.",
        "With --prepare-class-data-archive it installs the cores' class-data archive and exits (an image's build)." })
final class HostCommand implements Callable<Integer>
{
    /** Longest mk host waits for its processes to stop after SIGTERM, ms: both groups' grace periods and a margin. */
    static final long SHUTDOWN_WAIT_MS = 3 * HostSupervisor.STOP_TIMEOUT_MS;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--cluster", paramLabel = "FILE", defaultValue = "${env:MK_CLUSTER_MAP}",
        description = "The cluster map (YAML) (default: $MK_CLUSTER_MAP).")
    Path cluster;

    /** The environment variable that names a container's host ({@code docker-compose.yml}). */
    static final String HOST_ID_ENV = "MK_HOST_ID";

    @Option(names = "--host", paramLabel = "ID", defaultValue = "${env:MK_HOST_ID}",
        description = "Which host of the map this is (default: $MK_HOST_ID).")
    String hostIdText;
    /** {@link #hostIdText} as a number, once checked. */
    Integer hostId;

    @Option(names = "--data-root", paramLabel = "DIR", defaultValue = "${env:MK_DATA_ROOT}",
        description = "Each core's data directory (write-ahead log, snapshots) is DIR/core-N " +
            "(default: $MK_DATA_ROOT, else data/ next to the map).")
    Path dataRoot;

    @Option(names = "--idle", description = "Idle strategy of the cores and the driver: busy-spin, yielding, " +
        "backoff or sleeping (default: the map's transport.idleStrategy, else backoff).")
    String idle;

    @Option(names = "--fsync", description = "Write-ahead log fsync policy of the cores: always, group or none " +
        "(default: ${DEFAULT-VALUE}).", defaultValue = "group")
    String fsync;

    @Option(names = "--chaos", defaultValue = "${env:MK_CHAOS:-false}", description = "Start every core with its " +
        "link fault point, for mk chaos link and mk chaos run's partitions, lossy and slow links (default: $MK_CHAOS, " +
        "else false).")
    boolean chaos;

    @Option(names = "--jit", defaultValue = "${env:MK_JIT:-c1}", description = "How the cores' JVMs compile: c1 " +
        "(settles at once, less memory, slower hot path) or tiered (C1, then C2: fastest hot path) (default: $MK_JIT, " +
        "else c1; see mk up --help).")
    String jit;

    @Option(names = "--check", description = "Start nothing: exit 0 when every core of the host answers GET /health.")
    boolean check;

    @Option(names = "--prepare-class-data-archive", description = "Start no host of a map: run a short " +
        ClassDataArchiveTraining.TRAINING_CORES + "-core demo cluster in a temporary directory so that its first " +
        "core writes the cores' class-data archive, put the archive beside the kernel jar readable by every user, and " +
        "exit. An image's build runs this once: its containers' cores then map the archive (less memory per core, " +
        "faster starts) without writing one.")
    boolean prepareClassDataArchive;

    @Override
    public Integer call() throws Exception
    {
        final List<String> coreJvmArgs = new ArrayList<>(UpCommand.jitMode(spec, jit).jvmArgs());
        coreJvmArgs.addAll(ClusterLauncher.environmentCoreJvmArgs());
        if (prepareClassDataArchive)
        {
            io.multikernel.node.util.Usage.check(spec, !check, "--prepare-class-data-archive does not go with --check");
            // Given on the command line, not from the environment (an image may set $MK_CLUSTER_MAP for its hosts).
            for (final String hostOption : List.of("--cluster", "--host", "--data-root"))
            {
                io.multikernel.node.util.Usage.check(spec, !spec.commandLine().getParseResult().hasMatchedOption(hostOption),
                    "--prepare-class-data-archive does not go with " + hostOption + ": it starts no host of a map, " +
                    "only a demo cluster of its own in a temporary directory");
            }
            new ClassDataArchiveTraining(System.out).run();
            return 0;
        }
        if (null == cluster)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "no cluster map: give --cluster FILE or set $MK_CLUSTER_MAP");
        }
        if (null == hostIdText || hostIdText.isBlank())
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "no host: give --host ID or set $MK_HOST_ID");
        }
        if (!hostIdText.strip().matches("[0-9]{1,9}"))
        {
            // Said for both ways in: in a container the value came from the environment, not a flag.
            throw new CommandLine.ParameterException(spec.commandLine(), "--host (or $" + HOST_ID_ENV + ")='" +
                hostIdText + "' is not a host id: a host of the cluster map, numbered from 0");
        }
        hostId = Integer.parseInt(hostIdText.strip());
        if (null != idle && !io.multikernel.transport.IdleStrategies.NAMES.contains(idle))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--idle=" + idle + " is not one of " +
                String.join(", ", io.multikernel.transport.IdleStrategies.NAMES));
        }
        if (null != fsync)
        {
            // Checked here, before the driver starts, not by each core after it.
            io.multikernel.node.core.CoreCommand.fsyncPolicy(spec, fsync);
        }
        if (check)
        {
            final ClusterMap map = ClusterMap.load(cluster, ClusterOverrides.fromEnvironment(System.getenv()));
            final String problem = HostHealth.problem(map, hostId);
            if (null != problem)
            {
                spec.commandLine().getErr().println(problem);
                return MkCommand.EXIT_FAILURE;
            }
            spec.commandLine().getOut().println("host " + hostId + ": every core answers");
            return 0;
        }
        final Path root = null != dataRoot ? dataRoot :
            cluster.toAbsolutePath().getParent().resolve("data");
        final HostSupervisor supervisor = new HostSupervisor(new HostSupervisor.Options(cluster, hostId, root, idle, fsync,
            coreJvmArgs, chaos), System.out);
        final Thread onSigterm = new Thread(() ->
        {
            try
            {
                supervisor.stop(SHUTDOWN_WAIT_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "mk host shutdown");
        Runtime.getRuntime().addShutdownHook(onSigterm);
        final int status = supervisor.run();
        try
        {
            Runtime.getRuntime().removeShutdownHook(onSigterm);
        }
        catch (final IllegalStateException ex)
        {
            // Already shutting down: the hook has stopped everything.
        }
        return status;
    }
}
