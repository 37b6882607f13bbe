package io.multikernel.node.cli;

import io.multikernel.node.launcher.ClusterStopper;
import io.multikernel.node.launcher.RunDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code mk down}: stop the local cluster cleanly.
 */
@Command(name = "down", mixinStandardHelpOptions = true,
    description = { "Stop the cluster in the run directory: SIGTERM the cores (they say goodbye), then the drivers.",
        "Whatever outlives the timeout gets SIGKILL; then each host's memory file is removed, with what processes " +
        "that were killed or died left behind: a media driver's directory, a core's LRPC file.",
        "Logs, the cluster map and the cores' data stay; the next mk up keeps this start's logs as logs/*.log.1." })
final class DownCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--run-dir", description = "Run directory (default: $MK_RUN_DIR, else the project's run/).")
    Path runDir;

    @Option(names = "--timeout-s", description = "Grace period per group, 1.." + RestartCommand.TIMEOUT_MAX_S +
        " (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    long timeoutS;

    @Override
    public Integer call() throws Exception
    {
        io.multikernel.node.util.Usage.checkRange(spec, "--timeout-s", timeoutS, 1, RestartCommand.TIMEOUT_MAX_S);
        final RunDirectory runDirectory = RunDirectory.resolve(runDir);
        final int stopped;
        try (io.multikernel.common.ProcessLock change = runDirectory.lockForChange("mk down"))
        {
            stopped = new ClusterStopper(runDirectory, System.out).down(timeoutS * 1000);
        }
        final String elsewhere = 0 == stopped ? runDirectory.notStartedHere() : null;
        if (null != elsewhere)
        {
            throw new IllegalStateException("nothing stopped: " + elsewhere);
        }
        spec.commandLine().getOut().println(0 == stopped ? "no cluster running in " + runDirectory.root() :
            "stopped " + stopped + " process(es) in " + runDirectory.root());
        return 0;
    }
}
