package io.multikernel.node.launcher.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.multikernel.node.launcher.ClusterLauncher;
import io.multikernel.node.launcher.RunDirectory;

/**
 * Kill and pause faults on the core processes {@code mk up} started in a run directory: kill -9, and
 * after the fault's length {@link ClusterLauncher#restartCore} over the core's data; SIGSTOP, then
 * SIGCONT.
 */
public final class ProcessInjector implements ChaosInjector
{
    /** Longest a killed core may take to exit, or to be up again once started, ms. */
    public static final long RESTART_TIMEOUT_MS = 60_000;
    /** Longest {@code kill} may take, ms. */
    public static final long SIGNAL_TIMEOUT_MS = 10_000;
    private static final List<ChaosFault.Kind> KINDS = List.of(ChaosFault.Kind.KILL, ChaosFault.Kind.PAUSE);

    private final RunDirectory runDirectory;
    private final ClusterLauncher launcher;
    /** Cores killed and not started again yet, and cores paused and not continued yet. */
    private final Set<Integer> killed = new TreeSet<>();
    private final Set<Integer> paused = new TreeSet<>();

    /** @param runDirectory where {@code mk up} recorded the cluster's processes. */
    public ProcessInjector(final RunDirectory runDirectory)
    {
        this.runDirectory = runDirectory;
        this.launcher = new ClusterLauncher(runDirectory, new PrintStream(PrintStream.nullOutputStream()));
    }

    @Override
    public boolean makes(final ChaosFault.Kind kind)
    {
        return KINDS.contains(kind);
    }

    /** @return kill and pause when the run directory records the cores' processes ({@code mk up}), else none. */
    @Override
    public List<ChaosFault.Kind> available()
    {
        return recordsCores() ? KINDS : List.of();
    }

    @Override
    public void prepare(final List<ChaosFault.Kind> kinds)
    {
        ChaosInjector.requireMade(kinds, KINDS, "on a core's process");
        for (final ChaosFault.Kind kind : kinds)
        {
            if (!recordsCores())
            {
                throw new IllegalStateException(kind.cliName() + " faults need the cores' processes, which only mk up " +
                    "records (" + runDirectory.root() + " has none): a cluster started otherwise, such as docker-compose " +
                    "with MK_CHAOS=true, takes partition, lossy and slow");
            }
        }
    }

    private boolean recordsCores()
    {
        return runDirectory.processes().stream().anyMatch(entry -> "core".equals(entry.kind()));
    }

    @Override
    public synchronized void inject(final ChaosFault fault) throws Exception
    {
        final long pid = pid(fault.core());
        if (ChaosFault.Kind.KILL == fault.kind())
        {
            final ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() ->
                new IllegalStateException("core " + fault.core() + " (pid " + pid + ") is not running"));
            killed.add(fault.core());
            process.destroyForcibly();
            process.onExit().get(RESTART_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        else
        {
            paused.add(fault.core());
            signal("STOP", pid);
        }
    }

    @Override
    public synchronized void heal(final ChaosFault fault) throws Exception
    {
        if (ChaosFault.Kind.KILL == fault.kind())
        {
            launcher.restartCore(fault.core(), false, RESTART_TIMEOUT_MS);
            killed.remove(fault.core());
        }
        else
        {
            signal("CONT", pid(fault.core()));
            paused.remove(fault.core());
        }
    }

    @Override
    public synchronized void healAll() throws Exception
    {
        Exception failure = null;
        for (final int core : List.copyOf(paused))
        {
            try
            {
                heal(ChaosFault.process(0, ChaosFault.Kind.PAUSE, core, 0));
            }
            catch (final Exception ex)
            {
                failure = null == failure ? ex : failure;
            }
        }
        for (final int core : List.copyOf(killed))
        {
            try
            {
                heal(ChaosFault.process(0, ChaosFault.Kind.KILL, core, 0));
            }
            catch (final Exception ex)
            {
                failure = null == failure ? ex : failure;
            }
        }
        if (null != failure)
        {
            throw failure;
        }
    }

    private long pid(final int core)
    {
        return runDirectory.processes().stream().filter(e -> "core".equals(e.kind()) && e.id() == core)
            .mapToLong(RunDirectory.Entry::pid).findFirst()
            .orElseThrow(() -> new IllegalStateException("core " + core + " has no recorded process in " + runDirectory.root()));
    }

    private static void signal(final String signal, final long pid) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
        if (!kill.waitFor(SIGNAL_TIMEOUT_MS, TimeUnit.MILLISECONDS) || 0 != kill.exitValue())
        {
            throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " +
                new String(kill.getInputStream().readAllBytes()).strip());
        }
    }
}
