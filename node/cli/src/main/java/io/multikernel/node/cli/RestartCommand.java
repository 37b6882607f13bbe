package io.multikernel.node.cli;

import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.RunDirectory;
import io.multikernel.node.util.Usage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code mk restart}: one core of the running local cluster, stopped and started again over its data.
 */
@Command(name = "restart", mixinStandardHelpOptions = true,
    description = { "Restart one core of the cluster in the run directory over its data directory.",
        "The core gets SIGTERM (it says goodbye) or, with --kill, SIGKILL (a crash). One that outlives --timeout-s " +
        "after SIGTERM (paused or hung) gets SIGKILL. A core that is not running is just started.",
        "Nothing is stopped when the core could not start again: no usable cluster secret, a data directory missing " +
        "or empty while other cores hold theirs, or its host's media driver gone.",
        "It comes back with the command line mk up gave it, as a new incarnation holding the same replicated state; " +
        "its output is appended to its log. Returns once it answers as up and prints the peers it sees.",
        "Its peers tell it, as it comes back, what they know it committed. When its write-ahead log lost some of " +
        "that (a disk that lost acknowledged writes, a log file cut, a data directory restored from an older copy), " +
        "it runs diverged: this says so and exits 1." },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = { "0:the core is up again", "1:it could not be restarted, or it runs diverged (one line says why)",
        "2:bad usage" })
final class RestartCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--core", required = true, paramLabel = "N", description = "The core to restart.")
    int core;

    @Option(names = "--kill", description = "SIGKILL instead of SIGTERM: the core cannot say goodbye, as in a crash.")
    boolean kill;

    @Option(names = "--run-dir", description = "Run directory (default: $MK_RUN_DIR, else the project's run/).")
    Path runDir;

    @Option(names = "--timeout-s", description = "How long the old process may take to exit, and the new one to be " +
        "up (default: ${DEFAULT-VALUE}).", defaultValue = "60")
    long timeoutS;

    /** Longest --timeout-s, as mk up's, s. */
    static final long TIMEOUT_MAX_S = 3_600;

    @Override
    public Integer call() throws Exception
    {
        Usage.checkRange(spec, "--timeout-s", timeoutS, 1, TIMEOUT_MAX_S);
        Usage.check(spec, core >= 0, "--core=" + core + " is negative: cores are numbered from 0");
        final RunDirectory runDirectory = RunDirectory.resolve(runDir);
        if (java.nio.file.Files.isRegularFile(runDirectory.clusterFile()))
        {
            final io.multikernel.node.cluster.ClusterMap map = ClusterStatus.map(runDirectory);
            Usage.check(spec, map.hasCore(core), "--core=" + core + ": " + map.missingCore(core));
        }
        final ClusterStatus.CoreRow row = new ClusterLauncher(runDirectory, System.out).restartCore(core, kill, timeoutS * 1000);
        if (row.isDiverged())
        {
            spec.commandLine().getErr().println("mk: " + row.problem());
            return 1;
        }
        spec.commandLine().getOut().printf("core %d is up again: incarnation %d, pid %d, sees %d/%d peers up%n", row.id(),
            row.incarnation(), row.pid(), Math.max(0, row.peersUp()), Math.max(0, row.peersTotal()));
        return 0;
    }
}
