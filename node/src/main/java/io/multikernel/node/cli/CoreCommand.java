package io.multikernel.node.cli;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.ClusterOverrides;
import io.multikernel.node.core.CoreContext;
import io.multikernel.node.core.CoreProcess;
import io.multikernel.transport.IdleStrategies;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mk core}: one core of a cluster, as this process.
 */
@Command(name = "core", mixinStandardHelpOptions = true,
    description = { "Run one core of the cluster map in this process until SIGTERM or Ctrl-C.",
        "The host's media driver must be running (mk driver), unless the map's host names another directory.",
        "Environment variables MK_CORE_<id>_..., MK_HOST_<id>_... and MK_TRANSPORT_... override map fields." })
final class CoreCommand implements Callable<Integer>
{
    @Option(names = "--id", required = true, description = "This core's id in the cluster map.")
    int id;

    @Option(names = "--cluster", required = true, description = "The cluster map (YAML).")
    Path cluster;

    @Option(names = "--aeron-dir", description = "Media driver directory (default: the map's host aeronDir, " +
        "else the transport default).")
    String aeronDirectory;

    @Option(names = "--run-dir", description = "Run directory; the core's LRPC file goes to RUN/lrpc/core-<id>.lrpc " +
        "(default: the directory of --cluster).")
    Path runDir;

    @Option(names = "--set", description = "Override a map field, e.g. --set MK_CORE_1_ADMIN_PORT=9500 (repeatable).")
    List<String> assignments = new ArrayList<>();

    @Option(names = "--idle", description = "Idle strategy of the kernel loop (default: ${DEFAULT-VALUE}).",
        defaultValue = "backoff")
    String idle;

    @Override
    public Integer call()
    {
        IdleStrategies.validate(idle);
        final ClusterOverrides overrides = ClusterOverrides.fromEnvironment(System.getenv())
            .and(ClusterOverrides.fromAssignments(assignments));
        final ClusterMap map = ClusterMap.load(cluster, overrides);
        final Path run = null != runDir ? runDir : cluster.toAbsolutePath().getParent();
        final CoreContext ctx = new CoreContext().clusterMap(map).coreId(id).idleStrategy(idle)
            .lrpcDirectory(run.resolve("lrpc"));
        if (null != aeronDirectory)
        {
            ctx.aeronDirectory(aeronDirectory);
        }
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            CoreProcess core = CoreProcess.start(ctx, barrier))
        {
            core.printBanner(System.out);
            barrier.await();
            if (null != core.failure())
            {
                throw new IllegalStateException("core " + id + " stopped: " + MkCommand.oneLine(core.failure()));
            }
        }
        System.out.println("core " + id + " stopped");
        return 0;
    }
}
