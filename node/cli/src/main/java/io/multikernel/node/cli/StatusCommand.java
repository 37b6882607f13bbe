package io.multikernel.node.cli;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.RunDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mk status}: every core of the local cluster, as it reports itself.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = { "Show every core of the cluster in the run directory: state, pid, incarnation, peers it sees up, " +
        "RTT to peers, what its process costs (resident and proportional memory, share of the machine's CPU over " +
        "half a second; '-' where the process is not on this machine) and metrics URL.",
        "Then one line per media driver the run directory started: running, paused (stopped by a signal) or gone.",
        "A core is up when it answers its /status, suspect when its process lives but does not answer (or answers " +
        "with something that is not a status, which its row then names), and down when its process is gone." },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = { "0:every core is up and sees every peer up", "1:the cluster could not be read (one line says why)", "2:bad usage",
        StatusCommand.EXIT_NOT_ALL_UP + ":the table was printed and some core is suspect or down or does not see " +
            "every peer up, or a media driver this run directory started is gone" })
final class StatusCommand implements Callable<Integer>
{
    /** Exit status when the table was printed and the cluster is not whole, so scripts can wait on it. */
    static final int EXIT_NOT_ALL_UP = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--run-dir", description = "Run directory (default: $MK_RUN_DIR, else the project's run/).")
    Path runDir;

    @Option(names = "--json", description = "Print a JSON array of cores: id, host, state, pid, incarnation, metrics_url, ...")
    boolean json;

    @Override
    public Integer call() throws InterruptedException
    {
        final RunDirectory runDirectory = RunDirectory.resolve(runDir);
        final ClusterMap map = ClusterStatus.map(runDirectory);
        final List<ClusterStatus.CoreRow> rows = ClusterStatus.withUsage(new ClusterStatus().query(map, runDirectory));
        final List<ClusterStatus.DriverRow> drivers = ClusterStatus.drivers(runDirectory);
        spec.commandLine().getOut().print(json ? ClusterStatus.json(rows) + System.lineSeparator() :
            ClusterStatus.table(rows) + ClusterStatus.stoppedLines(rows) + ClusterStatus.driverLines(drivers));
        spec.commandLine().getOut().flush();
        if (json)
        {
            // The JSON keeps its fields; why a core's answer was not a status goes where a reader looks for errors.
            rows.stream().filter(row -> null != row.problem())
                .forEach(row -> spec.commandLine().getErr().println("mk: " + row.problem()));
            ClusterStatus.stoppedLines(rows).lines().forEach(line -> spec.commandLine().getErr().println("mk: " + line));
            spec.commandLine().getErr().flush();
        }
        if (json)
        {
            drivers.stream().filter(driver -> !driver.running()).forEach(driver ->
                spec.commandLine().getErr().print("mk: " + ClusterStatus.driverLines(List.of(driver))));
            spec.commandLine().getErr().flush();
        }
        return rows.stream().allMatch(ClusterStatus.CoreRow::seesAllPeers) &&
            drivers.stream().allMatch(ClusterStatus.DriverRow::running) ? 0 : EXIT_NOT_ALL_UP;
    }
}
