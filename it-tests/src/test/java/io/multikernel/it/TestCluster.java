package io.multikernel.it;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.ClusterStatus;
import io.multikernel.node.launcher.ClusterStopper;
import io.multikernel.node.launcher.FreePorts;
import io.multikernel.node.launcher.RunDirectory;

import static io.multikernel.it.Await.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster of core JVMs on one host, started by the launcher in a run directory, for tests that
 * kill cores with kill -9 and start them again over their data directories (new incarnation, same
 * replicated state). It knows every core's current process; {@link #stop()} ends the restarted
 * ones and stops the launched ones.
 */
final class TestCluster
{
    /**
     * FAST_FAILURE_PROPERTIES: core settings for failure tests: a killed core is down within 1.5 s, and
     * the vote timeout is one a cold 2-CPU machine meets.
     */
    static final List<String> FAST_FAILURE_PROPERTIES = List.of("-Dmk.membership.suspect.timeout.ms=600",
        "-Dmk.membership.down.timeout.ms=1500", "-Dmk.membership.heartbeat.interval.ms=100",
        "-Dmk.core.status.publish.interval.ms=50", "-Dmk.replication.prepare.timeout=2s",
        "-Dmk.replication.admin.timeout.ms=3000");
    /** CORE_HEAP: heap of a restarted core, as the launcher gives its cores. */
    static final String CORE_HEAP = "-Xmx128m";
    /** CORE_START_TIMEOUT_S: longest a restarted core may take to print that it is up. */
    static final long CORE_START_TIMEOUT_S = 60;
    /** KILL_TIMEOUT_S: longest a kill -9 may take to end a core. */
    static final long KILL_TIMEOUT_S = 10;
    /** PEERS_UP_TIMEOUT_S: longest until a restarted core and every other core see each other up. */
    static final long PEERS_UP_TIMEOUT_S = 30;
    /** LAUNCH_TIMEOUT_MS: longest the launcher waits for every core to see every peer. */
    static final long LAUNCH_TIMEOUT_MS = 90_000;
    /** STOP_TIMEOUT_MS: longest the stopper waits for the launched processes to end. */
    static final long STOP_TIMEOUT_MS = 5_000;

    private final RunDirectory runDirectory;
    private final List<String> coreProperties;
    private final Map<Integer, Long> pids = new TreeMap<>();
    private final Set<Integer> killed = new TreeSet<>();
    private final List<ManagedProcess> restarted = new ArrayList<>();
    private ClusterMap map;
    private AdminClient admin;

    /**
     * @param root           the run directory.
     * @param coreProperties {@code -D} options of every core, launched or restarted.
     */
    TestCluster(final Path root, final List<String> coreProperties)
    {
        this.runDirectory = new RunDirectory(root);
        this.coreProperties = List.copyOf(coreProperties);
    }

    /**
     * Starts {@code cores} cores over IPC on free ports and waits until every core sees every peer.
     *
     * @return the launcher's rows, one per core.
     */
    List<ClusterStatus.CoreRow> up(final int cores) throws Exception
    {
        return up(cores, 1);
    }

    /**
     * As {@link #up(int)}, the cores spread over {@code hosts} simulated hosts (each its own media
     * driver and physical memory; URPC over UDP between hosts).
     */
    List<ClusterStatus.CoreRow> up(final int cores, final int hosts) throws Exception
    {
        return up(cores, hosts, false);
    }

    /**
     * As {@link #up(int, int)}, with every core's chaos fault points when {@code chaos} ({@code mk up --chaos}).
     */
    List<ClusterStatus.CoreRow> up(final int cores, final int hosts, final boolean chaos) throws Exception
    {
        final ClusterLauncher launcher = new ClusterLauncher(runDirectory, new PrintStream(System.out, true),
            coreProperties);
        final List<ClusterStatus.CoreRow> rows = launcher.up(new ClusterLauncher.Options(cores, hosts, TransportKind.IPC,
            FreePorts.range(cores), FreePorts.range(cores), "backoff", LAUNCH_TIMEOUT_MS, "group").withChaos(chaos));
        assertThat(rows).hasSize(cores).allMatch(ClusterStatus.CoreRow::seesAllPeers);
        map = ClusterMap.load(runDirectory.clusterFile());
        admin = new AdminClient(map);
        rows.forEach(row -> pids.put(row.id(), row.pid()));
        return rows;
    }

    RunDirectory runDirectory()
    {
        return runDirectory;
    }

    ClusterMap map()
    {
        return map;
    }

    AdminClient admin()
    {
        return admin;
    }

    /** @return the process id of the core's current process. */
    long pid(final int core)
    {
        return pids.get(core);
    }

    /**
     * kill -9 of the core's current process, which must be running, and waits until it is gone.
     *
     * @return the killed process's id.
     */
    long kill(final int core)
    {
        final long pid = pid(core);
        ProcessHandle.of(pid)
            .orElseThrow(() -> new AssertionError("core " + core + " (pid " + pid + ") is not running"))
            .destroyForcibly();
        awaitTrue("core " + core + " (pid " + pid + ") killed", () -> ProcessHandle.of(pid).isEmpty(), KILL_TIMEOUT_S);
        killed.add(core);
        return pid;
    }

    /**
     * kill -STOP of the core's current process: it stops running (no polls, votes or heartbeats) until
     * it is killed.
     */
    void pause(final int core) throws IOException, InterruptedException
    {
        pause(pid(core));
    }

    /** kill -STOP of a process; returns once every thread of it has stopped ({@link #stopped}). */
    static void pause(final long pid) throws IOException, InterruptedException
    {
        final Process signal = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).inheritIO().start();
        assertThat(signal.waitFor(KILL_TIMEOUT_S, TimeUnit.SECONDS)).as("kill -STOP %d ended", pid).isTrue();
        assertThat(signal.exitValue()).as("kill -STOP %d", pid).isZero();
        awaitTrue("every thread of pid " + pid + " stopped", () -> stopped(pid), KILL_TIMEOUT_S);
    }

    /**
     * @return true when every thread of the process is stopped by a signal (state T in
     *         /proc/PID/task/TID/stat). kill returns once SIGSTOP is queued; the kernel wakes one thread
     *         of the process to stop the others, and until that thread gets a CPU (on a busy 2-CPU
     *         machine, milliseconds) the rest keep running: enough for a core to vote on a transaction
     *         proposed after the kill returned.
     */
    static boolean stopped(final long pid)
    {
        final Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (var threads = Files.list(tasks))
        {
            for (final Path thread : threads.toList())
            {
                final String stat;
                try
                {
                    stat = Files.readString(thread.resolve("stat"));
                }
                catch (final NoSuchFileException ex)
                {
                    continue; // the thread ended
                }
                // pid (comm) state ...: comm may hold spaces and parentheses, the state follows the last ')'.
                final int end = stat.lastIndexOf(')');
                if (end < 0 || end + 2 >= stat.length() || 'T' != stat.charAt(end + 2))
                {
                    return false;
                }
            }
        }
        catch (final IOException ex)
        {
            return false; // no such process (any more)
        }
        return true;
    }

    /** Lets a core stopped by {@link #pause} run again (kill -CONT). */
    void resume(final int core) throws IOException, InterruptedException
    {
        final long pid = pid(core);
        final Process signal = new ProcessBuilder("kill", "-CONT", Long.toString(pid)).inheritIO().start();
        assertThat(signal.waitFor(KILL_TIMEOUT_S, TimeUnit.SECONDS)).as("kill -CONT %d ended", pid).isTrue();
        assertThat(signal.exitValue()).as("kill -CONT %d", pid).isZero();
    }

    /** @return the cores whose processes run: every core but those killed and not restarted since. */
    List<Integer> running()
    {
        return pids.keySet().stream().filter(core -> !killed.contains(core)).toList();
    }

    /**
     * Starts the core again over its data directory, waits until it is up and until it and every other
     * running core see each other up.
     *
     * @param logName         its stderr log under {@code target/it-logs}.
     * @param extraProperties {@code -D} options for this process only, e.g. a chaos freeze point.
     */
    ManagedProcess restart(final int core, final String logName, final List<String> extraProperties)
        throws IOException, InterruptedException
    {
        final long startMs = System.currentTimeMillis();
        final List<String> jvmArgs = new ArrayList<>(List.of(CORE_HEAP));
        jvmArgs.addAll(coreProperties);
        jvmArgs.addAll(extraProperties);
        final ManagedProcess process = ManagedProcess.startKernel(logName, jvmArgs, List.of("core", "--id", "" + core,
            "--cluster", runDirectory.clusterFile().toString(),
            "--data-dir", runDirectory.dataDirectory(core).toString()));
        restarted.add(process);
        process.awaitLine(line -> line.startsWith("core " + core + " up:"), CORE_START_TIMEOUT_S, TimeUnit.SECONDS);
        final long upMs = System.currentTimeMillis();
        pids.put(core, process.pid());
        killed.remove(core);
        final List<Integer> running = running();
        awaitTrue("restarted core " + core + " and running cores " + running + " see each other up",
            () -> admin.seeEachOther(running), PEERS_UP_TIMEOUT_S);
        System.out.println("core " + core + " restarted as " + logName + ": up in " + (upMs - startMs) +
            " ms, seen by running cores " + running + " " + (System.currentTimeMillis() - upMs) + " ms later");
        return process;
    }

    void stop() throws InterruptedException
    {
        for (final ManagedProcess process : restarted)
        {
            process.kill();
        }
        new ClusterStopper(runDirectory, System.out).down(STOP_TIMEOUT_MS);
    }
}
