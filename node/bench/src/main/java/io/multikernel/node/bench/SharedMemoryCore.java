package io.multikernel.node.bench;

/**
 * One core of {@link SharedMemoryUnmap} other than the initiator: a thread that loads from its
 * working set through a small private TLB and, between loads, polls its IPI request word. On a new
 * request it invalidates the unmapped range in its TLB and acknowledges, as an IPI handler does.
 * <p>
 * The TLB is direct-mapped, {@link SharedMemoryUnmap#TLB_ENTRIES} entries, each a page tag and the
 * generation of the page-table entry it was filled from. The working set is as many pages as the TLB
 * holds, so after a fill a page stays cached until it is invalidated.
 * <p>
 * The check: before each load the core reads the last unmap round that returned; a TLB hit on an
 * unmapped page whose generation is older than that round is a mapping that unmap removed, still in
 * use after the unmap returned. The core counts these violations and keeps the first one's description.
 * Sound because the initiator publishes the round only after this core acknowledged it, and this core
 * acknowledges only after invalidating; a fill after the invalidation reads the cleared entry.
 */
final class SharedMemoryCore implements Runnable
{
    /** What the TLB's tag holds when the entry is invalid. */
    private static final int INVALID_TAG = -1;

    /** How a core may be built broken, to show that the checks catch it. */
    enum Fault
    {
        /** A correct core. */
        NONE,
        /** Acknowledges IPIs without invalidating its TLB. */
        SKIP_INVALIDATION,
        /** Never looks at its IPI request word. */
        IGNORE_IPI
    }

    private final int core;
    private final SharedMemoryMachine machine;
    private final Fault fault;
    private final int[] tags = new int[SharedMemoryUnmap.TLB_ENTRIES];
    private final long[] generations = new long[SharedMemoryUnmap.TLB_ENTRIES];
    private volatile Throwable failure;
    // Written by this core's thread only; read by others after join().
    private long violations;
    private long unmappedPageHits;
    private long faults;
    private long checksum;
    private String firstViolation;

    SharedMemoryCore(final int core, final SharedMemoryMachine machine, final Fault fault)
    {
        this.core = core;
        this.machine = machine;
        this.fault = fault;
        java.util.Arrays.fill(tags, INVALID_TAG);
    }

    @Override
    public void run()
    {
        try
        {
            loop();
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
    }

    private void loop()
    {
        machine.acknowledge(core, 0);
        long seen = 0;
        int page = 0;
        int spins = 0;
        while (machine.running())
        {
            final long request = Fault.IGNORE_IPI == fault ? seen : machine.request(core);
            if (request != seen)
            {
                if (request != seen + 1)
                {
                    throw new IllegalStateException("core " + core + " was asked for unmap round " + request +
                        " after round " + seen + ": rounds go one at a time");
                }
                if (Fault.SKIP_INVALIDATION != fault)
                {
                    invalidateUnmappedRange();
                }
                seen = request;
                machine.acknowledge(core, request);
                spins = 0;
                continue;
            }
            load(page);
            page = page + 1 == SharedMemoryUnmap.TLB_ENTRIES ? 0 : page + 1;
            if (++spins >= SharedMemoryUnmap.SPINS_BEFORE_YIELD)
            {
                // More core threads than CPUs: give the others, and the initiator, a turn.
                spins = 0;
                Thread.yield();
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }

    private void load(final int page)
    {
        final long completedRound = machine.completedRound();
        final int slot = page % SharedMemoryUnmap.TLB_ENTRIES;
        if (tags[slot] == page)
        {
            final long generation = generations[slot];
            if (page < SharedMemoryUnmap.UNMAP_PAGES)
            {
                unmappedPageHits++;
                if (generation < completedRound)
                {
                    violation(page, generation, completedRound);
                }
            }
            checksum += generation;
            return;
        }
        final long entry = machine.pageTable.get(page);
        if (SharedMemoryMachine.present(entry))
        {
            tags[slot] = page;
            generations[slot] = SharedMemoryMachine.generation(entry);
        }
        else
        {
            faults++;
        }
    }

    /** Invalidates the TLB entries of {@link SharedMemoryUnmap#UNMAP_PAGES}, the range every round unmaps. */
    private void invalidateUnmappedRange()
    {
        for (int page = 0; page < SharedMemoryUnmap.UNMAP_PAGES; page++)
        {
            final int slot = page % SharedMemoryUnmap.TLB_ENTRIES;
            if (tags[slot] == page)
            {
                tags[slot] = INVALID_TAG;
            }
        }
    }

    private void violation(final int page, final long generation, final long completedRound)
    {
        if (0 == violations++)
        {
            firstViolation = "core " + core + " used its TLB entry for page " + page + " of generation " + generation +
                " after unmap round " + completedRound + " had returned";
        }
    }

    int core()
    {
        return core;
    }

    /** @return why the thread stopped early, or null. */
    Throwable failure()
    {
        return failure;
    }

    long violations()
    {
        return violations;
    }

    String firstViolation()
    {
        return firstViolation;
    }

    /** @return TLB hits on the pages every round unmaps: the loads the check looked at. */
    long unmappedPageHits()
    {
        return unmappedPageHits;
    }

    /** @return loads that found the page unmapped (between an unmap and the next map). */
    long faults()
    {
        return faults;
    }

    /** @return the sum of the generations loaded, so the loads are not optimised away. */
    long checksum()
    {
        return checksum;
    }
}
