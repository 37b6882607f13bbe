package io.multikernel.node.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * What processes of this machine cost: resident memory and CPU, read from Linux's {@code /proc}.
 * CPU is the time the scheduler accounted to every thread of a process ({@code schedstat}, in
 * nanoseconds, not the tick-sampled {@code utime}, which over-counts threads that wake on timer
 * ticks) over a short window, as a share of the whole machine. Memory is the resident set (RSS: every
 * page mapped, shared libraries and class-data archive included) and the proportional set (PSS: a
 * shared page counted as its share among the processes that map it; what a core adds when many run).
 * Where {@code /proc} is missing or a process is gone, its figures are unknown, never a guess.
 */
public final class ProcessUsage
{
    /** CPU_SAMPLE_MS: the window CPU is measured over, ms. */
    public static final long CPU_SAMPLE_MS = 500;

    private static final Path PROC = Path.of("/proc");

    /**
     * One process's cost.
     *
     * @param rssBytes          resident set, bytes; -1 when unknown.
     * @param pssBytes          proportional set, bytes; -1 when unknown.
     * @param cpuPercentMachine share of the whole machine's CPUs over the window, %; -1 when unknown.
     */
    public record Usage(long rssBytes, long pssBytes, double cpuPercentMachine)
    {
        /** Nothing known. */
        public static final Usage UNKNOWN = new Usage(-1, -1, -1);
    }

    private ProcessUsage()
    {
    }

    /**
     * Samples every process at once: CPU time, then {@code windowMs} later CPU time and memory.
     *
     * @param pids     the processes; unknown ones (gone, not ours, no {@code /proc}) get {@link Usage#UNKNOWN}.
     * @param windowMs the CPU window, ms, at least 1.
     * @return by pid.
     */
    public static Map<Long, Usage> sample(final Collection<Long> pids, final long windowMs) throws InterruptedException
    {
        if (windowMs < 1)
        {
            throw new IllegalArgumentException("windowMs must be at least 1, not " + windowMs);
        }
        final Map<Long, Long> before = new HashMap<>();
        for (final long pid : pids)
        {
            before.put(pid, cpuNanos(pid));
        }
        final long startNs = System.nanoTime();
        Thread.sleep(windowMs);
        final Map<Long, Usage> usage = new HashMap<>();
        final int cpus = Runtime.getRuntime().availableProcessors();
        for (final long pid : pids)
        {
            final long after = cpuNanos(pid);
            final long elapsedNs = System.nanoTime() - startNs;
            final long first = before.get(pid);
            final double cpu = first < 0 || after < 0 || after < first ? -1 : 100.0 * (after - first) / ((double)elapsedNs * cpus);
            final long rssKb = statusKb(pid, "VmRSS:");
            final long pssKb = rollupKb(pid, "Pss:");
            usage.put(pid, new Usage(rssKb < 0 ? -1 : rssKb * 1024, pssKb < 0 ? -1 : pssKb * 1024, cpu));
        }
        return usage;
    }

    /** @return CPU time of every thread of the process, ns; -1 when unknown. */
    static long cpuNanos(final long pid)
    {
        final Path tasks = PROC.resolve(Long.toString(pid)).resolve("task");
        long total = 0;
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks))
        {
            for (final Path thread : threads)
            {
                try
                {
                    total += schedstatNanos(Files.readString(thread.resolve("schedstat"), StandardCharsets.US_ASCII));
                }
                catch (final IOException | IllegalArgumentException ex)
                {
                    // The thread ended between the listing and the read: its time is gone with it.
                }
            }
            return total;
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /**
     * @param schedstat a thread's {@code schedstat}: "on-CPU ns, waiting ns, time slices".
     * @return the on-CPU time, ns.
     * @throws IllegalArgumentException when the text is not that.
     */
    static long schedstatNanos(final String schedstat)
    {
        final String[] fields = schedstat.trim().split("\\s+");
        if (fields.length < 1 || fields[0].isEmpty())
        {
            throw new IllegalArgumentException("not a schedstat line: '" + schedstat.trim() + "'");
        }
        try
        {
            return Long.parseLong(fields[0]);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a schedstat line: '" + schedstat.trim() + "'", ex);
        }
    }

    private static long statusKb(final long pid, final String field)
    {
        return kb(PROC.resolve(Long.toString(pid)).resolve("status"), field);
    }

    private static long rollupKb(final long pid, final String field)
    {
        return kb(PROC.resolve(Long.toString(pid)).resolve("smaps_rollup"), field);
    }

    private static long kb(final Path file, final String field)
    {
        try
        {
            return fieldKb(Files.readString(file, StandardCharsets.US_ASCII), field);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return -1;
        }
    }

    /**
     * @param text  a {@code /proc} file of "Name:   value kB" lines.
     * @param field the name with its colon, e.g. {@code VmRSS:}.
     * @return the value, kB; -1 when the field is not there.
     * @throws IllegalArgumentException when the field's value is not a number of kB.
     */
    static long fieldKb(final String text, final String field)
    {
        for (final String line : text.split("\n"))
        {
            if (line.startsWith(field))
            {
                final String[] parts = line.substring(field.length()).trim().split("\\s+");
                if (parts.length != 2 || !"kB".equals(parts[1]))
                {
                    throw new IllegalArgumentException("'" + line + "' is not a size in kB");
                }
                try
                {
                    return Long.parseLong(parts[0]);
                }
                catch (final NumberFormatException ex)
                {
                    throw new IllegalArgumentException("'" + line + "' is not a size in kB", ex);
                }
            }
        }
        return -1;
    }

    /**
     * @param pid a process.
     * @return whether it is stopped by a signal (SIGSTOP, or stopped under a tracer): its
     *         {@code /proc/PID/stat} state is {@code T} or {@code t}; false when that cannot be read.
     */
    public static boolean isStopped(final long pid)
    {
        try
        {
            final String stat = java.nio.file.Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
            // "pid (command) S ...": the command may hold spaces and parentheses, the state follows the last ')'.
            final int end = stat.lastIndexOf(')');
            final char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
            return 'T' == state || 't' == state;
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return false;
        }
    }
}
