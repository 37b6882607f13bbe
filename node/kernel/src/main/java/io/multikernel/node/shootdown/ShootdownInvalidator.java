package io.multikernel.node.shootdown;

/**
 * What a core does when a shootdown request reaches it: drop its TLB's translations of the range,
 * and say whether it may acknowledge yet. A core with accesses through those translations still in
 * flight (a load or store sent to a frame's host) answers false until they have finished; the
 * request is then asked again every duty cycle, up to the round's timeout, and acknowledged once the
 * answer is true. Calling it again for the same range must be harmless.
 */
@FunctionalInterface
public interface ShootdownInvalidator
{
    /** Invalidates nothing and is always done: measurement rounds. */
    ShootdownInvalidator NONE = (domainId, firstPage, pageCount) -> true;

    /**
     * @param domainId  the address space; 0 for a measurement round.
     * @param firstPage first virtual page of the range.
     * @param pageCount pages of the range; 0 means every page of the domain.
     * @return true when no access through the old translations can happen or is in flight here.
     */
    boolean invalidate(long domainId, long firstPage, long pageCount);
}
