package io.multikernel.node.launcher;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.ClusterOverrides;
import io.multikernel.node.cluster.CoreDescriptor;
import io.multikernel.node.cluster.HostDescriptor;
import io.multikernel.node.core.KernelMain;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code mk host}: one host of a cluster map in the foreground, as a container or a service manager
 * runs it. It starts the host's media driver, waits until it runs, then starts each of the host's
 * cores, each in a JVM of its own, and forwards their output line by line with a prefix
 * ({@code [driver]}, {@code [core 1]}). It returns when it is asked to stop ({@link #stop()}, from
 * SIGTERM) or when one of its processes exits by itself; either way it stops the others, cores first
 * (they say goodbye) and the driver last. A process that exits by itself makes the whole host exit
 * with a failure status, so that a restart policy starts the host again: its cores come back as new
 * incarnations over their data directories. The cores map the class-data archive installed beside
 * the kernel jar ({@link ClassDataArchive}; a container image installs one when it is built).
 */
public final class HostSupervisor
{
    /** How long the media driver may take to say it runs, ms. */
    public static final long DRIVER_START_TIMEOUT_MS = 60_000;
    /** How long each group (cores, then the driver) may take to exit after SIGTERM before SIGKILL, ms. */
    public static final long STOP_TIMEOUT_MS = 5_000;
    /** Longest output line forwarded whole, chars; longer lines are cut. */
    static final int LINE_LENGTH_MAX_CHARS = 8_192;
    private static final String DRIVER_RUNNING = "media driver running";
    private static final long POLL_INTERVAL_MS = 50;

    /**
     * @param clusterFile the cluster map.
     * @param hostId      the host of the map this process runs.
     * @param dataRoot    under which each core keeps its data directory, {@code core-N}, and its LRPC
     *                    file, {@code lrpc/core-N.lrpc} (the map may sit on a read-only mount).
     * @param idle        idle strategy of the cores and the driver; null for the map's
     *                    {@code transport.idleStrategy}, else {@value #DEFAULT_IDLE}.
     * @param fsync       write-ahead log fsync policy of the cores.
     * @param coreJvmArgs JVM options of each core, after the launcher's defaults.
     * @param chaos       start each core with its link fault point ({@code mk core --chaos}).
     */
    public record Options(Path clusterFile, int hostId, Path dataRoot, String idle, String fsync, List<String> coreJvmArgs,
        boolean chaos)
    {
    }

    /** Idle strategy of a host's processes when neither {@code mk host --idle} nor the map names one. */
    public static final String DEFAULT_IDLE = "backoff";

    private final Options options;
    private final PrintStream out;
    private final ClusterMap map;
    private final String idle;
    private final HostDescriptor host;
    private final List<CoreDescriptor> cores;
    private final Map<String, Process> children = new LinkedHashMap<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean driverRunning;

    /**
     * @param options what to run.
     * @param out     the forwarded output and the supervisor's own lines.
     * @throws io.multikernel.node.cluster.ClusterMapException when the map is invalid or has no such host.
     * @throws IllegalArgumentException when the host has no cores.
     */
    public HostSupervisor(final Options options, final PrintStream out)
    {
        this.options = options;
        this.out = out;
        this.map = ClusterMap.load(options.clusterFile(), ClusterOverrides.fromEnvironment(System.getenv()));
        this.idle = null != options.idle() ? options.idle() : map.transport().idleStrategy().orElse(DEFAULT_IDLE);
        this.host = map.host(options.hostId());
        this.cores = map.coresOn(options.hostId());
        if (cores.isEmpty())
        {
            throw new IllegalArgumentException("host " + options.hostId() + " of cluster map " + options.clusterFile() +
                " runs no core: nothing to start");
        }
    }

    /** @return the idle strategy of this host's driver and cores: --idle, else the map's, else the default. */
    public String idle()
    {
        return idle;
    }

    /** @return the ids of the cores this host runs. */
    public List<Integer> coreIds()
    {
        return cores.stream().map(CoreDescriptor::id).toList();
    }

    /**
     * Starts the driver and the cores and waits until {@link #stop()} or until one of them exits.
     *
     * @return 0 after {@link #stop()}; 1 when a process exited by itself or could not start.
     * @throws InterruptedException when interrupted while waiting.
     */
    public int run() throws InterruptedException
    {
        try
        {
            say("host " + host.id() + " of cluster '" + map.name() + "': starting its media driver and cores " + coreIds());
            startDriver();
            final ClassDataArchive archive = ClassDataArchive.prepare(KernelClassPath.get(),
                System.getProperty("java.home"), options.coreJvmArgs(), System.getenv(), ProcessHandle.current().pid(),
                System.currentTimeMillis());
            for (final CoreDescriptor core : cores)
            {
                if (stopRequested.getCount() == 0)
                {
                    break;
                }
                final List<String> command = new ArrayList<>(List.of("core",
                    "--id", Integer.toString(core.id()), "--cluster", options.clusterFile().toString(),
                    "--idle", idle, "--fsync", options.fsync(),
                    "--data-dir", options.dataRoot().resolve("core-" + core.id()).toString(),
                    "--run-dir", options.dataRoot().toString()));
                if (options.chaos())
                {
                    command.add("--chaos");
                }
                final List<String> jvmArgs = new ArrayList<>(options.coreJvmArgs());
                jvmArgs.addAll(archive.jvmArgs(core == cores.get(0)));
                start("core " + core.id(), ClusterLauncher.CORE_JVM_ARGS, jvmArgs, command);
            }
            final String exited = awaitStopOrExit();
            stopChildren();
            if (null == exited)
            {
                say("host " + host.id() + " stopped");
                return 0;
            }
            say("host " + host.id() + " stopped because " + exited);
            return 1;
        }
        catch (final IOException | IllegalStateException ex)
        {
            say("host " + host.id() + " could not start: " + ex.getMessage());
            stopChildren();
            return 1;
        }
        finally
        {
            stopped.countDown();
        }
    }

    /**
     * Asks {@link #run()} to stop everything and return; waits (bounded) until it has.
     *
     * @param timeoutMs how long to wait for {@link #run()} to finish.
     * @return true when it finished in time.
     * @throws InterruptedException when interrupted while waiting.
     */
    public boolean stop(final long timeoutMs) throws InterruptedException
    {
        stopRequested.countDown();
        return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    private void startDriver() throws IOException, InterruptedException
    {
        final List<String> args = new ArrayList<>(List.of("driver", "--idle", idle));
        host.aeronDir().ifPresent(dir -> args.addAll(List.of("--aeron-dir", dir)));
        final Process driver = start("driver", ClusterLauncher.DRIVER_JVM_ARGS, List.of(), args);
        final long deadlineMs = System.currentTimeMillis() + DRIVER_START_TIMEOUT_MS;
        while (!driverRunning)
        {
            if (!driver.isAlive())
            {
                throw new IllegalStateException("the media driver exited (" +
                    ClusterLauncher.exitDescription(driver.exitValue()) + ") before it ran");
            }
            if (System.currentTimeMillis() > deadlineMs)
            {
                throw new IllegalStateException("the media driver did not start within " + DRIVER_START_TIMEOUT_MS + " ms");
            }
            if (stopRequested.await(POLL_INTERVAL_MS, TimeUnit.MILLISECONDS))
            {
                return;
            }
        }
    }

    private Process start(final String name, final List<String> defaultJvmArgs, final List<String> extraJvmArgs,
        final List<String> args) throws IOException
    {
        final List<String> jvmArgs = new ArrayList<>(defaultJvmArgs);
        jvmArgs.addAll(extraJvmArgs);
        final List<String> command = KernelClassPath.javaCommand(KernelMain.class, jvmArgs);
        command.addAll(args);
        final Process process = new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .start();
        synchronized (children)
        {
            children.put(name, process);
        }
        final Thread forwarder = new Thread(() -> forward(name, process), "output of " + name);
        forwarder.setDaemon(true);
        forwarder.start();
        return process;
    }

    private void forward(final String name, final Process process)
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                if ("driver".equals(name) && line.contains(DRIVER_RUNNING))
                {
                    driverRunning = true;
                }
                say("[" + name + "] " + (line.length() > LINE_LENGTH_MAX_CHARS ?
                    line.substring(0, LINE_LENGTH_MAX_CHARS) + "..." : line));
            }
        }
        catch (final IOException ex)
        {
            // The process is gone and its pipe with it; its exit is noticed by run().
        }
    }

    /** @return null when a stop was requested, else which process exited and how. */
    private String awaitStopOrExit() throws InterruptedException
    {
        while (!stopRequested.await(POLL_INTERVAL_MS, TimeUnit.MILLISECONDS))
        {
            synchronized (children)
            {
                for (final Map.Entry<String, Process> child : children.entrySet())
                {
                    if (!child.getValue().isAlive())
                    {
                        return child.getKey() + " exited (" + ClusterLauncher.exitDescription(child.getValue().exitValue()) + ")";
                    }
                }
            }
        }
        return null;
    }

    private void stopChildren()
    {
        final List<ProcessHandle> coreProcesses = new ArrayList<>();
        final List<ProcessHandle> driverProcesses = new ArrayList<>();
        synchronized (children)
        {
            children.forEach((name, process) ->
                ("driver".equals(name) ? driverProcesses : coreProcesses).add(process.toHandle()));
        }
        try
        {
            ClusterStopper.stopGroup(coreProcesses, STOP_TIMEOUT_MS, out);
            ClusterStopper.stopGroup(driverProcesses, STOP_TIMEOUT_MS, out);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            coreProcesses.forEach(ProcessHandle::destroyForcibly);
            driverProcesses.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private void say(final String line)
    {
        synchronized (out)
        {
            out.println(line);
        }
    }
}
