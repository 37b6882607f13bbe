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
            if (!map.hasCore(core))
            {
                throw new IllegalStateException(map.missingCore(core));
            }
        }
        return LrpcClient.attach(new LrpcClient.Context().file(runDirectory.findLrpcFile(core)).coreId(core));
    }
}
