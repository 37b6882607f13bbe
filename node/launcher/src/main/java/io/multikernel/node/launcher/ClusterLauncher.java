package io.multikernel.node.launcher;

import io.multikernel.common.ClusterSecret;
import io.multikernel.common.OwnerOnlyFiles;
import io.multikernel.common.ProcessLock;
import io.multikernel.node.cluster.ClusterLimits;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.ClusterOverrides;
import io.multikernel.node.cluster.CoreDescriptor;
import io.multikernel.node.cluster.HostDescriptor;
import io.multikernel.node.cluster.OverrideField;
import io.multikernel.node.cluster.SecretFiles;
import io.multikernel.node.cluster.TransportKind;
import io.multikernel.node.core.CoreConfiguration;
import io.multikernel.node.core.KernelMain;
import io.multikernel.transport.TransportConfiguration;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code mk up}: a cluster on this machine. One media driver process per (simulated) host, one JVM
 * per core, all detached from the launcher so they outlive it; their pids and logs go to the run
 * directory. Each host's cluster map entry names its media driver's directory and, beside it, its
 * memory file. Waits until every core sees every other, then prints the status table. What it writes
 * into the run directory is owner-only (see {@link RunDirectory}).
 */
public final class ClusterLauncher
{
    /**
     * NATIVE_HEAP_TRIM_INTERVAL_MS: how often a core or driver JVM gives the C heap's free memory back
     * to the operating system, ms. The JIT's compiler arenas leave tens of MB free but resident in
     * glibc's arenas after start-up (an idle core: about 17 MB of its ~118 MB resident).
     */
    static final long NATIVE_HEAP_TRIM_INTERVAL_MS = 5_000;
    /** How often the JVM of a core or driver looks for idle object monitors to deflate, ms. */
    static final long MONITOR_DEFLATION_INTERVAL_MS = 5_000;
    /**
     * JVM options of every core and media driver process: small heaps so many cores fit one machine, no perf-data
     * sampling (its thread wakes 20 times a second in every JVM; jcmd still attaches by pid), the
     * C heap trimmed now and then, and the JDK's class-data archive mapped where it was built
     * ({@code ArchiveRelocationMode=0}). The JDK moves that archive to a random address by default,
     * which rewrites its pointers and so makes about 10 MB of it private to each JVM; mapped in place
     * it stays shared between the cores (about 5.6 MB less proportional memory per core), at the cost
     * of a fixed address for the JDK's archived class metadata (see docs/SECURITY.md). The JVM's
     * monitor deflation thread looks for idle monitors every {@value #MONITOR_DEFLATION_INTERVAL_MS} ms
     * instead of every 250 (four wake-ups a second in every JVM, 0.5% of a 2-CPU machine at 64 cores;
     * the kernel loop owns its state and uses no monitors on its hot path).
     */
    private static final List<String> SMALL_JVM_ARGS = List.of("-Xms16m", "-XX:+UseSerialGC", "-XX:-UsePerfData",
        "-XX:TrimNativeHeapInterval=" + NATIVE_HEAP_TRIM_INTERVAL_MS, "-XX:+UnlockDiagnosticVMOptions",
        "-XX:ArchiveRelocationMode=0", "-XX:AsyncDeflationInterval=" + MONITOR_DEFLATION_INTERVAL_MS);
    /** A core's: bounded heap, stack, metaspace and code cache. */
    static final List<String> CORE_JVM_ARGS = jvmArgs(SMALL_JVM_ARGS, "-Xmx128m", "-Xss512k",
        "-XX:MaxMetaspaceSize=96m", "-XX:ReservedCodeCacheSize=48m");
    /** The media driver's: the same small JVM with a smaller heap. */
    static final List<String> DRIVER_JVM_ARGS = jvmArgs(SMALL_JVM_ARGS, "-Xmx96m");
    /** Extra JVM options for cores, space separated. */
    static final String CORE_JAVA_OPTS_ENV = "MK_CORE_JAVA_OPTS";
    private static final long POLL_INTERVAL_MS = 200;
    /**
     * CORES_PER_CPU_AT_EASE: above this many cores per CPU, a start that times out is named as one on a
     * crowded machine (64 cores on 2 CPUs take about a minute to see each other).
     */
    static final int CORES_PER_CPU_AT_EASE = 16;
    private static final long PROGRESS_INTERVAL_MS = 2_000;
    /**
     * REJOIN_TELLING_WAIT_MS: part of how long after a core over existing data sees its peers the
     * launcher waits before its last status read. Its peers tell it what they know it committed as
     * they see it, and again 100, 300 and 700 ms later (the first may find it unreachable); a core
     * that finds its log lost some says so in its next status. The wait is this plus two status
     * publish intervals (1 s by default).
     */
    static final long REJOIN_TELLING_WAIT_MS = 500;
    /** REJOIN_PEERS_WAIT_MS: how long a restarted core is given to see the peers that answer, before that. */
    static final long REJOIN_PEERS_WAIT_MS = 5_000;
    /** How long a spawned process may take to exec our command, and how often to look, ms. */
    private static final long EXEC_TIMEOUT_MS = 5_000;
    private static final long EXEC_POLL_INTERVAL_MS = 5;

    /**
     * @param cores          number of cores.
     * @param hosts          simulated hosts (separate media drivers; IPC inside, UDP between).
     * @param transport      same-host transport.
     * @param adminBasePort  admin port of core 0; core N gets base + N.
     * @param udpBasePort    UDP inbox port of core 0; core N gets base + N.
     * @param idle           idle strategy of the cores and drivers.
     * @param startTimeoutMs how long to wait for everything to come up.
     * @param fsync          write-ahead log fsync policy of every core: always, group or none.
     * @param driverIdle     idle strategy of the media drivers.
     * @param cpus           where the core processes run.
     * @param memoryBytes    physical memory of every host, whole pages, at least one per core of a host.
     * @param chaos          whether the cores run with their chaos fault points ({@code mk core --chaos}).
     */
    public record Options(int cores, int hosts, TransportKind transport, int adminBasePort, int udpBasePort, String idle,
        long startTimeoutMs, String fsync, String driverIdle, CpuPlacement cpus, long memoryBytes, boolean chaos)
    {
        /** Options of cores without chaos fault points. */
        public Options(final int cores, final int hosts, final TransportKind transport, final int adminBasePort,
            final int udpBasePort, final String idle, final long startTimeoutMs, final String fsync, final String driverIdle,
            final CpuPlacement cpus, final long memoryBytes)
        {
            this(cores, hosts, transport, adminBasePort, udpBasePort, idle, startTimeoutMs, fsync, driverIdle, cpus,
                memoryBytes, false);
        }

        /**
         * @param enabled whether the cores run with their chaos fault points.
         * @return these options with {@link #chaos()} set.
         */
        public Options withChaos(final boolean enabled)
        {
            return new Options(cores, hosts, transport, adminBasePort, udpBasePort, idle, startTimeoutMs, fsync, driverIdle,
                cpus, memoryBytes, enabled);
        }

        /** Options whose hosts have the default physical memory. */
        public Options(final int cores, final int hosts, final TransportKind transport, final int adminBasePort,
            final int udpBasePort, final String idle, final long startTimeoutMs, final String fsync, final String driverIdle,
            final CpuPlacement cpus)
        {
            this(cores, hosts, transport, adminBasePort, udpBasePort, idle, startTimeoutMs, fsync, driverIdle, cpus,
                ClusterLimits.DEFAULT_HOST_MEMORY_BYTES);
        }

        /** Options with the cores placed by the operating system. */
        public Options(final int cores, final int hosts, final TransportKind transport, final int adminBasePort,
            final int udpBasePort, final String idle, final long startTimeoutMs, final String fsync, final String driverIdle)
        {
            this(cores, hosts, transport, adminBasePort, udpBasePort, idle, startTimeoutMs, fsync, driverIdle,
                CpuPlacement.none());
        }

        /** Options with the default fsync policy (group). */
        public Options(final int cores, final int hosts, final TransportKind transport, final int adminBasePort,
            final int udpBasePort, final String idle, final long startTimeoutMs)
        {
            this(cores, hosts, transport, adminBasePort, udpBasePort, idle, startTimeoutMs, "group");
        }

        /** Options whose media drivers idle like the cores. */
        public Options(final int cores, final int hosts, final TransportKind transport, final int adminBasePort,
            final int udpBasePort, final String idle, final long startTimeoutMs, final String fsync)
        {
            this(cores, hosts, transport, adminBasePort, udpBasePort, idle, startTimeoutMs, fsync, idle);
        }
    }

    private final RunDirectory runDirectory;
    private final PrintStream out;
    private final List<String> extraCoreJvmArgs;
    /** The processes this launcher started, by their run directory entry: how one that died ended. */
    private final Map<RunDirectory.Entry, Process> children = new HashMap<>();

    public ClusterLauncher(final RunDirectory runDirectory, final PrintStream out)
    {
        this(runDirectory, out, environmentCoreJvmArgs());
    }

    /**
     * @param runDirectory     where the cluster lives.
     * @param out              progress.
     * @param extraCoreJvmArgs JVM options added to every core, e.g. {@code -Dmk.membership.down.timeout.ms=1500}.
     */
    public ClusterLauncher(final RunDirectory runDirectory, final PrintStream out, final List<String> extraCoreJvmArgs)
    {
        this.runDirectory = runDirectory;
        this.out = out;
        this.extraCoreJvmArgs = List.copyOf(extraCoreJvmArgs);
    }

    private static List<String> jvmArgs(final List<String> common, final String... more)
    {
        final List<String> all = new ArrayList<>(common);
        all.addAll(List.of(more));
        return List.copyOf(all);
    }

    /** @return the JVM options {@value #CORE_JAVA_OPTS_ENV} adds to every core, split at whitespace. */
    public static List<String> environmentCoreJvmArgs()
    {
        final String extra = System.getenv(CORE_JAVA_OPTS_ENV);
        return null == extra || extra.isBlank() ? List.of() : List.of(extra.trim().split("\\s+"));
    }

    /**
     * The run directory's cluster secret: kept across restarts of the cluster (cores that come back
     * must still agree with each other), created owner-only when there is none.
     */
    private void ensureSecret()
    {
        final java.nio.file.Path file = runDirectory.root().resolve(io.multikernel.common.ClusterSecret.DEFAULT_FILE_NAME);
        if (!Files.exists(file))
        {
            io.multikernel.common.ClusterSecret.create(file, new java.security.SecureRandom());
        }
    }

    /**
     * @param options what to start.
     * @return the status of every core once all see each other.
     * @throws Exception naming the core or driver that did not come up, why, and where its log is.
     */
    public List<ClusterStatus.CoreRow> up(final Options options) throws Exception
    {
        refuseIfRunning();
        final ClusterMap map = map(options);
        refuseIfDataDiverges(map);
        runDirectory.createOwnerOnly();
        try (ProcessLock change = runDirectory.lockForChange("mk up"))
        {
            // Again, now that no other mk up, restart or down can be starting processes here.
            refuseIfRunning();
            return upLocked(options, map);
        }
    }

    private List<ClusterStatus.CoreRow> upLocked(final Options options, final ClusterMap map) throws Exception
    {
        // A host's memory starts zeroed, as its media driver's directory starts empty: nothing of this
        // run directory runs, so what a memory file holds is left from a cluster that stopped.
        ClusterStopper.removeMemoryFiles(map);
        // Cores over replicated state their peers also hold are told what those peers know they committed.
        final boolean overData = !runDirectory.coresWithData().isEmpty();
        map.writeTo(runDirectory.clusterFile());
        ensureSecret();
        out.printf("starting %d core(s) on %d host(s) over %s in %s%s%s%n", options.cores(), options.hosts(),
            options.transport().lowerCaseName(), runDirectory.root(),
            CpuPlacement.Mode.NONE == options.cpus().mode() ? "" : ", CPU placement " + options.cpus(),
            options.chaos() ? ", with chaos fault points (/chaos/links)" : "");

        final List<RunDirectory.Entry> started = new ArrayList<>();
        try
        {
            for (final HostDescriptor host : map.hosts())
            {
                started.add(startDriver(host, options));
                record(started);
            }
            for (final RunDirectory.Entry driver : List.copyOf(started))
            {
                awaitDriver(driver, options.startTimeoutMs());
            }
            final List<CoreDescriptor> cores = map.cores();
            final ClassDataArchive archive = ClassDataArchive.prepare(KernelClassPath.get(), System.getProperty("java.home"),
                extraCoreJvmArgs, System.getenv(), ProcessHandle.current().pid(), System.currentTimeMillis());
            for (int i = 0; i < cores.size(); i++)
            {
                started.add(startCore(cores.get(i), options, options.cpus().commandPrefix(i, cores.size()),
                    archive.jvmArgs(0 == i)));
                record(started);
            }
            final List<ClusterStatus.CoreRow> rows = awaitCores(map, options.startTimeoutMs());
            if (!overData)
            {
                return rows;
            }
            Thread.sleep(rejoinCheckWaitMs());
            return new ClusterStatus().query(map, runDirectory);
        }
        catch (final Exception ex)
        {
            out.println("start failed; stopping what was started (logs stay in " + runDirectory.root().resolve("logs") + ")");
            new ClusterStopper(runDirectory, out).down(TimeUnit.SECONDS.toMillis(5));
            throw ex;
        }
    }

    private void refuseIfRunning()
    {
        final boolean running = runDirectory.processes().stream().anyMatch(e -> RunDirectory.live(e).isPresent());
        if (running)
        {
            throw new IllegalStateException("a cluster is already running in " + runDirectory.root() +
                ": see 'mk status', stop it with 'mk down', or use another --run-dir");
        }
    }

    /**
     * A run directory keeps its cores' write-ahead logs across {@code mk down}/{@code mk up}. Starting a
     * cluster with other cores over them would give the new cores none of the replicated state while
     * the old ones hold all of it: replicas of one state that silently differ. Refuse, saying what to do.
     */
    private void refuseIfDataDiverges(final ClusterMap map)
    {
        final java.util.SortedSet<Integer> withData = runDirectory.coresWithData();
        final Path data = runDirectory.root().resolve("data");
        final java.util.SortedSet<Integer> wanted = new java.util.TreeSet<>();
        for (final int id : map.coreIds())
        {
            wanted.add(id);
        }
        if (!withData.isEmpty() && !withData.equals(wanted))
        {
            throw new IllegalStateException(runDirectory.root() + " holds the replicated state of cores " +
                RunDirectory.idRanges(withData) + ", not of cores " + RunDirectory.idRanges(wanted) +
                ": new cores would start without it; start the same cores (--cores " + withData.size() +
                "), use another --run-dir, or remove " + data + " to start empty");
        }
    }

    /**
     * The generated local map with a media driver directory of its own for each host, named after the
     * run directory so that two clusters never share one, and beside it the host's memory file.
     */
    ClusterMap map(final Options options)
    {
        final ClusterMap local = ClusterMap.local(options.cores(), options.hosts(), options.transport(),
            options.udpBasePort(), options.adminBasePort());
        final Map<String, String> overrides = new HashMap<>();
        final String base = TransportConfiguration.aeronDirectory() + "-" +
            Integer.toHexString(runDirectory.root().toString().hashCode());
        for (final HostDescriptor host : local.hosts())
        {
            final String aeronDir = base + "-host-" + host.id();
            overrides.put(OverrideField.HOST_AERON_DIR.key(host.id()), aeronDir);
            overrides.put(OverrideField.HOST_MEMORY.key(host.id()), Long.toString(options.memoryBytes()));
            overrides.put(OverrideField.HOST_MEMORY_FILE.key(host.id()), aeronDir + HostDescriptor.MEMORY_FILE_SUFFIX);
        }
        return local.withOverrides(ClusterOverrides.of(overrides));
    }

    private RunDirectory.Entry startDriver(final HostDescriptor host, final Options options) throws IOException
    {
        final List<String> args = List.of("driver", "--aeron-dir", host.aeronDir().orElseThrow(), "--idle", options.driverIdle());
        final Process process = spawn(command(List.of(), DRIVER_JVM_ARGS, args), runDirectory.createLog("driver", host.id()),
            false);
        return child(new RunDirectory.Entry("driver", host.id(), process.pid()), process);
    }

    private RunDirectory.Entry startCore(final CoreDescriptor core, final Options options, final List<String> pinning,
        final List<String> archiveJvmArgs) throws IOException
    {
        final List<String> jvmArgs = new ArrayList<>(CORE_JVM_ARGS);
        jvmArgs.addAll(archiveJvmArgs);
        jvmArgs.addAll(extraCoreJvmArgs);
        final List<String> command = command(pinning, jvmArgs, coreArguments(core.id(), options));
        OwnerOnlyFiles.createDirectories(runDirectory.coreCommandFile(core.id()).getParent());
        OwnerOnlyFiles.writeAtomically(runDirectory.coreCommandFile(core.id()), String.join("\n", command) + "\n");
        final Process process = spawn(command, runDirectory.createLog("core", core.id()), false);
        return child(new RunDirectory.Entry("core", core.id(), process.pid()), process);
    }

    /**
     * {@code mk restart}: stops one core of the running cluster (SIGTERM, or SIGKILL with {@code kill};
     * a core that is not running is just started), starts it again with the command line it was
     * launched with, over its data directory (a new incarnation with the same replicated state), its
     * output appended to its log, and records its new pid.
     *
     * @param coreId    a core of the run directory's cluster.
     * @param kill      SIGKILL instead of SIGTERM: the core gets no chance to say goodbye.
     * @param timeoutMs how long the old process may take to exit, and the new one to be up.
     * @return the new process's row once it answers as up (its peers may still be coming).
     * @throws Exception naming what went wrong: no such core, no recorded command, a process that did
     *                   not exit or a core that did not come back within the timeout.
     */
    public ClusterStatus.CoreRow restartCore(final int coreId, final boolean kill, final long timeoutMs) throws Exception
    {
        try (ProcessLock change = runDirectory.lockForChange("mk restart --core " + coreId))
        {
            return restartCoreLocked(coreId, kill, timeoutMs);
        }
    }

    private ClusterStatus.CoreRow restartCoreLocked(final int coreId, final boolean kill, final long timeoutMs)
        throws Exception
    {
        final ClusterMap map = ClusterStatus.map(runDirectory);
        map.core(coreId);
        final Path commandFile = runDirectory.coreCommandFile(coreId);
        final String elsewhere = runDirectory.notStartedHere();
        if (null != elsewhere)
        {
            throw new IllegalStateException("core " + coreId + " cannot be restarted from here: " + elsewhere);
        }
        if (!Files.exists(commandFile))
        {
            throw new IllegalStateException("no recorded command line for core " + coreId + " in " + runDirectory.root() +
                " (the cluster was started by an older mk up): stop it with 'mk down' and start it again");
        }
        final List<String> command = Files.readAllLines(commandFile, StandardCharsets.UTF_8).stream()
            .filter(line -> !line.isEmpty()).toList();
        checkSecretBeforeRestart(coreId, command, map);
        refuseEmptyDataDirectory(coreId);
        refuseWithoutDriver(coreId, map);
        final List<RunDirectory.Entry> entries = new ArrayList<>(runDirectory.processes());
        final RunDirectory.Entry old = entries.stream().filter(e -> e.isCore() && e.id() == coreId).findFirst().orElse(null);
        if (null != old)
        {
            final java.util.Optional<ProcessHandle> running = RunDirectory.live(old);
            if (running.isPresent())
            {
                out.printf("core %d (pid %d): %s%n", coreId, old.pid(), kill ? "SIGKILL" : "SIGTERM");
                if (kill)
                {
                    running.get().destroyForcibly();
                }
                else
                {
                    running.get().destroy();
                }
                if (!exitsWithin(running.get(), timeoutMs) && !kill)
                {
                    // Paused (SIGSTOP) or hung: as mk down does, a crash restart rather than none.
                    out.printf("core %d (pid %d) did not exit within %d ms of SIGTERM: SIGKILL%n", coreId, old.pid(),
                        timeoutMs);
                    running.get().destroyForcibly();
                    if (!exitsWithin(running.get(), timeoutMs))
                    {
                        throw new IllegalStateException("core " + coreId + " (pid " + old.pid() + ") did not exit within " +
                            timeoutMs + " ms of SIGKILL either; not started again");
                    }
                }
                else if (running.get().isAlive())
                {
                    throw new IllegalStateException("core " + coreId + " (pid " + old.pid() + ") did not exit within " +
                        timeoutMs + " ms of SIGKILL; not started again");
                }
            }
            entries.remove(old);
        }
        final Process process = spawn(command, runDirectory.log("core", coreId), true);
        final RunDirectory.Entry started = child(new RunDirectory.Entry("core", coreId, process.pid()), process);
        entries.add(started);
        record(entries);
        out.printf("core %d started again (pid %d)%n", coreId, process.pid());
        return awaitCoreUp(map, started, timeoutMs);
    }

    /**
     * A core talks only through its host's media driver: with that driver gone it could not start, and
     * stopping the core first would only lose it too.
     */
    private void refuseWithoutDriver(final int coreId, final ClusterMap map)
    {
        final int host = map.core(coreId).hostId();
        ClusterStatus.drivers(runDirectory).stream().filter(driver -> driver.host() == host && !driver.running())
            .findFirst().ifPresent(driver ->
            {
                throw new IllegalStateException("the media driver of host " + host + " (pid " + driver.pid() + ") is " +
                    "gone, and core " + coreId + " cannot run without it; nothing was stopped: 'mk down' then 'mk up' " +
                    "starts the cluster again with its data");
            });
    }

    private static boolean exitsWithin(final ProcessHandle process, final long timeoutMs) throws InterruptedException
    {
        try
        {
            process.onExit().get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        }
        catch (final java.util.concurrent.TimeoutException ex)
        {
            return false;
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            throw new IllegalStateException("cannot wait for pid " + process.pid() + ": " + ex.getCause(), ex);
        }
    }

    /**
     * Refuses to restart a core over a missing or empty data directory while other cores hold theirs:
     * it would come back holding none of the replicated state its peers agree it holds, and its replica
     * would differ from theirs without anything saying so.
     */
    private void refuseEmptyDataDirectory(final int coreId) throws IOException
    {
        final Path own = runDirectory.dataDirectory(coreId);
        if (RunDirectory.holdsData(own))
        {
            return;
        }
        final java.util.SortedSet<Integer> others = runDirectory.coresWithData();
        others.remove(coreId);
        if (!others.isEmpty())
        {
            throw new IllegalStateException("core " + coreId + "'s data directory " + own + " is missing or empty " +
                "while cores " + RunDirectory.idRanges(others) + " hold the cluster's replicated state: started over " +
                "it, the core would hold none of it and its replica would silently differ. A core's state is not " +
                "rebuilt from its peers: restore the directory from a backup of it, or start a new cluster " +
                "(mk down, then mk up with another --run-dir)");
        }
    }

    /**
     * Refuses the restart while the core could not start again for want of its cluster secret (missing,
     * open to others, not a secret), before the running core is stopped.
     */
    private void checkSecretBeforeRestart(final int coreId, final List<String> command, final ClusterMap map)
    {
        final int flag = command.indexOf("--secret-file");
        final Path flagged = flag >= 0 && flag + 1 < command.size() ? Path.of(command.get(flag + 1)) : null;
        try
        {
            ClusterSecret.load(SecretFiles.forCore(flagged, System.getenv(), runDirectory.clusterFile(), map));
        }
        catch (final IllegalStateException ex)
        {
            throw new IllegalStateException("core " + coreId + " left as it is: it could not start again: " +
                ex.getMessage());
        }
    }

    /**
     * Until the core answers its status as up; other cores may be down (a chaos run restarts one core
     * while another is still killed), so its peers are reported, not waited for.
     */
    private ClusterStatus.CoreRow awaitCoreUp(final ClusterMap map, final RunDirectory.Entry core, final long timeoutMs)
        throws InterruptedException
    {
        final ClusterStatus status = new ClusterStatus();
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        while (true)
        {
            final ClusterStatus.CoreRow row = status.query(map, runDirectory).stream()
                .filter(r -> r.id() == core.id()).findFirst().orElseThrow();
            if (row.runsOrDiverged())
            {
                return awaitRejoinCheck(map, core.id(), row, deadlineMs);
            }
            final Path log = runDirectory.log("core", core.id());
            if (exited(core))
            {
                throw new IllegalStateException("core " + core.id() + " " + ended(core) + " while starting: " +
                    RunDirectory.tail(log, 3) + " (log: " + log + ")");
            }
            if (System.currentTimeMillis() > deadlineMs)
            {
                throw new IllegalStateException("core " + core.id() + " was not up within " + timeoutMs + " ms (state " +
                    row.state() + "; log: " + log + ")");
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
    }

    /**
     * A restarted core's peers tell it, as they see its new incarnation, what they know it committed;
     * one whose log lost some of that is diverged in its next status. Waits for it to see the peers
     * that answer (bounded: some may be down, or not yet see it), then {@link #rejoinCheckWaitMs()}.
     *
     * @return its row then: up or diverged.
     * @throws IllegalStateException when it is neither any more (it exited, or stopped answering).
     */
    private ClusterStatus.CoreRow awaitRejoinCheck(final ClusterMap map, final int coreId, final ClusterStatus.CoreRow up,
        final long deadlineMs) throws InterruptedException
    {
        final ClusterStatus status = new ClusterStatus();
        final long peersDeadlineMs = Math.min(deadlineMs, System.currentTimeMillis() + REJOIN_PEERS_WAIT_MS);
        List<ClusterStatus.CoreRow> rows = status.query(map, runDirectory);
        while (System.currentTimeMillis() < peersDeadlineMs && seesFewerThanAnswer(rows, coreId))
        {
            Thread.sleep(POLL_INTERVAL_MS);
            rows = status.query(map, runDirectory);
        }
        Thread.sleep(rejoinCheckWaitMs());
        final ClusterStatus.CoreRow checked = status.query(map, runDirectory).stream().filter(r -> r.id() == coreId)
            .findFirst().orElseThrow();
        if (!checked.runsOrDiverged())
        {
            throw new IllegalStateException("core " + coreId + " answered as up (pid " + up.pid() + "), then as " +
                checked.state() + (null == checked.problem() ? "" : ": " + checked.problem()) + " (log: " +
                runDirectory.log("core", coreId) + ")");
        }
        return checked;
    }

    /** @return true while the core sees fewer peers up than there are other cores answering their status. */
    private static boolean seesFewerThanAnswer(final List<ClusterStatus.CoreRow> rows, final int coreId)
    {
        final ClusterStatus.CoreRow row = rows.stream().filter(r -> r.id() == coreId).findFirst().orElseThrow();
        final long answering = rows.stream()
            .filter(r -> r.id() != coreId && r.runsOrDiverged()).count();
        return row.peersUp() < answering;
    }

    /** @return how long a core's peers take to tell it what it committed, and it to publish what it found, ms. */
    static long rejoinCheckWaitMs()
    {
        return REJOIN_TELLING_WAIT_MS + 2 * TimeUnit.NANOSECONDS.toMillis(CoreConfiguration.statusPublishIntervalNs());
    }

    /**
     * @return the command line of {@code mk core} for one core of this run directory.
     */
    List<String> coreArguments(final int coreId, final Options options)
    {
        final List<String> args = new ArrayList<>(List.of("core", "--id", Integer.toString(coreId),
            "--cluster", runDirectory.clusterFile().toString(), "--idle", options.idle(),
            "--data-dir", runDirectory.dataDirectory(coreId).toString(), "--fsync", options.fsync()));
        if (options.chaos())
        {
            args.add("--chaos");
        }
        return args;
    }

    private RunDirectory.Entry child(final RunDirectory.Entry entry, final Process process)
    {
        children.put(entry, process);
        return entry;
    }

    /**
     * A process this launcher started has exited when its {@link Process} says so: its own child is
     * never mistaken for gone while its command line cannot be read, or for alive after its pid was
     * reused. Others (none today) are looked up by pid.
     */
    private boolean exited(final RunDirectory.Entry entry)
    {
        final Process process = children.get(entry);
        return null == process ? RunDirectory.live(entry).isEmpty() : !process.isAlive();
    }

    /**
     * @param entry a process that {@link #exited}.
     * @return how it ended: "exited (status N)" or "exited (status N, killed by signal S)".
     */
    private String ended(final RunDirectory.Entry entry)
    {
        final Process process = children.get(entry);
        return null == process || process.isAlive() ? "exited" : "exited (" + exitDescription(process.exitValue()) + ")";
    }

    /**
     * @param exitValue a process's exit value as the JDK reports it: 128 + N for one killed by signal N.
     * @return e.g. "status 1" or "killed by signal 9".
     */
    static String exitDescription(final int exitValue)
    {
        return exitValue > 128 && exitValue < 128 + 65 ? "status " + exitValue + ", killed by signal " + (exitValue - 128)
            : "status " + exitValue;
    }

    /**
     * @param pinning the command that pins the process to its CPUs (see {@link CpuPlacement}), or empty.
     * @return the whole command line of a kernel process (a core or a media driver).
     */
    private static List<String> command(final List<String> pinning, final List<String> jvmArgs, final List<String> args)
    {
        final List<String> command = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute())
        {
            // Own session: closing the launcher's terminal must not take the cluster down with it.
            command.add("/usr/bin/setsid");
        }
        // taskset execs the JVM: the pid stays the core's, and every thread it starts inherits the CPUs.
        command.addAll(pinning);
        command.addAll(KernelClassPath.javaCommand(KernelMain.class, jvmArgs));
        command.addAll(args);
        return command;
    }

    /**
     * Records the processes, the last of them just started. A process that cannot be recorded (a full
     * file system) is stopped at once: nothing would find it to stop it later, and a core left running
     * would hold its data directory's lock and its admin port.
     *
     * @param entries every process of the run directory; the last one just started.
     */
    private void record(final List<RunDirectory.Entry> entries)
    {
        try
        {
            runDirectory.writeProcesses(entries);
        }
        catch (final UncheckedIOException ex)
        {
            final RunDirectory.Entry last = entries.get(entries.size() - 1);
            ProcessHandle.of(last.pid()).ifPresent(ProcessHandle::destroyForcibly);
            entries.remove(entries.size() - 1);
            throw new IllegalStateException("could not record " + last.kind() + " " + last.id() + " (pid " + last.pid() +
                ") in " + runDirectory.processesFile() + ", so it was stopped: " +
                (null == ex.getCause() ? ex.getMessage() : ex.getCause().toString()) +
                " (is the file system full?)", ex);
        }
    }

    /** LOG_GENERATIONS_KEPT: logs of earlier starts kept beside a process's log ({@code .log.1} the newest). */
    static final int LOG_GENERATIONS_KEPT = 3;

    /**
     * @param append add to the log instead of starting it anew (a restarted core keeps its history);
     *               when starting anew, the old log is kept as {@link #previousLog}, and the ones before
     *               it as {@code .log.2} up to LOG_GENERATIONS_KEPT.
     */
    private static Process spawn(final List<String> command, final Path log, final boolean append) throws IOException
    {
        if (!append && Files.isRegularFile(log) && Files.size(log) > 0)
        {
            // A new start over a run directory keeps the last ones' logs: why the cluster stopped is often in them.
            for (int generation = LOG_GENERATIONS_KEPT; generation > 1; generation--)
            {
                final Path older = log.resolveSibling(log.getFileName() + "." + (generation - 1));
                if (Files.exists(older))
                {
                    Files.move(older, log.resolveSibling(log.getFileName() + "." + generation),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(log, previousLog(log), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // Owner-only from the start: the redirect below opens the file as it finds it.
        io.multikernel.common.OwnerOnlyFiles.createFile(log);
        final Process process = new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(append ? ProcessBuilder.Redirect.appendTo(log.toFile()) : ProcessBuilder.Redirect.to(log.toFile()))
            .start();
        awaitExec(process);
        return process;
    }

    /** @return where a process's log of the start before the last is kept: {@code core-0.log.1}. */
    public static Path previousLog(final Path log)
    {
        return log.resolveSibling(log.getFileName() + ".1");
    }

    /**
     * Until the JDK's spawn helper has exec'd our command, the child's command line is the helper's,
     * and {@link RunDirectory#live} would call a starting process gone. Wait (bounded) for the exec.
     */
    private static void awaitExec(final Process process) throws IOException
    {
        final long deadlineMs = System.currentTimeMillis() + EXEC_TIMEOUT_MS;
        while (process.isAlive() && RunDirectory.live(new RunDirectory.Entry("spawned", 0, process.pid())).isEmpty())
        {
            if (System.currentTimeMillis() > deadlineMs)
            {
                return;
            }
            try
            {
                Thread.sleep(EXEC_POLL_INTERVAL_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting process " + process.pid(), ex);
            }
        }
    }

    private void awaitDriver(final RunDirectory.Entry driver, final long timeoutMs) throws Exception
    {
        final Path log = runDirectory.log("driver", driver.id());
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        while (!contains(log, "media driver running"))
        {
            if (exited(driver))
            {
                throw new IllegalStateException("the media driver of host " + driver.id() + " " + ended(driver) +
                    ": " + RunDirectory.tail(log, 3) + " (log: " + log + ")");
            }
            if (System.currentTimeMillis() > deadlineMs)
            {
                throw new IllegalStateException("the media driver of host " + driver.id() + " did not start within " +
                    timeoutMs + " ms (log: " + log + ")");
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
    }

    private List<ClusterStatus.CoreRow> awaitCores(final ClusterMap map, final long timeoutMs) throws Exception
    {
        final ClusterStatus status = new ClusterStatus();
        final long startMs = System.currentTimeMillis();
        long nextProgressMs = startMs + PROGRESS_INTERVAL_MS;
        while (true)
        {
            final List<ClusterStatus.CoreRow> rows = status.query(map, runDirectory);
            // A diverged core runs and will not change its mind: it is ready, and says why it diverged.
            final long ready = rows.stream().filter(ClusterStatus.CoreRow::runsSeeingAllPeers).count();
            if (ready == rows.size())
            {
                return rows;
            }
            for (final ClusterStatus.CoreRow row : rows)
            {
                final Path log = runDirectory.log("core", row.id());
                final RunDirectory.Entry entry = new RunDirectory.Entry("core", row.id(), row.pid());
                if ("down".equals(row.state()) && exited(entry))
                {
                    throw new IllegalStateException("core " + row.id() + " " + ended(entry) + " while starting: " +
                        RunDirectory.tail(log, 3) + " (log: " + log + ")");
                }
                if (null != row.problem() && !row.isDiverged())
                {
                    // A core that answers with something else will not answer differently later.
                    throw new IllegalStateException(row.problem() + " (log: " + log + ")");
                }
            }
            final long nowMs = System.currentTimeMillis();
            if (nowMs - startMs > timeoutMs)
            {
                final ClusterStatus.CoreRow late = rows.stream().filter(r -> !r.seesAllPeers()).findFirst().orElseThrow();
                throw new IllegalStateException(notAllUp(late, timeoutMs, runDirectory.log("core", late.id()), rows.size(),
                    Runtime.getRuntime().availableProcessors()));
            }
            if (nowMs >= nextProgressMs)
            {
                nextProgressMs = nowMs + PROGRESS_INTERVAL_MS;
                out.printf("  %d/%d core(s) see all peers (%d s)%n", ready, rows.size(), (nowMs - startMs) / 1000);
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
    }

    /**
     * @return why a start timed out: the first core that does not see every peer, what it reported (or
     *         that it did not answer), and, where many cores share few CPUs, that this is why it is slow.
     */
    static String notAllUp(final ClusterStatus.CoreRow late, final long timeoutMs, final Path log, final int cores,
        final int cpus)
    {
        final String seen = late.peersTotal() < 0 ? "its admin API did not answer" :
            "peers up " + late.peersUp() + "/" + late.peersTotal();
        final String crowded = cores > CORES_PER_CPU_AT_EASE * cpus ? "; " + cores + " cores share " + cpus +
            " CPUs here, so a start takes long: give more --timeout-s or start fewer --cores" : "";
        return "core " + late.id() + " did not see all peers within " + timeoutMs + " ms (state " + late.state() + ", " +
            seen + "; log: " + log + ")" + crowded;
    }

    private static boolean contains(final Path log, final String text) throws IOException
    {
        return Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text);
    }
}
