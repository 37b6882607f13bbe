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
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        removeMemoryFiles();
        return stopped;
    }

    /**
     * Each host's memory file goes when its cores have stopped, as its media driver's directory does
     * (the driver deletes that on shutdown). Only files the run directory's map names are removed:
     * {@code mk up} names each host's own; a map that names none leaves the default files alone.
     */
    private void removeMemoryFiles()
    {
        if (!Files.exists(runDirectory.clusterFile()))
        {
            return;
        }
        try
        {
            removeMemoryFiles(ClusterMap.load(runDirectory.clusterFile()));
        }
        catch (final ClusterMapException | java.io.UncheckedIOException ex)
        {
            out.println("memory files not removed: " + ex.getMessage());
        }
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
        final List<ProcessHandle> live = group.stream().map(RunDirectory::live).flatMap(Optional::stream).toList();
        stopGroup(live, timeoutMs, out);
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
                out.println("process " + handle.pid() + " ignored SIGTERM for " + timeoutMs + " ms: killing it");
                handle.destroyForcibly();
                try
                {
                    handle.onExit().get(timeoutMs, TimeUnit.MILLISECONDS);
                }
                catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
                {
                    out.println("process " + handle.pid() + " did not exit after SIGKILL within " + timeoutMs + " ms");
                }
            }
        }
    }
}
