package io.multikernel.node.core;

import io.multikernel.common.ClusterSecret;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.SecretFiles;
import io.multikernel.node.util.CommandLines;
import io.multikernel.node.util.Usage;
import io.multikernel.node.cluster.ClusterOverrides;
import io.multikernel.node.cluster.OverrideField;
import io.multikernel.replication.ReplicationConfiguration;
import io.multikernel.replication.wal.FsyncPolicy;
import io.multikernel.transport.IdleStrategies;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;
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
        "Environment variables MK_CORE_<id>_..., MK_HOST_<id>_... and MK_TRANSPORT_... override map fields.",
        "Chaos hook for failure tests, off by default: the system property mk.chaos.freeze, set to after-prepare " +
            "or after-commit-decision." })
public final class CoreCommand implements Callable<Integer>
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

    @Option(names = "--idle", description = "Idle strategy of the kernel loop: busy-spin, yielding, backoff or " +
        "sleeping (default: the map's transport.idleStrategy, else mk.core.idle, else backoff).")
    String idle;

    @Option(names = "--secret-file", description = "The cluster secret (URPC frame key, admin token), owner-only " +
        "(default: $MK_CLUSTER_SECRET_FILE, else the map's transport.secretFile, else cluster.secret next to the map).")
    Path secretFile;

    @Option(names = "--data-dir", description = "Data directory (write-ahead log, snapshots), stable across restarts " +
        "of this core id (default: $MK_CORE_<id>_DATA_DIR, else data/core-<id> next to the cluster map).")
    Path dataDirectory;

    @Option(names = "--fsync", description = "When the write-ahead log is fsynced: always (each forced record), " +
        "group (once per duty cycle for all records; same promise) or none (survives kill -9 only, not an OS crash " +
        "or power loss) (default: mk.replication.fsync, else group).")
    String fsync;

    @Option(names = "--chaos", description = "Give the core its chaos fault points: link faults (drop, delay) per " +
        "peer and direction, set through the admin API's /chaos/links (default: mk.chaos.enabled, else off).")
    boolean chaos;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        if (null != idle)
        {
            try
            {
                IdleStrategies.validate(idle);
            }
            catch (final IllegalArgumentException ex)
            {
                throw Usage.error(spec, "--idle=" + idle + ": " + ex.getMessage());
            }
        }
        final FsyncPolicy fsyncPolicy = fsyncPolicy(spec, fsync);
        final ClusterOverrides overrides = ClusterOverrides.fromEnvironment(System.getenv())
            .and(ClusterOverrides.fromAssignments(assignments));
        final ClusterMap map = ClusterMap.load(cluster, overrides);
        final Path run = null != runDir ? runDir : cluster.toAbsolutePath().getParent();
        final CoreContext ctx = new CoreContext().clusterMap(map).coreId(id).idleStrategy(idle)
            .lrpcDirectory(run.resolve("lrpc"))
            .fsyncPolicy(fsyncPolicy).dataDirectory(dataDirectory(overrides))
            .clusterSecret(ClusterSecret.load(SecretFiles.forCore(secretFile, System.getenv(), cluster, map)));
        if (null != aeronDirectory)
        {
            ctx.aeronDirectory(aeronDirectory);
        }
        if (chaos)
        {
            ctx.chaos(true);
        }
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            CoreProcess core = CoreProcess.start(ctx, barrier))
        {
            core.printBanner(System.out);
            barrier.await();
            if (null != core.failure())
            {
                throw new IllegalStateException("core " + id + " stopped: " + CommandLines.oneLine(core.failure()));
            }
        }
        System.out.println("core " + id + " stopped");
        return 0;
    }

    private Path dataDirectory(final ClusterOverrides overrides)
    {
        if (null != dataDirectory)
        {
            return dataDirectory;
        }
        final String overridden = overrides.entries().get(OverrideField.CORE_DATA_DIR.key(id));
        if (null != overridden && !overridden.isBlank())
        {
            return Path.of(overridden);
        }
        final Path parent = cluster.toAbsolutePath().getParent();
        return (null == parent ? Path.of(".") : parent).resolve("data").resolve("core-" + id);
    }

    /**
     * @param flag the --fsync value, or null for the configured default.
     * @return the policy.
     */
    public static FsyncPolicy fsyncPolicy(final CommandLine.Model.CommandSpec spec, final String flag)
    {
        try
        {
            return null == flag ? ReplicationConfiguration.fsyncPolicy() : FsyncPolicy.parse(flag);
        }
        catch (final IllegalArgumentException ex)
        {
            throw Usage.error(spec, "--fsync=" + flag + " is unknown: use always, group or none");
        }
    }
}
