package io.multikernel.node.vm;

import io.multikernel.common.Bounds;

/**
 * One core's translation lookaside buffer: a bounded cache of {@code (domain, virtual page) ->
 * (physical address, rights, frame, offset in frame)}, filled from {@link AddressSpaces#translate}
 * and invalidated by shootdown when a mapping changes. Owned by the core's kernel loop: single
 * threaded, no locks.
 *
 * <p>Layout: entries live in parallel arrays indexed by slot ({@code entriesMax} slots); an
 * open-addressing index (linear probing, twice the slots rounded up to a power of two, backward-shift
 * deletion) finds a key's slot. {@link #lookup} and {@link #fill} allocate nothing.
 *
 * <p>Eviction is CLOCK (second chance): a hit sets the entry's reference bit, a fill leaves it clear;
 * when every slot is in use, the hand sweeps the slots, clearing set bits, and evicts the first
 * entry whose bit is clear. An entry filled but never hit is thus evicted before one that was used.
 */
public final class Tlb
{
    /** ENTRIES_MAX_DEFAULT: entries a TLB holds unless told otherwise. */
    public static final int ENTRIES_MAX_DEFAULT = 1024;
    /** ENTRIES_MAX_LIMIT: the largest {@code entriesMax}, entries. */
    public static final int ENTRIES_MAX_LIMIT = 1 << 20;
    /** MISS: what {@link #lookup} returns when the TLB does not hold the page. */
    public static final int MISS = -1;

    private final int entriesMax;
    private final long[] domainIds;
    private final long[] vpages;
    private final long[] physicalAddresses;
    private final long[] frameCapIds;
    private final long[] frameOffsetsBytes;
    private final int[] rights;
    private final boolean[] referenced;
    private final boolean[] used;
    private final int[] freeSlots;
    private int freeCount;
    /** Slot + 1 per position, 0 when empty. */
    private final int[] index;
    private final int mask;
    private int hand;
    private int size;
    private long hits;
    private long misses;
    private long invalidations;
    private long evictions;

    /** A TLB of {@link #ENTRIES_MAX_DEFAULT} entries. */
    public Tlb()
    {
        this(ENTRIES_MAX_DEFAULT);
    }

    /**
     * @param entriesMax entries held at most, 1..{@link #ENTRIES_MAX_LIMIT}.
     */
    public Tlb(final int entriesMax)
    {
        this.entriesMax = Bounds.check("entriesMax", entriesMax, 1, ENTRIES_MAX_LIMIT, "entries");
        domainIds = new long[entriesMax];
        vpages = new long[entriesMax];
        physicalAddresses = new long[entriesMax];
        frameCapIds = new long[entriesMax];
        frameOffsetsBytes = new long[entriesMax];
        rights = new int[entriesMax];
        referenced = new boolean[entriesMax];
        used = new boolean[entriesMax];
        freeSlots = new int[entriesMax];
        for (int slot = entriesMax - 1; slot >= 0; slot--)
        {
            freeSlots[freeCount++] = slot;
        }
        final int positions = Integer.highestOneBit(entriesMax * 2 - 1) << 1;
        index = new int[positions];
        mask = positions - 1;
    }

    /**
     * Looks the page up, counting a hit or a miss.
     *
     * @return the entry's slot, for {@link #physicalAddress} and the other readers, valid until the
     * next fill or invalidation; or {@link #MISS}.
     */
    public int lookup(final long domainId, final long vpage)
    {
        final int position = find(domainId, vpage);
        if (position < 0)
        {
            misses++;
            return MISS;
        }
        hits++;
        final int slot = index[position] - 1;
        referenced[slot] = true;
        return slot;
    }

    /** @return the physical address of the page in {@code slot}, bytes. */
    public long physicalAddress(final int slot)
    {
        return physicalAddresses[slot];
    }

    /** @return the rights of the page in {@code slot}. */
    public int rights(final int slot)
    {
        return rights[slot];
    }

    /** @return the frame capability of the page in {@code slot}. */
    public long frameCapId(final int slot)
    {
        return frameCapIds[slot];
    }

    /** @return the offset of the page in {@code slot} inside its frame, bytes. */
    public long frameOffsetBytes(final int slot)
    {
        return frameOffsetsBytes[slot];
    }

    /**
     * Caches the translation, replacing an entry for the same page or, when full, evicting one.
     *
     * @return the entry's slot (as {@link #lookup} would answer, without counting a hit).
     */
    public int fill(final Translation translation)
    {
        return fill(translation.domainId(), translation.vpage(), translation.physicalAddress(), translation.rights(),
            translation.frameCapId(), translation.frameOffsetBytes());
    }

    /** {@link #fill(Translation)} from primitives. */
    public int fill(final long domainId, final long vpage, final long physicalAddress, final int pageRights,
        final long frameCapId, final long frameOffsetBytes)
    {
        int position = find(domainId, vpage);
        final int slot;
        if (position >= 0)
        {
            slot = index[position] - 1;
        }
        else
        {
            if (0 == freeCount)
            {
                evict();
                position = find(domainId, vpage);
            }
            slot = freeSlots[--freeCount];
            index[-position - 1] = slot + 1;
            used[slot] = true;
            referenced[slot] = false;
            domainIds[slot] = domainId;
            vpages[slot] = vpage;
            size++;
        }
        physicalAddresses[slot] = physicalAddress;
        rights[slot] = pageRights;
        frameCapIds[slot] = frameCapId;
        frameOffsetsBytes[slot] = frameOffsetBytes;
        return slot;
    }

    /**
     * Drops every entry of the domain in pages {@code [vpage, vpage + pages)}.
     *
     * @return entries removed.
     */
    public int invalidate(final long domainId, final long vpage, final long pages)
    {
        if (pages < 0)
        {
            throw new IllegalArgumentException("pages=" + pages + " is negative");
        }
        int removed = 0;
        if (pages <= size)
        {
            for (long page = vpage; page < vpage + pages; page++)
            {
                final int position = find(domainId, page);
                if (position >= 0)
                {
                    removeAt(position);
                    removed++;
                }
            }
        }
        else
        {
            for (int slot = 0; slot < entriesMax; slot++)
            {
                if (used[slot] && domainIds[slot] == domainId && vpages[slot] >= vpage && vpages[slot] - vpage < pages)
                {
                    removeAt(find(domainId, vpages[slot]));
                    removed++;
                }
            }
        }
        invalidations += removed;
        return removed;
    }

    /**
     * Drops every entry of the domain.
     *
     * @return entries removed.
     */
    public int invalidateDomain(final long domainId)
    {
        int removed = 0;
        for (int slot = 0; slot < entriesMax; slot++)
        {
            if (used[slot] && domainIds[slot] == domainId)
            {
                removeAt(find(domainId, vpages[slot]));
                removed++;
            }
        }
        invalidations += removed;
        return removed;
    }

    /** @return lookups that found the page. */
    public long hits()
    {
        return hits;
    }

    /** @return lookups that did not. */
    public long misses()
    {
        return misses;
    }

    /** @return entries removed by {@link #invalidate} and {@link #invalidateDomain}. */
    public long invalidations()
    {
        return invalidations;
    }

    /** @return entries evicted to make room for a fill. */
    public long evictions()
    {
        return evictions;
    }

    /** @return entries held now. */
    public int size()
    {
        return size;
    }

    /** @return entries held at most. */
    public int entriesMax()
    {
        return entriesMax;
    }

    /** Frees one slot by CLOCK; every slot is in use when called. */
    private void evict()
    {
        while (true)
        {
            final int slot = hand;
            hand = slot + 1 == entriesMax ? 0 : slot + 1;
            if (referenced[slot])
            {
                referenced[slot] = false;
            }
            else
            {
                removeAt(find(domainIds[slot], vpages[slot]));
                evictions++;
                return;
            }
        }
    }

    /**
     * @return the index position holding the key, or {@code -(empty position) - 1} where it would go.
     */
    private int find(final long domainId, final long vpage)
    {
        int position = hash(domainId, vpage);
        while (true)
        {
            final int entry = index[position];
            if (0 == entry)
            {
                return -position - 1;
            }
            if (domainIds[entry - 1] == domainId && vpages[entry - 1] == vpage)
            {
                return position;
            }
            position = (position + 1) & mask;
        }
    }

    /** Removes the entry at index position {@code position}, shifting later probes back. */
    private void removeAt(final int position)
    {
        final int slot = index[position] - 1;
        used[slot] = false;
        referenced[slot] = false;
        freeSlots[freeCount++] = slot;
        size--;
        int gap = position;
        int next = position;
        while (true)
        {
            next = (next + 1) & mask;
            final int entry = index[next];
            if (0 == entry)
            {
                break;
            }
            final int home = hash(domainIds[entry - 1], vpages[entry - 1]);
            final boolean staysPut = gap <= next ? gap < home && home <= next : gap < home || home <= next;
            if (!staysPut)
            {
                index[gap] = entry;
                gap = next;
            }
        }
        index[gap] = 0;
    }

    private int hash(final long domainId, final long vpage)
    {
        long h = domainId * 0x9E3779B97F4A7C15L + vpage;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int)h & mask;
    }
}
