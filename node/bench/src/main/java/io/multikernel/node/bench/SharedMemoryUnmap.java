package io.multikernel.node.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.multikernel.common.Bounds;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * The conventional kernel's unmap, the baseline of the paper's Fig. 7 (Linux and Windows there): all
 * cores in one JVM share one page table, and an unmap is a TLB shootdown through shared memory with
 * the IPIs sent one after another.
 * <p>
 * For each core count a fresh {@link SharedMemoryMachine} is made and {@code cores - 1} core threads
 * ({@link SharedMemoryCore}) are started; the calling thread is core 0, the initiator. Each core thread
 * loads from its working set through its private TLB, filled from the page table, and polls its IPI
 * request word between loads. One unmap round, timed on the initiator:
 * <ol>
 * <li>take the page-table lock and clear the entries of the first {@link #UNMAP_PAGES} pages;</li>
 * <li>invalidate them in the initiator's own TLB (nothing to do here: the initiator does no loads);</li>
 * <li>write the round number into every other core's request word, one core after another: the IPIs;</li>
 * <li>wait until every core's acknowledgement word holds the round (each core invalidates the range in its
 *     TLB, then acknowledges); then release the lock and return.</li>
 * </ol>
 * Untimed between rounds: the round is published as returned, and the range is mapped again with a new
 * generation so the next round has something to unmap.
 * <p>
 * Every bound has a name: a round not acknowledged within {@link #ACK_TIMEOUT_NS} fails naming the core,
 * a core thread not stopped within {@link #STOP_TIMEOUT_MS} fails the run. Core threads are daemons and are
 * stopped whatever happens. A core that uses a TLB entry its unmap removed after that unmap returned is
 * a broken shootdown: the run fails with the first such use (see {@link SharedMemoryCore}).
 * <p>
 * With more core threads than CPUs a spinning thread holds a CPU that another needs, so core threads
 * (and the initiator while it waits) spin with {@link Thread#onSpinWait()} and yield after
 * {@link #SPINS_BEFORE_YIELD} spins; the latency then includes the scheduler's turns, as it would on an
 * oversubscribed machine.
 * <p>
 * Usage, as {@code mk bench unmap} would: {@code new SharedMemoryUnmap().run(new int[]{ 2, 4, 8 }, 1000, 200)},
 * then chart the rows' p50 with {@link LatencyChart}.
 */
public final class SharedMemoryUnmap
{
    /** The {@link Row#protocol()} of every row: the line's name in a chart. */
    public static final String PROTOCOL = "shared-memory";
    /** Fewest cores: an initiator and one core to shoot down. */
    public static final int CORES_MIN = 2;
    /** Most cores (threads) one run may simulate. */
    public static final int CORES_MAX = 64;
    /** Most measured or warmup rounds per core count. */
    public static final int ITERATIONS_MAX = 1_000_000;
    /** Longest an unmap round (or the core threads' start) may wait for every acknowledgement, ns. */
    public static final long ACK_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);
    /** Longest the core threads may take to stop, ms. */
    public static final long STOP_TIMEOUT_MS = 5_000;
    /**
     * Spins (loads, or polls of the acknowledgements) before a thread yields its CPU. A spin with
     * {@link Thread#onSpinWait()} took about 35 ns on the 2-CPU machine this was tuned on, so with
     * 1000 here every core thread beyond the CPUs added about 35 µs to an unmap; with 100, about 3.5 µs.
     */
    public static final int SPINS_BEFORE_YIELD = 100;
    /** Entries in the page table: one 4 KiB page-table page of x86-64. */
    public static final int PAGE_TABLE_ENTRIES = 512;
    /** Entries in each core's TLB, which is also each core's working set in pages. */
    public static final int TLB_ENTRIES = 64;
    /** Pages every round unmaps: the first ones, all in every core's working set. */
    public static final int UNMAP_PAGES = 8;
    static final String THREAD_NAME_PREFIX = "shared-memory-core-";

    static
    {
        if (TLB_ENTRIES > PAGE_TABLE_ENTRIES || UNMAP_PAGES > TLB_ENTRIES)
        {
            throw new IllegalStateException("UNMAP_PAGES=" + UNMAP_PAGES + " <= TLB_ENTRIES=" + TLB_ENTRIES +
                " <= PAGE_TABLE_ENTRIES=" + PAGE_TABLE_ENTRIES + " does not hold");
        }
    }

    /**
     * One core count's result, in the shape of the other unmap rows.
     *
     * @param protocol always {@link #PROTOCOL}.
     * @param cores    cores spanned, the initiator included.
     * @param hosts    always 1: shared memory needs one machine.
     * @param p50Us    median latency of an unmap, µs.
     * @param p99Us    99th percentile, µs.
     */
    public record Row(String protocol, int cores, int hosts, double p50Us, double p99Us)
    {
    }

    private final NanoClock clock;
    private final SharedMemoryCore.Fault fault;
    private long lastViolations;
    private long lastUnmappedPageHits;

    /** Times with the system's nanosecond clock. */
    public SharedMemoryUnmap()
    {
        this(new SystemNanoClock());
    }

    /**
     * @param clock what the rounds are timed and their deadlines read with.
     */
    public SharedMemoryUnmap(final NanoClock clock)
    {
        this(clock, SharedMemoryCore.Fault.NONE);
    }

    /** With every core but the initiator built broken in the given way: for tests of the checks. */
    SharedMemoryUnmap(final NanoClock clock, final SharedMemoryCore.Fault fault)
    {
        this.clock = clock;
        this.fault = fault;
    }

    /**
     * @param coreCounts core counts, each {@link #CORES_MIN}..{@link #CORES_MAX}, a fresh machine each.
     * @param iterations measured unmaps per core count, 1..{@link #ITERATIONS_MAX}.
     * @param warmup     unmaps before measuring, 0..{@link #ITERATIONS_MAX}.
     * @return a row per core count, in order.
     * @throws IllegalArgumentException naming the value and its limits, before any thread starts.
     * @throws IllegalStateException    when a core did not acknowledge in time, failed, did not stop, or used
     *                                  an entry an unmap had removed.
     */
    public List<Row> run(final int[] coreCounts, final int iterations, final int warmup)
    {
        Bounds.check("coreCounts.length", coreCounts.length, 1, CORES_MAX);
        for (final int cores : coreCounts)
        {
            Bounds.check("cores", cores, CORES_MIN, CORES_MAX);
        }
        Bounds.check("iterations", iterations, 1, ITERATIONS_MAX);
        Bounds.check("warmup", warmup, 0, ITERATIONS_MAX);
        final List<Row> rows = new ArrayList<>(coreCounts.length);
        for (final int cores : coreCounts)
        {
            rows.add(run(cores, iterations, warmup));
        }
        return rows;
    }

    private Row run(final int cores, final int iterations, final int warmup)
    {
        final SharedMemoryMachine machine = new SharedMemoryMachine(cores, PAGE_TABLE_ENTRIES);
        final List<SharedMemoryCore> coreList = new ArrayList<>(cores - 1);
        final List<Thread> threads = new ArrayList<>(cores - 1);
        final Histogram histogram = new Histogram(3);
        RuntimeException failure = null;
        try
        {
            for (int core = 1; core < cores; core++)
            {
                final SharedMemoryCore sharedMemoryCore = new SharedMemoryCore(core, machine, fault);
                final Thread thread = new Thread(sharedMemoryCore, THREAD_NAME_PREFIX + core);
                thread.setDaemon(true);
                coreList.add(sharedMemoryCore);
                threads.add(thread);
                thread.start();
            }
            awaitAcknowledgements(machine, coreList, 0, "start");
            for (long round = 1; round <= warmup + (long)iterations; round++)
            {
                final long latencyNs = unmap(machine, coreList, round);
                if (round > warmup)
                {
                    histogram.recordValue(latencyNs);
                }
                machine.completed(round);
                map(machine, round);
            }
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
            throw ex;
        }
        finally
        {
            stop(machine, threads, failure);
        }
        checkNoViolations(cores, coreList);
        final LatencyPercentiles percentiles = LatencyPercentiles.of(histogram);
        return new Row(PROTOCOL, cores, 1, percentiles.p50Ns() / 1e3, percentiles.p99Ns() / 1e3);
    }

    /**
     * @return how long the unmap took, ns: from taking the lock until every core acknowledged.
     */
    private long unmap(final SharedMemoryMachine machine, final List<SharedMemoryCore> coreList, final long round)
    {
        final long startNs = clock.nanoTime();
        machine.pageTableLock.lock();
        try
        {
            for (int page = 0; page < UNMAP_PAGES; page++)
            {
                machine.pageTable.set(page, 0);
            }
            for (final SharedMemoryCore core : coreList)
            {
                machine.raise(core.core(), round);
            }
            awaitAcknowledgements(machine, coreList, round, "unmap round " + round);
        }
        finally
        {
            machine.pageTableLock.unlock();
        }
        return clock.nanoTime() - startNs;
    }

    /** Maps the unmapped range again, generation {@code round}: a change that needs no shootdown. */
    private static void map(final SharedMemoryMachine machine, final long round)
    {
        machine.pageTableLock.lock();
        try
        {
            for (int page = 0; page < UNMAP_PAGES; page++)
            {
                machine.pageTable.set(page, SharedMemoryMachine.entry(round));
            }
        }
        finally
        {
            machine.pageTableLock.unlock();
        }
    }

    private void awaitAcknowledgements(final SharedMemoryMachine machine, final List<SharedMemoryCore> coreList,
        final long round, final String what)
    {
        final long deadlineNs = clock.nanoTime() + ACK_TIMEOUT_NS;
        int spins = 0;
        for (final SharedMemoryCore core : coreList)
        {
            while (machine.acknowledged(core.core()) != round)
            {
                final Throwable coreFailure = core.failure();
                if (null != coreFailure)
                {
                    throw new IllegalStateException("core " + core.core() + " failed during " + what + ": " + coreFailure,
                        coreFailure);
                }
                if (deadlineNs - clock.nanoTime() < 0)
                {
                    throw new IllegalStateException("core " + core.core() + " did not acknowledge " + what + " within " +
                        TimeUnit.NANOSECONDS.toMillis(ACK_TIMEOUT_NS) + " ms (it acknowledged " +
                        machine.acknowledged(core.core()) + " last)");
                }
                if (++spins >= SPINS_BEFORE_YIELD)
                {
                    spins = 0;
                    Thread.yield();
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
        }
    }

    /**
     * Stops and joins every core thread. A thread that does not stop fails the run, or is added to the
     * failure already under way so that one is not hidden.
     */
    private static void stop(final SharedMemoryMachine machine, final List<Thread> threads, final RuntimeException failure)
    {
        machine.stop();
        final long deadlineMs = System.currentTimeMillis() + STOP_TIMEOUT_MS;
        final List<String> stuck = new ArrayList<>();
        boolean interrupted = false;
        for (final Thread thread : threads)
        {
            try
            {
                thread.join(Math.max(1, deadlineMs - System.currentTimeMillis()));
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
            if (thread.isAlive())
            {
                stuck.add(thread.getName());
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        if (!stuck.isEmpty())
        {
            final IllegalStateException notStopped = new IllegalStateException(stuck.size() + " core thread(s) did not stop " +
                "within " + STOP_TIMEOUT_MS + " ms, first " + stuck.get(0) + "; they are daemons and end with the JVM");
            if (null == failure)
            {
                throw notStopped;
            }
            failure.addSuppressed(notStopped);
        }
    }

    private void checkNoViolations(final int cores, final List<SharedMemoryCore> coreList)
    {
        long violations = 0;
        long unmappedPageHits = 0;
        String first = null;
        for (final SharedMemoryCore core : coreList)
        {
            violations += core.violations();
            unmappedPageHits += core.unmappedPageHits();
            if (null == first)
            {
                first = core.firstViolation();
            }
        }
        lastViolations = violations;
        lastUnmappedPageHits = unmappedPageHits;
        if (violations > 0)
        {
            throw new IllegalStateException("the shootdown on " + cores + " cores is broken: " + violations +
                " load(s) used a TLB entry an unmap had removed after it returned; first: " + first);
        }
    }

    /** @return violations seen in the last core count run: 0 unless it failed for them. */
    long lastViolations()
    {
        return lastViolations;
    }

    /** @return TLB hits on the unmapped range in the last core count run: the loads the check looked at. */
    long lastUnmappedPageHits()
    {
        return lastUnmappedPageHits;
    }
}
