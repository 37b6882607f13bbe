package io.multikernel.node.cli;

import io.multikernel.node.util.Usage;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.lrpc.LrpcClient;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Options shared by commands that attach to a core's LRPC channel: which core, which run directory.
 */
final class LrpcAttachOptions
{
    @Option(names = "--core", required = true, description = "Id of the core to attach to.")
    int core;

    @Option(names = "--run-dir", description = "Run directory (default: $MK_RUN_DIR, else the project's run/).")
    Path runDir;

    LrpcClient attach(final CommandLine.Model.CommandSpec spec)
    {
        Usage.check(spec, core >= 0, "--core=" + core + " must not be negative");
        final RunDirectory runDirectory = RunDirectory.resolve(runDir);
        if (java.nio.file.Files.exists(runDirectory.clusterFile()))
        {
            // Where the run directory has a map (mk up), a core it does not list is named as such, not
            // taken for one that is not running.
            final io.multikernel.node.cluster.ClusterMap map = io.multikernel.node.launcher.ClusterStatus.map(runDirectory);
            // A usage error, as in every admin command: nothing was attempted.
            Usage.check(spec, map.hasCore(core), "--core=" + core + ": " + map.missingCore(core));
            final String elsewhere = onAnotherHost(map, core, System.getenv(HostCommand.HOST_ID_ENV));
            if (null != elsewhere)
            {
                throw new IllegalStateException(elsewhere);
            }
        }
        return LrpcClient.attach(new LrpcClient.Context().file(runDirectory.findLrpcFile(core)).coreId(core));
    }

    /**
     * A usage error, before anything is attempted, when the run directory's map does not list a core a
     * flag names (no map, no check: a core started by hand).
     */
    void checkInMap(final CommandLine.Model.CommandSpec spec, final String flag, final int coreId)
    {
        final RunDirectory runDirectory = RunDirectory.resolve(runDir);
        if (java.nio.file.Files.exists(runDirectory.clusterFile()))
        {
            final io.multikernel.node.cluster.ClusterMap map = io.multikernel.node.launcher.ClusterStatus.map(runDirectory);
            Usage.check(spec, map.hasCore(coreId), flag + "=" + coreId + ": " + map.missingCore(coreId));
        }
    }

    /**
     * In a host's container ({@code $MK_HOST_ID} set), a core of another host has no LRPC file here:
     * it was reported as not running.
     *
     * @return a sentence saying where the core runs, or {@code null} when it is this host's or no host is named.
     */
    static String onAnotherHost(final io.multikernel.node.cluster.ClusterMap map, final int core, final String hostIdEnv)
    {
        if (null == hostIdEnv || !hostIdEnv.strip().matches("[0-9]{1,9}"))
        {
            return null;
        }
        final int here = Integer.parseInt(hostIdEnv.strip());
        final int host = map.core(core).hostId();
        return host == here ? null : "core " + core + " runs on host " + host + ", not on this one (host " + here +
            ", $" + HostCommand.HOST_ID_ENV + "): LRPC reaches only the cores of its own host; run it there " +
            "(docker-compose exec host-" + host + " mk lrpc ...)";
    }
}
