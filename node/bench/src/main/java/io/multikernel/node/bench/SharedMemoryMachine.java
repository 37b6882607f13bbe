package io.multikernel.node.bench;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The memory the cores of {@link SharedMemoryUnmap} share, as a conventional kernel's cores do: one
 * page table behind one lock, and per core an IPI request word and an acknowledgement word.
 * <p>
 * A page-table entry is a long:
 * <pre>
 *   63                                                  1   0
 *  +-----------------------------------------------------+---+
 *  |                 mapping generation                  | P |
 *  +-----------------------------------------------------+---+
 * </pre>
 * P is the present bit; 0 is an unmapped entry. The generation is the unmap round after which the
 * mapping was made (0 for the first mappings), so a TLB entry can tell which unmap made it stale.
 * <p>
 * Entries are read without the lock, as a hardware page walker reads them; only changes take the
 * lock. The request and acknowledgement words of core {@code i} sit at {@code i * WORD_STRIDE_LONGS}
 * so that no two cores' words share a cache line (128 bytes also covers adjacent-line prefetch).
 */
final class SharedMemoryMachine
{
    /** Longs between two cores' words: 128 bytes. */
    static final int WORD_STRIDE_LONGS = 16;
    /** The present bit of a page-table entry. */
    static final long PRESENT = 1L;
    /** What a core's acknowledgement word holds until the core's thread has started. */
    static final long NOT_STARTED = -1L;

    final AtomicLongArray pageTable;
    /** Serialises changes of the page table, and is held through the shootdown as a kernel holds it. */
    final ReentrantLock pageTableLock = new ReentrantLock();
    private final AtomicLongArray requests;
    private final AtomicLongArray acknowledgements;
    private volatile long completedRound;
    private volatile boolean running = true;

    SharedMemoryMachine(final int cores, final int pageTableEntries)
    {
        pageTable = new AtomicLongArray(pageTableEntries);
        for (int page = 0; page < pageTableEntries; page++)
        {
            pageTable.set(page, entry(0));
        }
        requests = new AtomicLongArray(cores * WORD_STRIDE_LONGS);
        acknowledgements = new AtomicLongArray(cores * WORD_STRIDE_LONGS);
        for (int core = 0; core < cores; core++)
        {
            acknowledgements.set(core * WORD_STRIDE_LONGS, NOT_STARTED);
        }
    }

    /**
     * @param generation the unmap round after which the mapping is made.
     * @return a present entry of that generation.
     */
    static long entry(final long generation)
    {
        return generation << 1 | PRESENT;
    }

    static boolean present(final long entry)
    {
        return 0 != (entry & PRESENT);
    }

    static long generation(final long entry)
    {
        return entry >>> 1;
    }

    /** The IPI: asks {@code core} to invalidate for unmap {@code round}. */
    void raise(final int core, final long round)
    {
        requests.set(core * WORD_STRIDE_LONGS, round);
    }

    long request(final int core)
    {
        return requests.get(core * WORD_STRIDE_LONGS);
    }

    void acknowledge(final int core, final long round)
    {
        acknowledgements.set(core * WORD_STRIDE_LONGS, round);
    }

    long acknowledged(final int core)
    {
        return acknowledgements.get(core * WORD_STRIDE_LONGS);
    }

    /** The last unmap round that returned: every core had acknowledged it. */
    long completedRound()
    {
        return completedRound;
    }

    void completed(final long round)
    {
        completedRound = round;
    }

    boolean running()
    {
        return running;
    }

    void stop()
    {
        running = false;
    }
}
