package io.multikernel.node.caps;

/**
 * One leaf page table of a domain: a VNODE capability that maps virtual pages
 * {@code leaf * LEAF_PAGES} up to the next leaf's first ({@link CapabilityDatabase#LEAF_PAGES}). The
 * capability database makes it with the map that first puts a page in its range and destroys it,
 * with the RAM it came from once that RAM holds no other leaf, when the last such page is unmapped.
 *
 * @param domainId   the address space.
 * @param leaf       which leaf: its first virtual page divided by {@link CapabilityDatabase#LEAF_PAGES}.
 * @param vnodeCapId the VNODE capability that is the leaf table.
 * @param pages      mapped pages in its range, at least one.
 */
public record LeafTable(long domainId, long leaf, long vnodeCapId, long pages)
{
    /** Receives one leaf that a run of virtual pages falls in, and how many of those pages fall in it. */
    @FunctionalInterface
    public interface PagesInLeaf
    {
        void accept(long leaf, long pages);
    }

    /**
     * Calls {@code each} for every leaf that virtual pages {@code [vpage, vpage + pages)} fall in,
     * ascending, with how many of them fall in it.
     */
    public static void forEachLeaf(final long vpage, final long pages, final PagesInLeaf each)
    {
        final long limit = vpage + pages;
        long page = vpage;
        while (page < limit)
        {
            final long leafLimit = (page / CapabilityDatabase.LEAF_PAGES + 1) * CapabilityDatabase.LEAF_PAGES;
            each.accept(page / CapabilityDatabase.LEAF_PAGES, Math.min(leafLimit, limit) - page);
            page = leafLimit;
        }
    }

    /** @return the same leaf with {@code delta} more mapped pages. */
    LeafTable plus(final long delta)
    {
        return new LeafTable(domainId, leaf, vnodeCapId, pages + delta);
    }
}
