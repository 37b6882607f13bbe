package io.multikernel.node.vm;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * Loads and stores of each domain awaiting a frame's host, counted by the generation of this core's
 * TLB they started in. Every drop of TLB entries ends a generation ({@link #barrier()}); a shootdown
 * waits only for the accesses that started up to its drop ({@link #drained}), which may have used the
 * dropped translations. Accesses that start later walk the page table again, so an app that keeps
 * loads of a domain in flight all the time cannot hold a shootdown of it back.
 * <p>
 * A domain holds one count per generation that still has accesses in flight, oldest first, so it
 * never holds more counts than accesses; a steady run allocates only when a domain first has one in
 * flight. Not thread safe: the kernel loop's.
 */
final class AccessesInFlight
{
    private final Long2ObjectHashMap<Generations> byDomain = new Long2ObjectHashMap<>();
    private long generation;

    /**
     * An access of the domain starts.
     *
     * @return its generation, to give back to {@link #finish}.
     */
    long start(final long domainId)
    {
        Generations generations = byDomain.get(domainId);
        if (null == generations)
        {
            generations = new Generations();
            byDomain.put(domainId, generations);
        }
        generations.add(generation);
        return generation;
    }

    /** An access of the domain that started in {@code startedIn} has ended, whatever its outcome. */
    void finish(final long domainId, final long startedIn)
    {
        final Generations generations = byDomain.get(domainId);
        if (null != generations && generations.remove(startedIn) && 0 == generations.size)
        {
            byDomain.remove(domainId);
        }
    }

    /**
     * TLB entries were just dropped: the accesses in flight now are the ones that may have used them.
     *
     * @return the barrier to give {@link #drained}.
     */
    long barrier()
    {
        return generation++;
    }

    /** @return whether no access of the domain that started before the barrier's drop is in flight. */
    boolean drained(final long domainId, final long barrier)
    {
        final Generations generations = byDomain.get(domainId);
        return null == generations || generations.generations[0] > barrier;
    }

    /** @return accesses of the domain in flight, of every generation. */
    long count(final long domainId)
    {
        final Generations generations = byDomain.get(domainId);
        if (null == generations)
        {
            return 0;
        }
        long count = 0;
        for (int i = 0; i < generations.size; i++)
        {
            count += generations.counts[i];
        }
        return count;
    }

    /** Generations with accesses in flight, ascending, each with its count. */
    private static final class Generations
    {
        private long[] generations = new long[2];
        private long[] counts = new long[2];
        private int size;

        void add(final long generation)
        {
            // The current generation is never below the last one held.
            if (size > 0 && generations[size - 1] == generation)
            {
                counts[size - 1]++;
                return;
            }
            if (size == generations.length)
            {
                generations = java.util.Arrays.copyOf(generations, 2 * size);
                counts = java.util.Arrays.copyOf(counts, 2 * size);
            }
            generations[size] = generation;
            counts[size] = 1;
            size++;
        }

        /** @return whether the generation held an access. */
        boolean remove(final long generation)
        {
            for (int i = 0; i < size; i++)
            {
                if (generations[i] == generation)
                {
                    if (0 == --counts[i])
                    {
                        System.arraycopy(generations, i + 1, generations, i, size - i - 1);
                        System.arraycopy(counts, i + 1, counts, i, size - i - 1);
                        size--;
                    }
                    return true;
                }
            }
            return false;
        }
    }
}
