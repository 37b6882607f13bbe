package io.multikernel.node.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Finds stale accesses: a load that was issued after the unmap of mapping M had returned to its app,
 * and yet succeeded and read M's tag. Every mapping's page starts with its tag (the mapping id, which
 * no core ever hands out twice), so such a load went through a translation the unmap's TLB shootdown
 * should have removed on every core. A page mapped again reads the new mapping's tag, and a load
 * issued before the unmap returned may rightly read the old one; neither is stale.
 *
 * <p>Apps record concurrently; {@link #check()} runs once they have stopped. All times are the host's
 * monotonic clock, as {@link io.multikernel.node.vm.VmCalls.Call} reports them.
 */
final class DemoStaleAccessChecker
{
    /**
     * A successful load of a page's tag.
     *
     * @param core     the core the app called.
     * @param domain   the domain.
     * @param vaddr    the virtual address loaded.
     * @param issuedNs when the load was sent.
     * @param tag      the 8 bytes it read.
     */
    record Load(int core, long domain, long vaddr, long issuedNs, long tag)
    {
    }

    /**
     * A load that read the tag of a mapping already unmapped.
     *
     * @param core            the core the app called.
     * @param domain          the domain.
     * @param vaddr           the virtual address.
     * @param issuedNs        when the load was sent.
     * @param mapping         the unmapped mapping whose tag it read.
     * @param unmapReturnedNs when that mapping's unmap returned.
     */
    record StaleAccess(int core, long domain, long vaddr, long issuedNs, long mapping, long unmapReturnedNs)
    {
        /** @return one line: which core, when (relative to {@code startNs}), where, and by how much it was late. */
        String describe(final long startNs)
        {
            return String.format("core %d at +%.6f s loaded 0x%x of domain %d and read the tag of mapping %d, " +
                "unmapped %.1f us earlier", core, (issuedNs - startNs) / 1e9, vaddr, domain, mapping,
                (issuedNs - unmapReturnedNs) / 1e3);
        }
    }

    private final Queue<Load> loads = new ConcurrentLinkedQueue<>();
    private final Map<Long, Long> unmapReturnedNs = new ConcurrentHashMap<>();

    /** A load that succeeded, with the tag it read. */
    void onLoad(final int core, final long domain, final long vaddr, final long issuedNs, final long tag)
    {
        loads.add(new Load(core, domain, vaddr, issuedNs, tag));
    }

    /** The unmap of {@code mapping} returned to its app at {@code returnedNs}: no core translates it after that. */
    void onUnmapReturned(final long mapping, final long returnedNs)
    {
        final Long earlier = unmapReturnedNs.putIfAbsent(mapping, returnedNs);
        if (null != earlier)
        {
            throw new IllegalStateException("mapping " + mapping + " was unmapped twice: mapping ids are never reused");
        }
    }

    /** @return loads recorded. */
    int loads()
    {
        return loads.size();
    }

    /** @return every stale access, in the order they were issued. */
    List<StaleAccess> check()
    {
        final List<StaleAccess> stale = new ArrayList<>();
        for (final Load load : loads)
        {
            final Long returnedNs = unmapReturnedNs.get(load.tag());
            if (null != returnedNs && load.issuedNs() - returnedNs > 0)
            {
                stale.add(new StaleAccess(load.core(), load.domain(), load.vaddr(), load.issuedNs(), load.tag(), returnedNs));
            }
        }
        stale.sort(Comparator.comparingLong(StaleAccess::issuedNs));
        return stale;
    }
}
