package io.multikernel.node.shootdown;

/**
 * What a core does when a shootdown request reaches it: drop its TLB's translations of the range
 * ({@link #invalidate}), then acknowledge once no access that may have used them is in flight
 * ({@link #drained}: a load or store sent to a frame's host before the drop). A request not drained
 * at once is asked again every duty cycle, up to the round's timeout. Accesses that start after the
 * drop walk the page table again and never hold the acknowledgement back.
 */
public interface ShootdownInvalidator
{
    /** Invalidates nothing and is always drained: measurement rounds. */
    ShootdownInvalidator NONE = new ShootdownInvalidator()
    {
        public long invalidate(final long domainId, final long firstPage, final long pageCount)
        {
            return 0;
        }

        public boolean drained(final long domainId, final long barrier)
        {
            return true;
        }
    };

    /**
     * Drop the translations of the range.
     *
     * @param domainId  the address space; 0 for a measurement round.
     * @param firstPage first virtual page of the range.
     * @param pageCount pages of the range; 0 means every page of the domain.
     * @return the barrier of this drop, for {@link #drained}.
     */
    long invalidate(long domainId, long firstPage, long pageCount);

    /**
     * @param domainId the address space given to {@link #invalidate}.
     * @param barrier  what {@link #invalidate} returned.
     * @return true when no access that started before that drop is in flight here.
     */
    boolean drained(long domainId, long barrier);
}
