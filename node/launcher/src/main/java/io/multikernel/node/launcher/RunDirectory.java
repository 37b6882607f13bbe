package io.multikernel.node.launcher;

import io.multikernel.common.OwnerOnlyFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Optional;

/**
 * The directory a locally launched cluster lives in: its cluster map, the processes it started and
 * their logs.
 * <pre>
 *   RUN/cluster.yaml         the map every core was started with
 *   RUN/processes            one line per process: "driver|core ID PID"
 *   RUN/logs/driver-H.log    RUN/logs/core-N.log
 *   RUN/lrpc/core-N.lrpc     core N's LRPC channel, while it runs
 *   RUN/data/core-N/         core N's write-ahead log and snapshots (kept by mk down)
 * </pre>
 * Everything in it is owner-only, directories {@code rwx------} and files {@code rw-------}, from the
 * moment it exists ({@link OwnerOnlyFiles}): the logs, the map and the channels are this user's
 * cluster, not the other users' of the machine. A run directory of an older build that was open to
 * others is tightened when {@code mk up} starts a cluster in it.
 */
public final class RunDirectory
{
    /** Environment variable naming the default run directory. */
    public static final String RUN_DIR_ENV = "MK_RUN_DIR";
    /** Set by the mk launcher script to the project root; the default run directory is under it. */
    public static final String HOME_ENV = "MK_HOME";

    /** Main classes of our processes: the kernel's entry point (cores, drivers) and the CLI's. */
    private static final List<String> MK_MAIN_CLASSES =
        List.of("io.multikernel.node.core.KernelMain", "io.multikernel.node.cli.MkCommand");

    private final Path root;

    /**
     * One process of the cluster.
     *
     * @param kind {@code driver} or {@code core}.
     * @param id   host id for a driver, core id for a core.
     * @param pid  operating-system process id.
     */
    public record Entry(String kind, int id, long pid)
    {
        boolean isCore()
        {
            return "core".equals(kind);
        }
    }

    public RunDirectory(final Path root)
    {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * @param configured the user's --run-dir, or {@code null}.
     * @return that, else $MK_RUN_DIR, else $MK_HOME/run, else ./run.
     */
    public static RunDirectory resolve(final Path configured)
    {
        if (null != configured)
        {
            if (configured.toString().isBlank())
            {
                throw new IllegalArgumentException("--run-dir is empty: name a directory (or leave it out for " +
                    "$MK_RUN_DIR, else the project's run/)");
            }
            return new RunDirectory(configured);
        }
        final String runDir = System.getenv(RUN_DIR_ENV);
        if (null != runDir && !runDir.isBlank())
        {
            return new RunDirectory(Path.of(runDir));
        }
        final String home = System.getenv(HOME_ENV);
        return new RunDirectory(null != home && !home.isBlank() ? Path.of(home, "run") : Path.of("run"));
    }

    public Path root()
    {
        return root;
    }

    /**
     * Creates the run directory and its {@code logs/} owner-only, or tightens them to their owner when
     * they exist with more, as well as a {@code data/} kept from an earlier run: what {@code mk up}
     * does before it writes anything into them. (Each core makes its own data and LRPC directories.)
     *
     * @return this.
     * @throws UncheckedIOException when they cannot be created or tightened.
     */
    public RunDirectory createOwnerOnly()
    {
        refuseForeignDirectory();
        if (Files.exists(root) && !Files.isDirectory(root))
        {
            final String problem = "the run directory " + root + " is a file, not a directory: give --run-dir (or $" +
                RUN_DIR_ENV + ") a directory";
            throw new UncheckedIOException(problem, new IOException(problem));
        }
        try
        {
            OwnerOnlyFiles.createDirectories(root);
            OwnerOnlyFiles.createDirectories(logs());
            final Path data = root.resolve("data");
            if (Files.isDirectory(data))
            {
                OwnerOnlyFiles.tighten(data);
            }
        }
        catch (final IOException ex)
        {
            // The JDK's file exceptions carry only the path as their message: say what went wrong with it.
            final String reason = ex instanceof java.nio.file.FileSystemException files ?
                io.multikernel.node.util.CommandLines.fileProblem(files) : ex.getMessage();
            throw new UncheckedIOException("cannot make the run directory " + root + " owner-only: " + reason +
                " (use a --run-dir of your own)", ex);
        }
        return this;
    }

    /** What a run directory holds, so that one used before is told from a directory of something else. */
    static final Set<String> RUN_DIRECTORY_ENTRIES = Set.of("cluster.yaml", "cluster.secret", "processes", "logs", "data",
        "commands", "lrpc", "bench-2pc");

    /**
     * mk up makes its run directory its owner's alone, so it takes only a directory that is new, empty
     * or a run directory already: never one other users write to (a shared directory such as /tmp,
     * whose mode it would change for everyone), nor one that holds something else.
     *
     * @throws IllegalStateException naming the directory and what to give instead.
     */
    private void refuseForeignDirectory()
    {
        if (!Files.isDirectory(root))
        {
            return;
        }
        try
        {
            final Set<java.nio.file.attribute.PosixFilePermission> permissions = Files.getPosixFilePermissions(root);
            if (permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE))
            {
                throw new IllegalStateException("the run directory " + root + " is writable by every user (" +
                    java.nio.file.attribute.PosixFilePermissions.toString(permissions) + "), a shared directory: " +
                    "mk up would make it its own; give a directory of its own, e.g. --run-dir " + root.resolve("mk-run"));
            }
            // Hidden files and a mount point's lost+found say nothing; directories may be ones the
            // user's own --json or an earlier benchmark made. Files, with nothing of a run directory's
            // beside them, are something else's.
            final List<String> foreign;
            try (java.util.stream.Stream<Path> entries = Files.list(root))
            {
                foreign = entries.map(entry -> entry.getFileName().toString())
                    .filter(name -> !name.startsWith(".") && !"lost+found".equals(name)).sorted().toList();
            }
            if (foreign.stream().noneMatch(RUN_DIRECTORY_ENTRIES::contains) &&
                foreign.stream().anyMatch(name -> Files.isRegularFile(root.resolve(name))))
            {
                throw new IllegalStateException("the run directory " + root + " holds " +
                    String.join(", ", foreign.subList(0, Math.min(3, foreign.size()))) +
                    (foreign.size() > 3 ? " and " + (foreign.size() - 3) + " more" : "") + ", and no run directory's " +
                    "files: give a new or empty directory, or one mk up used before");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the run directory " + root + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The lock of the commands that start and stop this directory's processes. Hidden, so that a
     * directory holding only it is not taken for a run directory.
     */
    static final String CHANGE_LOCK_FILE = ".mk-change.lock";

    /**
     * One command at a time starts or stops this directory's processes ({@code mk up}, {@code mk
     * restart}, {@code mk down}). Two restarts of one core at once each started a core and recorded
     * the one that lost, so {@code mk status} called the live one a stranger and {@code mk down} left
     * it running.
     *
     * @param command what the caller is, for the refusal of the next (e.g. {@code "mk restart --core 1"}).
     * @return the lock, or {@code null} when the directory does not exist or cannot be written (a
     *         container's read-only {@code /etc/mk}): no process of it can be recorded there either.
     * @throws IllegalStateException naming the process that holds it.
     */
    public io.multikernel.common.ProcessLock lockForChange(final String command)
    {
        if (!Files.isDirectory(root) || !Files.isWritable(root))
        {
            return null;
        }
        final Path file = root.resolve(CHANGE_LOCK_FILE);
        try
        {
            final io.multikernel.common.ProcessLock lock = io.multikernel.common.ProcessLock.tryAcquire(file, command);
            if (null == lock)
            {
                final String holder = io.multikernel.common.ProcessLock.holderOf(file);
                final int space = holder.indexOf(' ');
                throw new IllegalStateException((space < 0 ? "another mk command" : holder.substring(space + 1)) +
                    (holder.isEmpty() ? "" : " (pid " + (space < 0 ? holder : holder.substring(0, space)) + ")") +
                    " is starting or stopping processes of " + root + ": wait for it to finish, then try again");
            }
            return lock;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot lock " + file + ": " + ex.getMessage(), ex);
        }
    }

    public Path clusterFile()
    {
        return root.resolve("cluster.yaml");
    }

    /**
     * @param coreId a core of the cluster.
     * @return {@code RUN/data/core-<id>}: the core's write-ahead log and snapshots, kept across restarts.
     */
    public Path dataDirectory(final int coreId)
    {
        return root.resolve("data").resolve("core-" + coreId);
    }

    /**
     * @param directory a core's data directory.
     * @return whether it holds anything but the core's lock file and format marker: a core that could
     *         not start (a port in use) made only those, and so does one whose write-ahead log was
     *         removed; neither holds replicated state.
     */
    static boolean holdsData(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            return false;
        }
        try (java.util.stream.Stream<Path> entries = Files.list(directory))
        {
            return entries.anyMatch(entry -> !io.multikernel.node.replication.DataDirectoryLock.isLockFile(entry) &&
                !io.multikernel.node.replication.DataFormat.isMarkerFile(entry));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("could not list " + directory + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return whether the directory holds only what a core makes before it holds state (its lock file,
     *         its format marker): made by a core that could not start, or left when its log was removed.
     */
    static boolean holdsOnlyLockOrMarker(final Path directory)
    {
        return Files.isDirectory(directory) && !holdsData(directory) &&
            (Files.exists(directory.resolve(io.multikernel.node.replication.DataDirectoryLock.FILE_NAME)) ||
                Files.exists(directory.resolve(io.multikernel.node.replication.DataFormat.MARKER_FILE)));
    }

    /**
     * @return the cores with a data directory ({@code data/core-N}) here, whatever it holds, but for one
     *         that holds only a core's lock file.
     */
    public java.util.SortedSet<Integer> coresWithData()
    {
        final java.util.SortedSet<Integer> withData = new java.util.TreeSet<>();
        final Path data = root.resolve("data");
        if (Files.isDirectory(data))
        {
            try (java.util.stream.Stream<Path> entries = Files.list(data))
            {
                entries.filter(path -> path.getFileName().toString().matches("core-[0-9]{1,9}") && !holdsOnlyLockOrMarker(path))
                    .forEach(path -> withData.add(Integer.parseInt(path.getFileName().toString().substring("core-".length()))));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("could not list " + data + ": " + ex.getMessage(), ex);
            }
        }
        return withData;
    }

    /**
     * @param ids core ids.
     * @return them as ranges, e.g. {@code 0-3,6}.
     */
    public static String idRanges(final java.util.SortedSet<Integer> ids)
    {
        final StringBuilder text = new StringBuilder();
        Integer start = null;
        Integer previous = null;
        for (final int id : ids)
        {
            if (null != previous && id == previous + 1)
            {
                previous = id;
                continue;
            }
            appendRange(text, start, previous);
            start = id;
            previous = id;
        }
        appendRange(text, start, previous);
        return text.toString();
    }

    private static void appendRange(final StringBuilder text, final Integer start, final Integer end)
    {
        if (null == start)
        {
            return;
        }
        if (text.length() > 0)
        {
            text.append(',');
        }
        text.append(start);
        if (!start.equals(end))
        {
            text.append('-').append(end);
        }
    }

    /**
     * @return a sentence for a directory that holds a cluster map but no processes of {@code mk up}
     *         (the map a container's hosts read, {@code /etc/mk}), or {@code null} for any other.
     */
    public String notStartedHere()
    {
        // mk up makes logs/ before it starts anything, and mk down leaves it: a directory without it
        // never held a cluster of mk up's.
        if (!Files.exists(clusterFile()) || Files.exists(processesFile()) || Files.exists(root.resolve("logs")))
        {
            return null;
        }
        return root + " holds a cluster map but no processes that mk up started here (no " + processesFile() +
            "): its cores run where their hosts run; stop or restart them there (in docker-compose: " +
            "docker-compose stop, or docker-compose restart host-N)";
    }

    public Path processesFile()
    {
        return root.resolve("processes");
    }

    public Path lrpcFile(final int coreId)
    {
        return root.resolve("lrpc").resolve("core-" + coreId + ".lrpc");
    }

    /** The environment variable naming {@code mk host}'s data root, where its cores keep their LRPC files. */
    public static final String DATA_ROOT_ENV = "MK_DATA_ROOT";

    /**
     * @param coreId a core of the cluster.
     * @return where the core's LRPC file is: under this run directory for {@code mk up}'s cores, else
     *         under {@code mk host}'s data root ({@code $MK_DATA_ROOT}, as in the container image, or
     *         {@code data/} beside the map); the first that exists, or this run directory's when none does.
     */
    public Path findLrpcFile(final int coreId)
    {
        return findLrpcFile(coreId, System.getenv(DATA_ROOT_ENV));
    }

    Path findLrpcFile(final int coreId, final String dataRootEnv)
    {
        final Path own = lrpcFile(coreId);
        if (Files.isRegularFile(own))
        {
            return own;
        }
        final List<Path> hostLayouts = new ArrayList<>();
        if (null != dataRootEnv && !dataRootEnv.isBlank())
        {
            hostLayouts.add(Path.of(dataRootEnv.strip()));
        }
        hostLayouts.add(root.resolve("data"));
        return hostLayouts.stream().map(dataRoot -> new RunDirectory(dataRoot).lrpcFile(coreId))
            .filter(Files::isRegularFile).findFirst().orElse(own);
    }

    /**
     * @param coreId a core of the cluster.
     * @return the file that keeps the command line the core was started with, one argument per line,
     *         so that it can be started again the same way ({@code mk restart}).
     */
    public Path coreCommandFile(final int coreId)
    {
        return root.resolve("commands").resolve("core-" + coreId);
    }

    /** @return {@code RUN/logs}: the processes' output. */
    public Path logs()
    {
        return root.resolve("logs");
    }

    public Path log(final String kind, final int id)
    {
        return logs().resolve(kind + "-" + id + ".log");
    }

    /**
     * A process's log, created {@code rw-------} before the process writes to it (a redirect would
     * create it with the umask's permissions); an earlier run's log is kept and tightened.
     *
     * @param kind {@code driver} or {@code core}.
     * @param id   host id for a driver, core id for a core.
     * @return the log.
     * @throws UncheckedIOException when it cannot be created or tightened.
     */
    public Path createLog(final String kind, final int id)
    {
        final Path log = log(kind, id);
        try
        {
            return OwnerOnlyFiles.createFile(log);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the log " + log + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the processes recorded by {@code mk up}; empty when there is no cluster.
     * @throws IllegalStateException naming the file and line when it is unreadable.
     */
    public List<Entry> processes()
    {
        final Path file = processesFile();
        if (!Files.exists(file))
        {
            return List.of();
        }
        final List<Entry> entries = new ArrayList<>();
        try
        {
            int lineNumber = 0;
            for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
            {
                lineNumber++;
                if (line.isBlank())
                {
                    continue;
                }
                final String[] parts = line.trim().split("\\s+");
                if (parts.length != 3 || !("driver".equals(parts[0]) || "core".equals(parts[0])))
                {
                    throw new IllegalStateException(file + ":" + lineNumber + " is not 'driver|core ID PID': " + line);
                }
                entries.add(new Entry(parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2])));
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalStateException(file + " has a non-numeric id or pid: " + ex.getMessage());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return entries;
    }

    /**
     * Record the processes atomically (write an owner-only temporary file, then rename).
     *
     * @param entries to record.
     */
    public void writeProcesses(final List<Entry> entries)
    {
        final StringBuilder sb = new StringBuilder();
        entries.forEach(e -> sb.append(e.kind()).append(' ').append(e.id()).append(' ').append(e.pid()).append('\n'));
        try
        {
            OwnerOnlyFiles.createDirectories(root);
            OwnerOnlyFiles.writeAtomically(processesFile(), sb);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param entry a recorded process.
     * @return its handle, if it is alive and still one of ours (a reused pid is not).
     */
    public static Optional<ProcessHandle> live(final Entry entry)
    {
        return ProcessHandle.of(entry.pid()).filter(ProcessHandle::isAlive).filter(RunDirectory::isMk);
    }

    private static boolean isMk(final ProcessHandle handle)
    {
        // Only a process whose command line we can read and that runs our CLI is ours: a reused pid
        // must never be signalled.
        return commandLine(handle).map(line -> MK_MAIN_CLASSES.stream().anyMatch(line::contains)).orElse(false);
    }

    /**
     * The whole command line of a process. The JDK's {@code ProcessHandle.Info.commandLine()} keeps
     * only the first page of {@code /proc/PID/cmdline} on Linux, which cuts a long class path before
     * the main class; this reads the file whole where it exists.
     *
     * @param handle a process.
     * @return its arguments joined with spaces, or empty when they cannot be read.
     */
    public static Optional<String> commandLine(final ProcessHandle handle)
    {
        final Path cmdline = Path.of("/proc", Long.toString(handle.pid()), "cmdline");
        try
        {
            final byte[] bytes = Files.readAllBytes(cmdline);
            if (bytes.length > 0)
            {
                return Optional.of(new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ').trim());
            }
        }
        catch (final IOException | SecurityException ex)
        {
            // Not Linux, or the process is gone or not ours to read: fall back to what the JDK offers.
        }
        return handle.info().commandLine();
    }

    /**
     * @param lines how many lines from the end.
     * @param log   file.
     * @return the last lines joined with " | ", or a note that the log is missing.
     */
    public static String tail(final Path log, final int lines)
    {
        try
        {
            final List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return all.isEmpty() ? "(empty)" : String.join(" | ", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
        catch (final IOException ex)
        {
            return "(no log at " + log + ")";
        }
    }
}
