package io.multikernel.node.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which CPUs each core process of a local cluster may run on, as the multikernel gives every kernel
 * a core of its own. Applied with {@code taskset} when a core is spawned.
 * <ul>
 *   <li>{@link Mode#NONE}: the operating system places every process (no pinning).</li>
 *   <li>{@link Mode#SPREAD}: core i runs on CPU i mod C of the C CPUs this process may use.</li>
 *   <li>{@link Mode#DEDICATED}: cores 0, 1, ... each get a CPU of their own while at least one CPU
 *   is left; the remaining cores and the apps share the last CPUs. With more CPUs than cores every
 *   core has its own and apps get the rest. Core 0, where apps usually attach and which coordinates
 *   their writes, is always alone when there are two CPUs or more.</li>
 * </ul>
 * Polling cores that share a CPU take turns (they yield); a core alone on a CPU answers at once.
 */
public final class CpuPlacement
{
    /** How cores are placed. */
    public enum Mode
    {
        NONE,
        SPREAD,
        DEDICATED;

        /**
         * @param name none, spread or dedicated, any case.
         * @return the mode.
         * @throws IllegalArgumentException naming the value and the accepted ones.
         */
        public static Mode parse(final String name)
        {
            for (final Mode mode : values())
            {
                if (mode.name().equalsIgnoreCase(name.trim()))
                {
                    return mode;
                }
            }
            throw new IllegalArgumentException("CPU placement '" + name + "' is not one of none, spread, dedicated");
        }

        public String lowerCaseName()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The program that pins a process to CPUs (util-linux). */
    public static final String TASKSET = "/usr/bin/taskset";
    /** Where the kernel lists the CPUs this process may use. */
    static final Path SELF_STATUS = Path.of("/proc/self/status");
    /** How long taskset may take to pin a running process, ms. */
    static final long TASKSET_TIMEOUT_MS = 10_000;
    /** The most output of a failing taskset quoted in an error, bytes. */
    static final int TASKSET_OUTPUT_MAX_BYTES = 1024;
    /** The most CPU ids a CPU list may name. */
    static final int CPUS_MAX = 4096;

    private static final CpuPlacement NONE = new CpuPlacement(Mode.NONE, List.of());

    private final Mode mode;
    private final List<Integer> cpus;

    private CpuPlacement(final Mode mode, final List<Integer> cpus)
    {
        this.mode = mode;
        this.cpus = List.copyOf(cpus);
    }

    /** @return no pinning. */
    public static CpuPlacement none()
    {
        return NONE;
    }

    /**
     * @param mode how to place cores.
     * @param cpus the CPU ids to place them on, at least one.
     */
    public static CpuPlacement of(final Mode mode, final List<Integer> cpus)
    {
        if (Mode.NONE == mode)
        {
            return NONE;
        }
        if (cpus.isEmpty())
        {
            throw new IllegalArgumentException("no CPUs to place cores on");
        }
        return new CpuPlacement(mode, new ArrayList<>(new TreeSet<>(cpus)));
    }

    /**
     * @param mode how to place cores, on the CPUs this process may use.
     * @throws IOException when the mode pins and the allowed CPUs or {@value #TASKSET} cannot be found.
     */
    public static CpuPlacement onAllowedCpus(final Mode mode) throws IOException
    {
        if (Mode.NONE == mode)
        {
            return NONE;
        }
        if (!Files.isExecutable(Path.of(TASKSET)))
        {
            throw new IOException("CPU placement '" + mode.lowerCaseName() + "' needs " + TASKSET +
                " (util-linux), which is not installed; use 'none'");
        }
        return of(mode, allowedCpus());
    }

    /**
     * @return the CPUs this process may run on ({@code Cpus_allowed_list} of {@code /proc/self/status}),
     *         or 0..availableProcessors-1 where the kernel does not say.
     */
    public static List<Integer> allowedCpus() throws IOException
    {
        if (Files.isReadable(SELF_STATUS))
        {
            final Optional<String> list = cpusAllowedList(SELF_STATUS);
            if (list.isPresent())
            {
                return parseCpuList(list.get());
            }
        }
        final List<Integer> cpus = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++)
        {
            cpus.add(i);
        }
        return cpus;
    }

    /**
     * @param status a {@code /proc/PID/status} or {@code /proc/PID/task/TID/status} file.
     * @return its {@code Cpus_allowed_list}, e.g. {@code 0-1}, or empty when it has none.
     */
    public static Optional<String> cpusAllowedList(final Path status) throws IOException
    {
        for (final String line : Files.readAllLines(status, StandardCharsets.US_ASCII))
        {
            if (line.startsWith("Cpus_allowed_list:"))
            {
                return Optional.of(line.substring("Cpus_allowed_list:".length()).trim());
            }
        }
        return Optional.empty();
    }

    /**
     * @param list a Linux CPU list such as {@code 0-3,6}.
     * @return the CPU ids, ascending, without repeats.
     * @throws IllegalArgumentException naming the part that is not a CPU id or range.
     */
    public static List<Integer> parseCpuList(final String list)
    {
        final TreeSet<Integer> cpus = new TreeSet<>();
        for (final String part : list.trim().split(","))
        {
            final String[] ends = part.trim().split("-", -1);
            try
            {
                final int first = Integer.parseInt(ends[0].trim());
                final int last = ends.length == 2 ? Integer.parseInt(ends[1].trim()) : first;
                if (ends.length > 2 || first < 0 || last < first || last - first >= CPUS_MAX || cpus.size() + last - first >= CPUS_MAX)
                {
                    throw new NumberFormatException();
                }
                for (int cpu = first; cpu <= last; cpu++)
                {
                    cpus.add(cpu);
                }
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("'" + part.trim() + "' in CPU list '" + list.trim() +
                    "' is not a CPU id or a range of them (at most " + CPUS_MAX + ")");
            }
        }
        return new ArrayList<>(cpus);
    }

    public Mode mode()
    {
        return mode;
    }

    /**
     * @param coreIndex  the core's place among the cluster's cores, from 0.
     * @param coreCount  cores in the cluster.
     * @return the CPU list the core is pinned to, empty when it is not pinned.
     */
    public Optional<String> coreCpus(final int coreIndex, final int coreCount)
    {
        return switch (mode)
        {
            case NONE -> Optional.empty();
            case SPREAD -> Optional.of(Integer.toString(cpus.get(coreIndex % cpus.size())));
            case DEDICATED -> Optional.of(coreIndex < ownCpus(coreCount) ?
                Integer.toString(cpus.get(coreIndex)) : list(sharedCpus(coreCount)));
        };
    }

    /**
     * @param coreCount cores in the cluster.
     * @return where apps of this host should run: the CPUs no core has to itself, empty when apps are
     *         not placed (no pinning, or cores spread over every CPU).
     */
    public Optional<String> appCpus(final int coreCount)
    {
        return Mode.DEDICATED == mode && !sharedCpus(coreCount).isEmpty() ?
            Optional.of(list(sharedCpus(coreCount))) : Optional.empty();
    }

    /**
     * @return the arguments that run a command pinned as {@link #coreCpus} says, empty when unpinned.
     */
    public List<String> commandPrefix(final int coreIndex, final int coreCount)
    {
        return coreCpus(coreIndex, coreCount).map((list) -> List.of(TASKSET, "--cpu-list", list)).orElse(List.of());
    }

    /**
     * Pins every thread of a running process (and the threads they start later) to CPUs.
     *
     * @param pid     the process.
     * @param cpuList a CPU list such as {@code 1} or {@code 0,2-3}.
     * @throws IOException when taskset fails or does not finish within {@value #TASKSET_TIMEOUT_MS} ms.
     */
    public static void pinProcess(final long pid, final String cpuList) throws IOException
    {
        final Process taskset = new ProcessBuilder(TASKSET, "--all-tasks", "--cpu-list", "--pid", cpuList, Long.toString(pid))
            .redirectErrorStream(true)
            .start();
        try
        {
            final boolean exited = taskset.waitFor(TASKSET_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            final String output = new String(taskset.getInputStream().readNBytes(TASKSET_OUTPUT_MAX_BYTES),
                StandardCharsets.UTF_8).trim();
            if (!exited || 0 != taskset.exitValue())
            {
                taskset.destroyForcibly();
                throw new IOException("could not pin process " + pid + " to CPUs " + cpuList + ": " +
                    (exited ? "taskset exited with " + taskset.exitValue() + ": " + output : "taskset did not finish"));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            taskset.destroyForcibly();
            throw new IOException("interrupted while pinning process " + pid + " to CPUs " + cpuList, ex);
        }
    }

    /** @return the CPU list of {@link #allowedCpus()}. */
    public static String allowedCpuList() throws IOException
    {
        return list(allowedCpus());
    }

    /** Cores with a CPU of their own: all when there are more CPUs than cores, else all CPUs but one. */
    private int ownCpus(final int coreCount)
    {
        return cpus.size() > coreCount ? coreCount : Math.max(0, cpus.size() - 1);
    }

    private List<Integer> sharedCpus(final int coreCount)
    {
        return cpus.subList(ownCpus(coreCount), cpus.size());
    }

    private static String list(final List<Integer> cpus)
    {
        return cpus.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    @Override
    public String toString()
    {
        return Mode.NONE == mode ? "none" : mode.lowerCaseName() + " over CPUs " + list(cpus);
    }
}
