package io.multikernel.node.launcher;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.ClusterMapException;
import io.multikernel.node.cluster.HostDescriptor;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code mk down}: SIGTERM every core (they say goodbye to their peers), then the drivers; whatever
 * has not exited within the timeout gets SIGKILL. Once every process is gone, each host's memory
 * file goes (its physical memory ends with its cores). Logs, the cluster map and the cores' data stay.
 */
public final class ClusterStopper
{
    private static final long POLL_INTERVAL_MS = 100;

    private final RunDirectory runDirectory;
    private final PrintStream out;

    public ClusterStopper(final RunDirectory runDirectory, final PrintStream out)
    {
        this.runDirectory = runDirectory;
        this.out = out;
    }

    /**
     * @param timeoutMs how long each group may take to exit after SIGTERM.
     * @return how many processes were stopped.
     * @throws InterruptedException when interrupted while waiting.
     */
    public int down(final long timeoutMs) throws InterruptedException
    {
        final List<RunDirectory.Entry> entries = runDirectory.processes();
        final List<RunDirectory.Entry> cores = entries.stream().filter(RunDirectory.Entry::isCore).toList();
        final List<RunDirectory.Entry> drivers = entries.stream().filter(e -> !e.isCore()).toList();
        final int stopped = stop(cores, timeoutMs) + stop(drivers, timeoutMs);
        final List<RunDirectory.Entry> survivors = entries.stream().filter(e -> RunDirectory.live(e).isPresent()).toList();
        if (!survivors.isEmpty())
        {
            runDirectory.writeProcesses(survivors);
            throw new IllegalStateException(survivors.size() + " process(es) survived SIGKILL (first pid " +
                survivors.get(0).pid() + "); they stay recorded in " + runDirectory.processesFile());
        }
        try
        {
            Files.deleteIfExists(runDirectory.processesFile());
            // A core removes its LRPC file as it stops; one that needed SIGKILL leaves it (2.3 MB).
            for (final RunDirectory.Entry core : cores)
            {
                Files.deleteIfExists(runDirectory.lrpcFile(core.id()));
            }
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        removeMemoryFiles(drivers.stream().map(RunDirectory.Entry::id).collect(java.util.stream.Collectors.toSet()));
        return stopped;
    }

    /**
     * Each host's memory file goes when its cores have stopped, as its media driver's directory does
     * (the driver deletes that on shutdown). Only files the run directory's map names are removed:
     * {@code mk up} names each host's own; a map that names none leaves the default files alone.
     */
    private void removeMemoryFiles(final java.util.Set<Integer> hostsStoppedHere)
    {
        if (!Files.exists(runDirectory.clusterFile()))
        {
            return;
        }
        try
        {
            final ClusterMap map = ClusterMap.load(runDirectory.clusterFile());
            removeMemoryFiles(map);
            for (final Path left : removeDriverDirectories(map, hostsStoppedHere))
            {
                out.println("removed " + left + ", which its media driver left behind (it did not stop cleanly)");
            }
        }
        catch (final ClusterMapException | java.io.UncheckedIOException ex)
        {
            out.println("memory files not removed: " + ex.getMessage());
        }
    }

    /**
     * A media driver deletes its directory (its CnC file and loss report, about 12 MB of
     * {@code /dev/shm}) when it stops; one that was killed, or died, leaves it. Only the directories of
     * hosts whose driver this run directory recorded, and which is now gone, are removed: a map's
     * directory may belong to a driver started elsewhere ({@code mk host} in a container, whose map names
     * one for every host), or to another Aeron application.
     *
     * @param map              the run directory's cluster map.
     * @param hostsStoppedHere hosts whose media driver this run directory recorded and which no longer runs.
     * @return the directories removed: those the map names for these hosts and that existed.
     * @throws java.io.UncheckedIOException naming a directory that could not be removed.
     */
    static List<Path> removeDriverDirectories(final ClusterMap map, final java.util.Set<Integer> hostsStoppedHere)
    {
        final List<Path> removed = new ArrayList<>();
        for (final HostDescriptor host : map.hosts())
        {
            final Path directory = host.aeronDir().map(Path::of).orElse(null);
            if (null == directory || !hostsStoppedHere.contains(host.id()) || !Files.isDirectory(directory))
            {
                continue;
            }
            try
            {
                org.agrona.IoUtil.delete(directory.toFile(), false);
            }
            catch (final RuntimeException ex)
            {
                throw new java.io.UncheckedIOException("could not remove host " + host.id() + "'s media driver directory " +
                    directory + ": " + ex, new java.io.IOException(ex));
            }
            removed.add(directory);
        }
        return removed;
    }

    /**
     * @param map a cluster map none of whose cores runs.
     * @return the memory files removed: those the map names explicitly and that existed.
     * @throws java.io.UncheckedIOException naming a file that could not be removed.
     */
    static List<Path> removeMemoryFiles(final ClusterMap map)
    {
        final List<Path> removed = new ArrayList<>();
        for (final HostDescriptor host : map.hosts())
        {
            if (host.memoryFile().isEmpty())
            {
                continue;
            }
            final Path file = Path.of(host.memoryFile().get());
            try
            {
                if (Files.deleteIfExists(file))
                {
                    removed.add(file);
                }
            }
            catch (final java.io.IOException ex)
            {
                throw new java.io.UncheckedIOException("could not remove host " + host.id() + "'s memory file " +
                    file + ": " + ex, ex);
            }
        }
        return removed;
    }

    private int stop(final List<RunDirectory.Entry> group, final long timeoutMs) throws InterruptedException
    {
        final java.util.Map<Long, String> names = new java.util.HashMap<>();
        group.forEach(entry -> names.put(entry.pid(), (entry.isCore() ? "core " + entry.id() :
            "the media driver of host " + entry.id()) + " (pid " + entry.pid() + ")"));
        final List<ProcessHandle> live = group.stream().map(RunDirectory::live).flatMap(Optional::stream).toList();
        stopGroup(live, handle -> names.getOrDefault(handle.pid(), "process " + handle.pid()), timeoutMs, out);
        return live.size();
    }

    /**
     * SIGTERM to every process of a group, then SIGKILL to each one still alive after the timeout.
     *
     * @param group     processes to stop together.
     * @param timeoutMs how long the group may take to exit after SIGTERM, and each to exit after SIGKILL.
     * @param out       where a process that needed SIGKILL, or outlived it, is named.
     * @throws InterruptedException when interrupted while waiting.
     */
    public static void stopGroup(final List<ProcessHandle> group, final long timeoutMs, final PrintStream out)
        throws InterruptedException
    {
        stopGroup(group, handle -> "process " + handle.pid(), timeoutMs, out);
    }

    /**
     * {@link #stopGroup(List, long, PrintStream)}, naming each process as {@code name} says.
     *
     * @param group     processes to stop together.
     * @param name      what each is called in what is printed, e.g. "core 1 (pid 3544)".
     * @param timeoutMs how long the group may take to exit after SIGTERM, and each to exit after SIGKILL.
     * @param out       where a process that needed SIGKILL, or outlived it, is named.
     * @throws InterruptedException when interrupted while waiting.
     */
    public static void stopGroup(final List<ProcessHandle> group, final java.util.function.Function<ProcessHandle, String> name,
        final long timeoutMs, final PrintStream out) throws InterruptedException
    {
        group.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroy);
        final long deadlineMs = System.currentTimeMillis() + timeoutMs;
        while (group.stream().anyMatch(ProcessHandle::isAlive) && System.currentTimeMillis() < deadlineMs)
        {
            Thread.sleep(POLL_INTERVAL_MS);
        }
        for (final ProcessHandle handle : group)
        {
            if (handle.isAlive())
            {
                // A process stopped by a signal cannot act on SIGTERM until it is continued; say so, not that it ignored it.
                out.println(name.apply(handle) + (ProcessUsage.isStopped(handle.pid()) ?
                    " is stopped by a signal (SIGSTOP, or a debugger) and could not act on SIGTERM: killing it" :
                    " did not exit within " + timeoutMs + " ms of SIGTERM: killing it"));
                handle.destroyForcibly();
                try
                {
                    handle.onExit().get(timeoutMs, TimeUnit.MILLISECONDS);
                }
                catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
                {
                    out.println(name.apply(handle) + " did not exit after SIGKILL within " + timeoutMs + " ms");
                }
            }
        }
    }
}
