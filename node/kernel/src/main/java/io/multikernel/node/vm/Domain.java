package io.multikernel.node.vm;

import io.multikernel.node.caps.LeafTable;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One domain's address space on one replica: its page-table root (a VNODE capability), the cores that
 * replicate it, and its mappings.
 *
 * <p>The page table has two levels: the root, and leaf tables of {@link AddressSpaces#LEAF_PAGES}
 * pages each, made when a mapping first puts a page in their range and dropped when their last page
 * goes. Each leaf is a VNODE capability of the capability database, which makes and destroys it in
 * the same transaction; the replica keeps the count of each leaf's mapped pages, which
 * {@link AddressSpaceInvariants} checks against those VNODEs. The mappings themselves live in one map
 * sorted by first virtual page, which both validation (overlap, coverage) and translation
 * ({@code floorEntry}, O(log n)) read.
 *
 * <p>Read-only outside this package; {@link AddressSpaces} changes it on its engine's thread.
 */
public final class Domain
{
    private final long domainId;
    private final long rootVnodeCapId;
    private int[] cores;
    private final TreeMap<Long, Mapping> mappings = new TreeMap<>();
    private final LongHashSet mappingIds = new LongHashSet();
    private final Long2LongHashMap leafPages = new Long2LongHashMap(0);
    private long version;

    Domain(final long domainId, final long rootVnodeCapId, final int[] cores, final long version)
    {
        this.domainId = domainId;
        this.rootVnodeCapId = rootVnodeCapId;
        this.cores = cores.clone();
        this.version = version;
    }

    /** @return the domain's id. */
    public long domainId()
    {
        return domainId;
    }

    /** @return the VNODE capability that is the page table's root. */
    public long rootVnodeCapId()
    {
        return rootVnodeCapId;
    }

    /** @return the cores that replicate the domain, ascending; a copy. */
    public int[] cores()
    {
        return cores.clone();
    }

    /** @return true when {@code core} replicates the domain. */
    public boolean hasCore(final int core)
    {
        return Arrays.binarySearch(cores, core) >= 0;
    }

    /** @return how many cores replicate the domain. */
    public int coreCount()
    {
        return cores.length;
    }

    /** @return changes applied to the domain on this replica (a new core copies it with the image). */
    public long version()
    {
        return version;
    }

    /** @return the mappings by first virtual page; read-only. */
    public NavigableMap<Long, Mapping> mappings()
    {
        return Collections.unmodifiableNavigableMap(mappings);
    }

    /** @return how many mappings the domain has. */
    public int mappingCount()
    {
        return mappings.size();
    }

    /** @return true when a mapping has id {@code mappingId}. */
    public boolean hasMappingId(final long mappingId)
    {
        return mappingIds.contains(mappingId);
    }

    /** @return the mapping that holds virtual page {@code vpage}, or null; O(log n). */
    public Mapping mappingAt(final long vpage)
    {
        final Map.Entry<Long, Mapping> floor = mappings.floorEntry(vpage);
        return null != floor && floor.getValue().contains(vpage) ? floor.getValue() : null;
    }

    /**
     * @return the mappings that lie wholly inside {@code [vpage, vpage + pages)}, by virtual page; every
     *         mapping of the domain when {@code pages} is 0. What an unmap or a destroy takes away, and
     *         what its {@link VmOperation.Expect} lists.
     */
    public List<Mapping> mappingsWithin(final long vpage, final long pages)
    {
        final long from = 0 == pages ? 0 : vpage;
        final long to = 0 == pages ? AddressSpaces.VIRTUAL_PAGES : vpage + pages;
        final List<Mapping> within = new ArrayList<>();
        for (final Mapping m : mappings.subMap(from, true, to, false).values())
        {
            if (m.limit() <= to)
            {
                within.add(m);
            }
        }
        return within;
    }

    /** @return the first mapping that shares a page with {@code [vpage, vpage + pages)}, or null. */
    public Mapping firstOverlap(final long vpage, final long pages)
    {
        final Mapping before = mappingAt(vpage);
        if (null != before)
        {
            return before;
        }
        final Map.Entry<Long, Mapping> next = mappings.higherEntry(vpage);
        return null != next && next.getKey() < vpage + pages ? next.getValue() : null;
    }

    /** @return leaf tables the page table holds now. */
    public int leafTables()
    {
        return leafPages.size();
    }

    /** @return mapped pages in leaf table {@code leafIndex} (virtual pages {@code leafIndex * LEAF_PAGES...}). */
    public long leafPages(final long leafIndex)
    {
        return leafPages.get(leafIndex);
    }

    void add(final Mapping mapping)
    {
        mappings.put(mapping.vpage(), mapping);
        mappingIds.add(mapping.mappingId());
        countLeaves(mapping, 1);
    }

    void remove(final Mapping mapping)
    {
        mappings.remove(mapping.vpage());
        mappingIds.remove(mapping.mappingId());
        countLeaves(mapping, -1);
    }

    void replace(final Mapping mapping)
    {
        mappings.put(mapping.vpage(), mapping);
    }

    void cores(final int[] newCores)
    {
        cores = newCores.clone();
    }

    void changed()
    {
        version++;
    }

    private void countLeaves(final Mapping mapping, final int sign)
    {
        LeafTable.forEachLeaf(mapping.vpage(), mapping.pages(), (leaf, inLeaf) ->
        {
            final long now = leafPages.get(leaf) + sign * inLeaf;
            if (now < 0)
            {
                throw new IllegalStateException("leaf table " + leaf + " of domain " + domainId + " has " + now + " pages");
            }
            if (0 == now)
            {
                leafPages.remove(leaf);
            }
            else
            {
                leafPages.put(leaf, now);
            }
        });
    }
}
