package io.multikernel.node.caps;

import io.multikernel.node.caps.CapabilityOperation.Allocate;
import io.multikernel.node.caps.CapabilityOperation.Copy;
import io.multikernel.node.caps.CapabilityOperation.Delete;
import io.multikernel.node.caps.CapabilityOperation.MapFrame;
import io.multikernel.node.caps.CapabilityOperation.Mint;
import io.multikernel.node.caps.CapabilityOperation.Retype;
import io.multikernel.node.caps.CapabilityOperation.Revoke;
import io.multikernel.node.caps.CapabilityOperation.Rooted;
import io.multikernel.node.caps.CapabilityOperation.Unrooted;
import io.multikernel.node.caps.CapabilityOperation.Unmapped;
import io.multikernel.common.Bounds;
import io.multikernel.replication.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The capability database as a replicated state machine: every replica that applies the same
 * operations in the same order holds the same objects, capabilities and memory accounting, which
 * {@link #fingerprint()} compares.
 *
 * <p>Rules (Barrelfish's, see {@link CapabilityType} for the retype graph):
 * <ul>
 *   <li>retype makes objects inside the source object's range, page aligned, of a size the type
 *   allows, not overlapping a live descendant ("revoke first"); their capabilities get the
 *   source capability's rights;</li>
 *   <li>copy keeps rights, mint takes {@code rights & mask}: rights never grow; giving a capability
 *   to another core needs the grant right;</li>
 *   <li>delete removes one capability; the last copy of an object destroys it, and a memory server's
 *   RAM goes back to it exactly once; the last copy of an object with live descendants is refused
 *   ("revoke first"), so no memory is ever used by a descendant of a destroyed object;</li>
 *   <li>revoke removes every other copy and every descendant (with their capabilities) of the
 *   target's object; the target stays;</li>
 *   <li>a map makes a MAPPING capability to a MAPPING object, a child of the frame's object covering
 *   the mapped bytes, and its unmap removes it ({@link MapFrame}, {@link Unmapped}); MAPPING
 *   capabilities are neither copied, retyped, deleted nor revoked by themselves; while a frame
 *   capability has mappings it is not deleted ("unmap first"), and a revoke of anything their objects
 *   descend from removes them only in a transaction that also unmaps them from their page tables
 *   ({@link Revoke#mappings()}). A MAPPING object refers to memory, it owns none: retype and the
 *   overlap rule ignore it;</li>
 *   <li>a VNODE capability that is a domain's page-table root ({@link Rooted}, until the domain's
 *   destroy: {@link Unrooted}) is neither deleted nor revoked away ("destroy the domain first"); a map
 *   names a domain that has a root, so none lands in a destroyed domain (its destroy and a map of it
 *   both lock its page tables);</li>
 *   <li>a domain's leaf page tables are VNODE capabilities ({@link LeafTable}, one per
 *   {@link #LEAF_PAGES} virtual pages with a mapped page): the map that first needs one makes it,
 *   retyped from RAM its core's memory server hands out in the same operation, and the unmap (or
 *   revoke) that takes the last mapped page of its range away destroys it, and that RAM once it
 *   holds no other leaf. Their capabilities and that RAM's belong to the page tables: they are
 *   neither copied, minted, retyped, deleted nor revoked by themselves.</li>
 * </ul>
 * Locks ({@link #lockKeys}) are the object an operation reads or changes (for revoke also every
 * descendant), the capability ids it creates, for allocation the memory server, and for a change of
 * a domain's mappings that domain's page tables.
 */
public final class CapabilityDatabase implements StateMachine<CapabilityOperation>
{
    /** RETYPE_COUNT_MAX: most objects one retype makes. */
    public static final int RETYPE_COUNT_MAX = 4096;

    /** ID_BLOCK_BITS: ids are made in blocks of 2^this (one per core); the database keeps each block's highest. */
    public static final int ID_BLOCK_BITS = 40;

    /** LEAF_PAGES: virtual pages one leaf page table maps (a 4 KiB VNODE of 8-byte entries). */
    public static final int LEAF_PAGES = 512;

    /** LEAF_TABLES_PER_MAP_MAX: most leaf page tables one map makes. */
    public static final int LEAF_TABLES_PER_MAP_MAX = 1024;

    private final Map<Integer, PhysicalRange> serverRanges;
    private final TreeMap<Long, KernelObject> objects = new TreeMap<>();
    private final TreeMap<Long, Capability> capabilities = new TreeMap<>();
    private final Map<Long, TreeSet<Long>> childrenOf = new TreeMap<>();
    private final Map<Long, TreeSet<Long>> copiesOf = new TreeMap<>();
    private final TreeMap<Integer, Long> returnedBytes = new TreeMap<>();
    /** What each MAPPING capability maps, by its id. */
    private final TreeMap<Long, MappingCapability> mappingCaps = new TreeMap<>();
    /** The domain whose page-table root each VNODE capability is. */
    private final TreeMap<Long, Long> roots = new TreeMap<>();
    /** How many roots each live domain has (one, but for an operator's mistake); derived from {@link #roots}. */
    private final Map<Long, Integer> rootedDomains = new java.util.HashMap<>();
    /** Each domain's leaf page tables, by leaf index. */
    private final TreeMap<Long, TreeMap<Long, LeafTable>> leafTables = new TreeMap<>();
    /** The leaf page table each leaf VNODE capability is (derived from {@link #leafTables}). */
    private final Map<Long, LeafTable> leafOfVnode = new java.util.HashMap<>();
    /** MAPPING capabilities made with each FRAME capability (derived from {@link #mappingCaps}); absent means none. */
    private final Map<Long, TreeSet<Long>> mappingsByFrame = new java.util.HashMap<>();
    /** MAPPING capability of each mapping, by domain then mapping id (derived from {@link #mappingCaps}). */
    private final Map<Long, TreeMap<Long, Long>> mappingsByDomain = new java.util.HashMap<>();
    /** The highest id ever used in each block of ids (id >>> {@link #ID_BLOCK_BITS}), live or deleted. */
    private final TreeMap<Long, Long> highestIds = new TreeMap<>();
    private long changes;

    /**
     * @param serverRanges each core's memory server range (same on every replica: from the cluster map).
     */
    public CapabilityDatabase(final Map<Integer, PhysicalRange> serverRanges)
    {
        this.serverRanges = Map.copyOf(serverRanges);
    }

    /** @return how many times the state changed; lets a reader skip an unchanged replica. */
    public long changes()
    {
        return changes;
    }

    /** @return the capability, or null. */
    public Capability capability(final long capId)
    {
        return capabilities.get(capId);
    }

    /** @return the object, or null. */
    public KernelObject object(final long objectId)
    {
        return objects.get(objectId);
    }

    /** @return every capability, by id; read-only. */
    public NavigableMap<Long, Capability> capabilities()
    {
        return Collections.unmodifiableNavigableMap(capabilities);
    }

    /** @return every live object, by id; read-only. */
    public NavigableMap<Long, KernelObject> objects()
    {
        return Collections.unmodifiableNavigableMap(objects);
    }

    /** @return ids of the capabilities that refer to the object. */
    public Set<Long> copies(final long objectId)
    {
        return Collections.unmodifiableSet(copiesOf.getOrDefault(objectId, new TreeSet<>()));
    }

    /** @return ids of the objects retyped directly from the object. */
    public Set<Long> children(final long objectId)
    {
        return Collections.unmodifiableSet(childrenOf.getOrDefault(objectId, new TreeSet<>()));
    }

    /** @return ids of every descendant of the object, parents before children. */
    public List<Long> descendants(final long objectId)
    {
        final List<Long> found = new ArrayList<>();
        final Deque<Long> pending = new ArrayDeque<>(children(objectId));
        while (!pending.isEmpty())
        {
            final long next = pending.removeFirst();
            found.add(next);
            pending.addAll(children(next));
        }
        return found;
    }

    /** @return the memory server ranges this database checks allocations against. */
    public Map<Integer, PhysicalRange> serverRanges()
    {
        return serverRanges;
    }

    /** @return bytes of memory server {@code core}'s range held by live RAM it handed out. */
    public long allocatedBytes(final int core)
    {
        long bytes = 0;
        for (final KernelObject object : objects.values())
        {
            if (KernelObject.ROOT == object.parentId() && object.ownerCore() == core)
            {
                bytes += object.length();
            }
        }
        return bytes;
    }

    /** @return bytes of memory server {@code core}'s range not handed out. */
    public long freeBytes(final int core)
    {
        final PhysicalRange range = serverRanges.get(core);
        return null == range ? 0 : range.length() - allocatedBytes(core);
    }

    /** @return bytes returned to memory server {@code core} over the database's life. */
    public long returnedBytes(final int core)
    {
        return returnedBytes.getOrDefault(core, 0L);
    }

    @Override
    public int encodedLength(final CapabilityOperation operation)
    {
        return CapabilityOperation.encodedLength(operation);
    }

    @Override
    public void encode(final CapabilityOperation operation, final MutableDirectBuffer buffer, final int offset)
    {
        CapabilityOperation.encode(operation, buffer, offset);
    }

    @Override
    public CapabilityOperation decode(final DirectBuffer buffer, final int offset, final int length)
    {
        return CapabilityOperation.decode(buffer, offset, length);
    }

    /**
     * Operations of one transaction are each validated against the state before it, so two of them
     * could each pass and then collide (two retypes of one range, a copy of a capability the other
     * deletes): one capability operation per transaction keeps {@link #apply} total. The one exception
     * is the removal of distinct MAPPING capabilities (one unmap taking several mappings away), with at
     * most one domain's root let go (its destroy), which touch nothing the others touch.
     */
    @Override
    public String validateTransaction(final List<CapabilityOperation> operations)
    {
        if (operations.size() <= 1)
        {
            return VALID;
        }
        final Set<Long> unmapped = new java.util.HashSet<>();
        int unrooted = 0;
        for (final CapabilityOperation operation : operations)
        {
            final boolean alone = operation instanceof Unmapped u ? unmapped.add(u.capId()) :
                operation instanceof Unrooted && ++unrooted == 1;
            if (!alone)
            {
                return "a transaction changes at most one capability, not " + operations.size() +
                    ": propose each capability operation as a transaction of its own";
            }
        }
        return VALID;
    }

    @Override
    public String validate(final CapabilityOperation operation)
    {
        if (operation instanceof Allocate a)
        {
            return validateAllocate(a);
        }
        if (operation instanceof Retype r)
        {
            return validateRetype(r);
        }
        if (operation instanceof Copy c)
        {
            return firstProblem(pageTableProblem(c.capId(), "copied"),
                validateGive(c.capId(), c.newCapId(), c.holderCore(), "copy"));
        }
        if (operation instanceof Mint m)
        {
            return firstProblem(pageTableProblem(m.capId(), "minted"), Rights.valid(m.rightsMask()) ?
                validateGive(m.capId(), m.newCapId(), m.holderCore(), "mint") :
                "rights mask " + m.rightsMask() + " has bits outside " + Rights.format(Rights.ALL));
        }
        if (operation instanceof Delete d)
        {
            return validateDelete(d);
        }
        if (operation instanceof MapFrame m)
        {
            return validateMapFrame(m);
        }
        if (operation instanceof Rooted r)
        {
            return validateRooted(r);
        }
        if (operation instanceof Unrooted u)
        {
            final Long domain = roots.get(u.vnodeCapId());
            return null != domain && domain == u.domainId() ? VALID : "capability " + u.vnodeCapId() +
                " is not the root of domain " + u.domainId();
        }
        if (operation instanceof Unmapped u)
        {
            final MappingCapability mapping = mappingCaps.get(u.capId());
            return null != mapping ? VALID : null == capabilities.get(u.capId()) ? missing(u.capId()) :
                "capability " + u.capId() + " is a " + typeOf(u.capId()) + ", not a MAPPING to unmap";
        }
        return validateRevoke((Revoke)operation);
    }

    private String validateMapFrame(final MapFrame m)
    {
        final Capability frame = capabilities.get(m.frameCapId());
        if (null == frame)
        {
            return missing(m.frameCapId());
        }
        final KernelObject object = objects.get(frame.objectId());
        if (CapabilityType.FRAME != object.type())
        {
            return "capability " + m.frameCapId() + " is a " + object.type() + ": only a FRAME is mapped";
        }
        if (m.offset() < 0 || m.offset() % CapabilityType.PAGE_LENGTH_BYTES != 0 || m.length() <= 0 ||
            m.length() % CapabilityType.PAGE_LENGTH_BYTES != 0 || m.offset() > object.length() - m.length())
        {
            return "a mapping of " + m.length() + " bytes at offset " + m.offset() + " is not page-aligned inside " +
                "frame capability " + m.frameCapId() + "'s " + object.length() + " bytes";
        }
        if (m.vpage() < 0 || m.vpage() > Long.MAX_VALUE / CapabilityType.PAGE_LENGTH_BYTES - m.length())
        {
            return "virtual page " + m.vpage() + " of a mapping of " + m.length() + " bytes is outside any address space";
        }
        if (!rootedDomains.containsKey(m.domainId()))
        {
            // Its page table's root goes with its destroy, in the same transaction: no map after it.
            return "domain " + m.domainId() + " has no page-table root: it was destroyed, or never created";
        }
        final Long existing = mappingCapabilityOf(m.domainId(), m.mappingId());
        if (null != existing)
        {
            return "mapping " + m.mappingId() + " of domain " + m.domainId() + " already has MAPPING capability " +
                existing;
        }
        return firstProblem(firstProblem(newIds(m.objectId(), m.capId(), 1), holderProblem(m.holderCore())),
            validateLeaves(m));
    }

    /** The leaf tables a map brings are exactly those its range lacks, made from free memory with new ids. */
    private String validateLeaves(final MapFrame m)
    {
        if (m.leafCount() < 0 || m.leafCount() > LEAF_TABLES_PER_MAP_MAX)
        {
            return Bounds.message("leaf table count", m.leafCount(), 0, LEAF_TABLES_PER_MAP_MAX, "");
        }
        final long[] lacking = missingLeaves(m.domainId(), m.vpage(), m.length() / CapabilityType.PAGE_LENGTH_BYTES);
        if (lacking.length != m.leafCount())
        {
            return "the map at virtual page " + m.vpage() + " of domain " + m.domainId() + " needs " + lacking.length +
                " new leaf page table" + (1 == lacking.length ? "" : "s") + " and brings " + m.leafCount() +
                " (the domain's page tables changed since it was proposed): retry it";
        }
        if (0 == m.leafCount())
        {
            return VALID;
        }
        final long leafIdsLimit = m.leafFirstId() + MapFrame.leafIds(m.leafCount());
        if ((m.objectId() >= m.leafFirstId() && m.objectId() < leafIdsLimit) ||
            (m.capId() >= m.leafFirstId() && m.capId() < leafIdsLimit))
        {
            return "the map's MAPPING ids " + m.objectId() + " and " + m.capId() + " fall among its leaf tables' ids " +
                m.leafFirstId() + ".." + (leafIdsLimit - 1);
        }
        final String free = freeRunProblem(m.holderCore(), m.leafBase(),
            m.leafCount() * CapabilityType.PAGE_LENGTH_BYTES);
        if (null != free)
        {
            return "the leaf page tables of the map: " + free;
        }
        return firstProblem(newIds(m.leafFirstId(), m.leafFirstId() + 1, 1),
            newIds(m.leafFirstId() + 2, m.leafVnodeCapId(0), m.leafCount()));
    }

    /**
     * @return the leaf indexes (first virtual page / {@link #LEAF_PAGES}) that virtual pages
     *         {@code [vpage, vpage + pages)} of the domain fall in and that have no leaf table yet, ascending.
     */
    public long[] missingLeaves(final long domainId, final long vpage, final long pages)
    {
        if (pages <= 0 || vpage < 0)
        {
            return new long[0];
        }
        final TreeMap<Long, LeafTable> ofDomain = leafTables.get(domainId);
        final long first = vpage / LEAF_PAGES;
        final long last = (vpage + pages - 1) / LEAF_PAGES;
        if (last - first >= LEAF_TABLES_PER_MAP_MAX)
        {
            // More than any map may make: report one past the bound rather than allocating them all.
            return new long[LEAF_TABLES_PER_MAP_MAX + 1];
        }
        final List<Long> lacking = new ArrayList<>();
        for (long leaf = first; leaf <= last; leaf++)
        {
            if (null == ofDomain || !ofDomain.containsKey(leaf))
            {
                lacking.add(leaf);
            }
        }
        return lacking.stream().mapToLong(Long::longValue).toArray();
    }

    /** @return the domain's leaf page tables by leaf index; read-only, empty for none. */
    public NavigableMap<Long, LeafTable> leafTables(final long domainId)
    {
        final TreeMap<Long, LeafTable> ofDomain = leafTables.get(domainId);
        return null == ofDomain ? Collections.emptyNavigableMap() : Collections.unmodifiableNavigableMap(ofDomain);
    }

    /** @return the domains that have leaf page tables, ascending. */
    public Set<Long> domainsWithLeafTables()
    {
        return Collections.unmodifiableSet(leafTables.keySet());
    }

    /** @return the leaf page table the VNODE capability is, or null. */
    public LeafTable leafTableOf(final long vnodeCapId)
    {
        return leafOfVnode.get(vnodeCapId);
    }

    /**
     * @return the leaf page table whose VNODE is the capability, or whose VNODE was retyped from the
     *         capability's RAM; null when the capability belongs to no page table's leaf.
     */
    public LeafTable pageTableLeafOf(final long capId)
    {
        final LeafTable leaf = leafOfVnode.get(capId);
        if (null != leaf)
        {
            return leaf;
        }
        final Capability capability = capabilities.get(capId);
        if (null == capability || CapabilityType.RAM != objects.get(capability.objectId()).type())
        {
            return null;
        }
        // RAM of leaf tables holds leaf VNODEs only (one capability each), other RAM none: its first child says.
        final TreeSet<Long> children = childrenOf.get(capability.objectId());
        final TreeSet<Long> copies = null == children ? null : copiesOf.get(children.first());
        return null == copies ? null : leafOfVnode.get(copies.first());
    }

    private String pageTableProblem(final long capId, final String what)
    {
        final LeafTable leaf = pageTableLeafOf(capId);
        return null == leaf ? VALID : "capability " + capId + " belongs to leaf page table " + leaf.leaf() +
            " of domain " + leaf.domainId() + ": it is not " + what + " by itself; it goes when the last mapping " +
            "in the leaf's range is unmapped";
    }

    private String validateRooted(final Rooted r)
    {
        final Capability vnode = capabilities.get(r.vnodeCapId());
        if (null == vnode)
        {
            return missing(r.vnodeCapId());
        }
        if (leafOfVnode.containsKey(r.vnodeCapId()))
        {
            return pageTableProblem(r.vnodeCapId(), "made a root");
        }
        final CapabilityType type = objects.get(vnode.objectId()).type();
        if (CapabilityType.VNODE != type)
        {
            return "capability " + r.vnodeCapId() + " is a " + type + ", not a VNODE: a page table's root is a VNODE";
        }
        final Long domain = roots.get(r.vnodeCapId());
        if (null != domain)
        {
            return "VNODE capability " + r.vnodeCapId() + " is already the root of domain " + domain + ": retype another VNODE";
        }
        // A copy names the same page-table page: one page cannot be the root of two domains.
        for (final Map.Entry<Long, Long> root : roots.entrySet())
        {
            final Capability rootCapability = capabilities.get(root.getKey());
            if (null != rootCapability && rootCapability.objectId() == vnode.objectId())
            {
                return "VNODE capability " + r.vnodeCapId() + " is a copy of capability " + root.getKey() + ", the root " +
                    "of domain " + root.getValue() + ": one page table cannot be the root of two domains; retype another VNODE";
            }
        }
        return VALID;
    }

    private String rootProblem(final long capId)
    {
        final Long domain = roots.get(capId);
        return null == domain ? VALID : "capability " + capId + " is the page-table root of domain " + domain +
            ": destroy the domain first";
    }

    private String validateRevoke(final Revoke r)
    {
        final Capability target = capabilities.get(r.capId());
        if (null == target)
        {
            return missing(r.capId());
        }
        if (mappingCaps.containsKey(r.capId()))
        {
            return notByItself(r.capId(), "revoked");
        }
        final String pageTable = pageTableProblem(r.capId(), "revoked");
        if (null != pageTable)
        {
            return pageTable;
        }
        for (final long copy : copies(target.objectId()))
        {
            if (copy != r.capId() && null != rootProblem(copy))
            {
                return rootProblem(copy);
            }
        }
        for (final long descendant : descendants(target.objectId()))
        {
            for (final long copy : copies(descendant))
            {
                if (null != rootProblem(copy))
                {
                    return rootProblem(copy);
                }
            }
        }
        // Revoke leaves no mapping into the capability's range, made with itself, a copy or a
        // descendant (every MAPPING object made so descends from the target's object): the same
        // transaction unmaps every one of them from its page table, or the revoke is refused.
        final List<MappingCapability> under = mappingsUnder(r.capId());
        if (under.size() == r.mappings() && (under.isEmpty() || digest(under) == r.mappingsDigest()))
        {
            return VALID;
        }
        if (0 == r.mappings())
        {
            final MappingCapability mapping = under.get(0);
            return "MAPPING capability " + mapping.capId() + " (mapping " + mapping.mappingId() + " of domain " +
                mapping.domainId() + ", made with frame capability " + mapping.frameCapId() + ") maps into " +
                "capability " + r.capId() + "'s range, and this revoke does not unmap it: retry it";
        }
        return "the mappings into capability " + r.capId() + "'s range changed since the revoke was proposed (it " +
            "unmaps " + r.mappings() + ", there are " + under.size() + " now): retry it";
    }

    /**
     * @param mappings MAPPING capabilities, in capability id order.
     * @return a 64-bit digest of their ids (ids are never reused, so a different set of mappings has,
     *         but for a 2^-64 chance, a different digest); 0 for none.
     */
    public static long digest(final List<MappingCapability> mappings)
    {
        if (mappings.isEmpty())
        {
            return 0;
        }
        long digest = 0x9E3779B97F4A7C15L;
        for (final MappingCapability mapping : mappings)
        {
            long z = digest ^ mapping.capId();
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            digest = z ^ (z >>> 31);
        }
        return digest;
    }

    /**
     * @return the MAPPING capabilities whose mappings map into the capability's range: made with it,
     *         a copy of it or a descendant of its object; in capability id order. Empty for a missing capability.
     */
    public List<MappingCapability> mappingsUnder(final long capId)
    {
        final Capability target = capabilities.get(capId);
        if (null == target)
        {
            return List.of();
        }
        final List<MappingCapability> under = new ArrayList<>();
        for (final long descendant : descendants(target.objectId()))
        {
            if (CapabilityType.MAPPING == objects.get(descendant).type())
            {
                under.add(mappingCaps.get(copies(descendant).iterator().next()));
            }
        }
        under.sort(java.util.Comparator.comparingLong(MappingCapability::capId));
        return under;
    }

    private String mappedProblem(final long capId, final String what)
    {
        final int count = mappings(capId);
        return "capability " + capId + " (" + what + ") is mapped " + (1 == count ? "once" : count + " times") +
            " into address spaces: unmap first";
    }

    private String notByItself(final long capId, final String what)
    {
        final MappingCapability mapping = mappingCaps.get(capId);
        return "capability " + capId + " is the MAPPING of mapping " + mapping.mappingId() + " of domain " +
            mapping.domainId() + ": it is not " + what + " by itself; unmap the mapping instead";
    }

    private String typeOf(final long capId)
    {
        return objects.get(capabilities.get(capId).objectId()).type().name();
    }

    /** @return mappings made with the capability and not yet unmapped. */
    public int mappings(final long capId)
    {
        final TreeSet<Long> made = mappingsByFrame.get(capId);
        return null == made ? 0 : made.size();
    }

    /** @return the domain whose page-table root each VNODE capability is, by capability id; read-only. */
    public NavigableMap<Long, Long> roots()
    {
        return Collections.unmodifiableNavigableMap(roots);
    }

    /** @return what each MAPPING capability maps, by the capability's id; read-only. */
    public NavigableMap<Long, MappingCapability> mappingCapabilities()
    {
        return Collections.unmodifiableNavigableMap(mappingCaps);
    }

    /** @return the MAPPING capability of the domain's mapping, or null. */
    public Long mappingCapabilityOf(final long domainId, final long mappingId)
    {
        final TreeMap<Long, Long> ofDomain = mappingsByDomain.get(domainId);
        return null == ofDomain ? null : ofDomain.get(mappingId);
    }

    private String validateAllocate(final Allocate a)
    {
        final PhysicalRange range = serverRanges.get(a.serverCore());
        if (null == range)
        {
            return "core " + a.serverCore() + " has no memory server range";
        }
        final String size = CapabilityType.RAM.sizeProblem(a.length());
        if (null != size)
        {
            return size;
        }
        return firstProblem(freeRunProblem(a.serverCore(), a.base(), a.length()),
            firstProblem(newIds(a.objectId(), a.capId(), 1), holderProblem(a.holderCore())));
    }

    /** @return null when memory server {@code core} has {@code length} bytes at {@code base} free, else why not. */
    private String freeRunProblem(final int core, final long base, final long length)
    {
        final PhysicalRange range = serverRanges.get(core);
        if (null == range)
        {
            return "core " + core + " has no memory server range";
        }
        if (base % CapabilityType.PAGE_LENGTH_BYTES != 0 || !range.contains(base, length))
        {
            return "RAM at " + base + " of " + length + " bytes is not page aligned inside core " +
                core + "'s range " + range.base() + "+" + range.length();
        }
        for (final KernelObject object : objects.values())
        {
            if (KernelObject.ROOT == object.parentId() && object.overlaps(base, length))
            {
                return "RAM at " + base + " of " + length + " bytes overlaps RAM object " + object.objectId() +
                    " that is already handed out";
            }
        }
        return VALID;
    }

    private String validateRetype(final Retype r)
    {
        final Capability source = capabilities.get(r.sourceCapId());
        if (null == source)
        {
            return missing(r.sourceCapId());
        }
        final String pageTable = pageTableProblem(r.sourceCapId(), "retyped");
        if (null != pageTable)
        {
            return pageTable;
        }
        final KernelObject object = objects.get(source.objectId());
        if (!object.type().retypeTargets().contains(r.type()))
        {
            return "a " + object.type() + " cannot be retyped into a " + r.type() + "; it can become " +
                (object.type().retypeTargets().isEmpty() ? "nothing" : object.type().retypeTargets());
        }
        if (r.count() < 1 || r.count() > RETYPE_COUNT_MAX)
        {
            return Bounds.message("count", r.count(), 1, RETYPE_COUNT_MAX, "");
        }
        final String size = r.type().sizeProblem(r.objectLength());
        if (null != size)
        {
            return size;
        }
        if (r.offset() < 0 || r.offset() % CapabilityType.PAGE_LENGTH_BYTES != 0)
        {
            return "offset " + r.offset() + " is not a page-aligned (" + CapabilityType.PAGE_LENGTH_BYTES +
                " bytes) offset into the source";
        }
        final long total = r.objectLength() * r.count();
        if (total / r.count() != r.objectLength() || r.offset() > object.length() - total)
        {
            return (1 == r.count() ? "1 object of " : r.count() + " objects of ") + r.objectLength() + " bytes at offset " +
                r.offset() + (1 == r.count() ? " does" : " do") + " not fit in the source's " + object.length() + " bytes";
        }
        final long base = object.base() + r.offset();
        for (final long childId : children(object.objectId()))
        {
            final KernelObject child = objects.get(childId);
            if (CapabilityType.MAPPING != child.type() && child.overlaps(base, total))
            {
                return "the range overlaps live descendant object " + childId + " (" + child.type() + " at offset " +
                    (child.base() - object.base()) + "): revoke first";
            }
        }
        return firstProblem(newIds(r.firstObjectId(), r.firstCapId(), r.count()), holderProblem(r.holderCore()));
    }

    private String validateGive(final long capId, final long newCapId, final int holderCore, final String what)
    {
        final Capability source = capabilities.get(capId);
        if (null == source)
        {
            return missing(capId);
        }
        if (mappingCaps.containsKey(capId))
        {
            return notByItself(capId, "copied or minted");
        }
        if (holderCore != source.holderCore() && !Rights.includes(source.rights(), Rights.GRANT))
        {
            return "capability " + capId + " lacks the grant right needed to " + what + " it to core " + holderCore;
        }
        return firstProblem(newCapabilityId(newCapId), holderProblem(holderCore));
    }

    private String validateDelete(final Delete d)
    {
        final Capability capability = capabilities.get(d.capId());
        if (null == capability)
        {
            return missing(d.capId());
        }
        if (mappingCaps.containsKey(d.capId()))
        {
            return notByItself(d.capId(), "deleted");
        }
        if (null != rootProblem(d.capId()))
        {
            return rootProblem(d.capId());
        }
        final String pageTable = pageTableProblem(d.capId(), "deleted");
        if (null != pageTable)
        {
            return pageTable;
        }
        if (mappings(d.capId()) > 0)
        {
            return mappedProblem(d.capId(), "the one to delete");
        }
        final long objectId = capability.objectId();
        final int liveChildren = children(objectId).size();
        if (copies(objectId).size() == 1 && liveChildren > 0)
        {
            return "capability " + d.capId() + " is the last copy of object " + objectId + ", which has " + liveChildren +
                " live descendant" + (1 == liveChildren ? "" : "s") + ": revoke first";
        }
        return VALID;
    }

    private String newIds(final long firstObjectId, final long firstCapId, final int count)
    {
        if (firstObjectId <= KernelObject.ROOT || firstObjectId > Long.MAX_VALUE - count ||
            firstCapId <= 0 || firstCapId > Long.MAX_VALUE - count)
        {
            return "new ids must be positive: object " + firstObjectId + ", capability " + firstCapId;
        }
        for (int i = 0; i < count; i++)
        {
            if (objects.containsKey(firstObjectId + i))
            {
                return "object id " + (firstObjectId + i) + " is already in use";
            }
            final String capProblem = newCapabilityId(firstCapId + i);
            if (null != capProblem)
            {
                return capProblem;
            }
        }
        return VALID;
    }

    private String newCapabilityId(final long capId)
    {
        if (capId <= 0)
        {
            return "capability id " + capId + " is not positive";
        }
        return capabilities.containsKey(capId) ? "capability id " + capId + " is already in use" : VALID;
    }

    private static String holderProblem(final int holderCore)
    {
        return holderCore < 0 ? "holder core " + holderCore + " is negative" : VALID;
    }

    private static String firstProblem(final String first, final String second)
    {
        return null != first ? first : second;
    }

    private static String missing(final long capId)
    {
        return "capability " + capId + " does not exist";
    }

    @Override
    public Collection<?> lockKeys(final CapabilityOperation operation)
    {
        if (operation instanceof Allocate a)
        {
            return List.of(CapabilityLock.memoryServer(a.serverCore()), CapabilityLock.object(a.objectId()),
                CapabilityLock.capability(a.capId()));
        }
        if (operation instanceof Retype r)
        {
            return retypeLocks(r);
        }
        if (operation instanceof Copy c)
        {
            return List.of(objectLockOf(c.capId()), CapabilityLock.capability(c.newCapId()));
        }
        if (operation instanceof Mint m)
        {
            return List.of(objectLockOf(m.capId()), CapabilityLock.capability(m.newCapId()));
        }
        if (operation instanceof Delete d)
        {
            return capabilityLocks(d.capId());
        }
        if (operation instanceof MapFrame m)
        {
            final List<CapabilityLock> locks = new ArrayList<>(capabilityLocks(m.frameCapId()));
            locks.add(CapabilityLock.object(m.objectId()));
            locks.add(CapabilityLock.capability(m.capId()));
            locks.add(CapabilityLock.pageTables(m.domainId()));
            if (m.leafCount() > 0)
            {
                locks.add(CapabilityLock.memoryServer(m.holderCore()));
                locks.add(CapabilityLock.object(m.leafFirstId()));
                locks.add(CapabilityLock.capability(m.leafFirstId() + 1));
                final int count = Math.max(0, Math.min(m.leafCount(), LEAF_TABLES_PER_MAP_MAX));
                for (int i = 0; i < count; i++)
                {
                    locks.add(CapabilityLock.object(m.leafFirstId() + 2 + i));
                    locks.add(CapabilityLock.capability(m.leafVnodeCapId(i)));
                }
            }
            return locks;
        }
        if (operation instanceof Unmapped u)
        {
            return unmappedLocks(u);
        }
        if (operation instanceof Rooted r)
        {
            return List.of(objectLockOf(r.vnodeCapId()), CapabilityLock.capability(r.vnodeCapId()),
                CapabilityLock.pageTables(r.domainId()));
        }
        if (operation instanceof Unrooted u)
        {
            return List.of(objectLockOf(u.vnodeCapId()), CapabilityLock.capability(u.vnodeCapId()),
                CapabilityLock.pageTables(u.domainId()));
        }
        return revokeLocks((Revoke)operation);
    }

    private List<CapabilityLock> retypeLocks(final Retype r)
    {
        final List<CapabilityLock> locks = new ArrayList<>();
        locks.add(objectLockOf(r.sourceCapId()));
        final int count = Math.max(0, Math.min(r.count(), RETYPE_COUNT_MAX));
        for (int i = 0; i < count; i++)
        {
            locks.add(CapabilityLock.object(r.firstObjectId() + i));
            locks.add(CapabilityLock.capability(r.firstCapId() + i));
        }
        return locks;
    }

    /** A capability's object and the capability itself. */
    private List<CapabilityLock> capabilityLocks(final long capId)
    {
        return List.of(objectLockOf(capId), CapabilityLock.capability(capId));
    }

    /** The mapping's object and capability, its frame's object (whose children change) and the frame capability. */
    private List<CapabilityLock> unmappedLocks(final Unmapped u)
    {
        final MappingCapability mapping = mappingCaps.get(u.capId());
        if (null == mapping)
        {
            return capabilityLocks(u.capId());
        }
        final List<CapabilityLock> locks = new ArrayList<>(capabilityLocks(u.capId()));
        locks.addAll(capabilityLocks(mapping.frameCapId()));
        locks.add(CapabilityLock.pageTables(mapping.domainId()));
        return locks;
    }

    private List<CapabilityLock> revokeLocks(final Revoke r)
    {
        final List<CapabilityLock> locks = new ArrayList<>();
        locks.add(objectLockOf(r.capId()));
        final Capability capability = capabilities.get(r.capId());
        if (null != capability)
        {
            for (final long descendant : descendants(capability.objectId()))
            {
                locks.add(CapabilityLock.object(descendant));
            }
            mappingsUnder(r.capId()).stream().map(MappingCapability::domainId).distinct().sorted()
                .forEach(domain -> locks.add(CapabilityLock.pageTables(domain)));
        }
        return locks;
    }

    /** The object a capability refers to; a missing capability locks its own id (validation refuses it). */
    private CapabilityLock objectLockOf(final long capId)
    {
        final Capability capability = capabilities.get(capId);
        return null == capability ? CapabilityLock.capability(capId) : CapabilityLock.object(capability.objectId());
    }

    @Override
    public void apply(final CapabilityOperation operation)
    {
        if (operation instanceof Allocate a)
        {
            addObject(new KernelObject(a.objectId(), CapabilityType.RAM, a.base(), a.length(), KernelObject.ROOT,
                a.serverCore()));
            addCapability(new Capability(a.capId(), a.objectId(), Rights.ALL, a.holderCore()));
        }
        else if (operation instanceof Retype r)
        {
            applyRetype(r);
        }
        else if (operation instanceof Copy c)
        {
            give(c.capId(), c.newCapId(), c.holderCore(), Rights.ALL);
        }
        else if (operation instanceof Mint m)
        {
            give(m.capId(), m.newCapId(), m.holderCore(), m.rightsMask());
        }
        else if (operation instanceof Delete d)
        {
            removeCapability(capabilities.get(d.capId()));
        }
        else if (operation instanceof MapFrame m)
        {
            final Capability frame = capabilities.get(m.frameCapId());
            final KernelObject object = objects.get(frame.objectId());
            makeLeaves(m);
            addObject(new KernelObject(m.objectId(), CapabilityType.MAPPING, object.base() + m.offset(), m.length(),
                object.objectId(), m.holderCore()));
            addCapability(new Capability(m.capId(), m.objectId(), frame.rights(), m.holderCore()));
            addMapping(new MappingCapability(m.capId(), m.frameCapId(), m.domainId(), m.mappingId(), m.vpage()));
            countLeaves(m.domainId(), m.vpage(), m.length() / CapabilityType.PAGE_LENGTH_BYTES, 1);
        }
        else if (operation instanceof Unmapped u)
        {
            unmap(mappingCaps.get(u.capId()));
        }
        else if (operation instanceof Rooted r)
        {
            roots.put(r.vnodeCapId(), r.domainId());
            rootedDomains.merge(r.domainId(), 1, Integer::sum);
        }
        else if (operation instanceof Unrooted u)
        {
            roots.remove(u.vnodeCapId());
            rootedDomains.computeIfPresent(u.domainId(), (domain, count) -> count > 1 ? count - 1 : null);
        }
        else
        {
            applyRevoke((Revoke)operation);
        }
        changes++;
    }

    private void applyRetype(final Retype r)
    {
        final Capability source = capabilities.get(r.sourceCapId());
        final KernelObject parent = objects.get(source.objectId());
        for (int i = 0; i < r.count(); i++)
        {
            final long objectId = r.firstObjectId() + i;
            addObject(new KernelObject(objectId, r.type(), parent.base() + r.offset() + i * r.objectLength(),
                r.objectLength(), parent.objectId(), r.holderCore()));
            addCapability(new Capability(r.firstCapId() + i, objectId, source.rights(), r.holderCore()));
        }
    }

    private void give(final long capId, final long newCapId, final int holderCore, final int rightsMask)
    {
        final Capability source = capabilities.get(capId);
        addCapability(new Capability(newCapId, source.objectId(), source.rights() & rightsMask, holderCore));
    }

    private void applyRevoke(final Revoke r)
    {
        final Capability target = capabilities.get(r.capId());
        final List<Long> descendants = descendants(target.objectId());
        for (int i = descendants.size() - 1; i >= 0; i--)
        {
            for (final long capId : List.copyOf(copies(descendants.get(i))))
            {
                final MappingCapability mapping = mappingCaps.get(capId);
                if (null != mapping)
                {
                    unmap(mapping);
                }
                else
                {
                    removeCapability(capabilities.get(capId));
                }
            }
        }
        for (final long capId : List.copyOf(copies(target.objectId())))
        {
            if (capId != r.capId())
            {
                removeCapability(capabilities.get(capId));
            }
        }
    }

    /** Makes the leaf tables a map brings: one RAM from the holder's memory server, retyped into VNODEs. */
    private void makeLeaves(final MapFrame m)
    {
        if (0 == m.leafCount())
        {
            return;
        }
        final long[] lacking = missingLeaves(m.domainId(), m.vpage(), m.length() / CapabilityType.PAGE_LENGTH_BYTES);
        final long ramObjectId = m.leafFirstId();
        addObject(new KernelObject(ramObjectId, CapabilityType.RAM, m.leafBase(),
            m.leafCount() * CapabilityType.PAGE_LENGTH_BYTES, KernelObject.ROOT, m.holderCore()));
        addCapability(new Capability(ramObjectId + 1, ramObjectId, Rights.ALL, m.holderCore()));
        for (int i = 0; i < m.leafCount(); i++)
        {
            final long objectId = ramObjectId + 2 + i;
            addObject(new KernelObject(objectId, CapabilityType.VNODE, m.leafBase() + i * CapabilityType.PAGE_LENGTH_BYTES,
                CapabilityType.PAGE_LENGTH_BYTES, ramObjectId, m.holderCore()));
            addCapability(new Capability(m.leafVnodeCapId(i), objectId, Rights.ALL, m.holderCore()));
            putLeaf(new LeafTable(m.domainId(), lacking[i], m.leafVnodeCapId(i), 0));
        }
    }

    /** Removes a mapping and its MAPPING capability, and the leaf tables it leaves empty. */
    private void unmap(final MappingCapability mapping)
    {
        final long pages = mappedPages(mapping);
        removeMapping(mapping);
        removeCapability(capabilities.get(mapping.capId()));
        countLeaves(mapping.domainId(), mapping.vpage(), pages, -1);
    }

    /** @return pages a live MAPPING capability maps: its object's length. */
    private long mappedPages(final MappingCapability mapping)
    {
        return objects.get(capabilities.get(mapping.capId()).objectId()).length() / CapabilityType.PAGE_LENGTH_BYTES;
    }

    /** Adds {@code sign} times the pages of {@code [vpage, vpage + pages)} to each leaf's count; frees emptied leaves. */
    private void countLeaves(final long domainId, final long vpage, final long pages, final int sign)
    {
        final TreeMap<Long, LeafTable> ofDomain = leafTables.get(domainId);
        LeafTable.forEachLeaf(vpage, pages, (index, inLeaf) ->
        {
            final LeafTable leaf = null == ofDomain ? null : ofDomain.get(index);
            if (null == leaf || leaf.pages() + sign * inLeaf < 0)
            {
                throw new IllegalStateException("leaf " + index + " of domain " + domainId + " has no leaf page table " +
                    "to " + (sign > 0 ? "map into" : "unmap from"));
            }
            final LeafTable now = leaf.plus(sign * inLeaf);
            if (0 == now.pages())
            {
                freeLeaf(now);
            }
            else
            {
                putLeaf(now);
            }
        });
    }

    /** Destroys an empty leaf table's VNODE, and the RAM it came from once that holds no other leaf. */
    private void freeLeaf(final LeafTable leaf)
    {
        final TreeMap<Long, LeafTable> ofDomain = leafTables.get(leaf.domainId());
        ofDomain.remove(leaf.leaf());
        if (ofDomain.isEmpty())
        {
            leafTables.remove(leaf.domainId());
        }
        leafOfVnode.remove(leaf.vnodeCapId());
        final Capability vnode = capabilities.get(leaf.vnodeCapId());
        final long ramObjectId = objects.get(vnode.objectId()).parentId();
        removeCapability(vnode);
        if (children(ramObjectId).isEmpty())
        {
            for (final long ramCapId : List.copyOf(copies(ramObjectId)))
            {
                removeCapability(capabilities.get(ramCapId));
            }
        }
    }

    private void putLeaf(final LeafTable leaf)
    {
        leafTables.computeIfAbsent(leaf.domainId(), id -> new TreeMap<>()).put(leaf.leaf(), leaf);
        leafOfVnode.put(leaf.vnodeCapId(), leaf);
    }

    private void addMapping(final MappingCapability mapping)
    {
        mappingCaps.put(mapping.capId(), mapping);
        mappingsByFrame.computeIfAbsent(mapping.frameCapId(), id -> new TreeSet<>()).add(mapping.capId());
        mappingsByDomain.computeIfAbsent(mapping.domainId(), id -> new TreeMap<>()).put(mapping.mappingId(),
            mapping.capId());
    }

    private void removeMapping(final MappingCapability mapping)
    {
        mappingCaps.remove(mapping.capId());
        final TreeSet<Long> ofFrame = mappingsByFrame.get(mapping.frameCapId());
        ofFrame.remove(mapping.capId());
        if (ofFrame.isEmpty())
        {
            mappingsByFrame.remove(mapping.frameCapId());
        }
        final TreeMap<Long, Long> ofDomain = mappingsByDomain.get(mapping.domainId());
        ofDomain.remove(mapping.mappingId());
        if (ofDomain.isEmpty())
        {
            mappingsByDomain.remove(mapping.domainId());
        }
    }

    private void addObject(final KernelObject object)
    {
        objects.put(object.objectId(), object);
        noteId(object.objectId());
        if (KernelObject.ROOT != object.parentId())
        {
            childrenOf.computeIfAbsent(object.parentId(), id -> new TreeSet<>()).add(object.objectId());
        }
    }

    private void addCapability(final Capability capability)
    {
        capabilities.put(capability.capId(), capability);
        noteId(capability.capId());
        copiesOf.computeIfAbsent(capability.objectId(), id -> new TreeSet<>()).add(capability.capId());
    }

    private void noteId(final long id)
    {
        highestIds.merge(id >>> ID_BLOCK_BITS, id, Math::max);
    }

    /**
     * @param block ids {@code block << }{@value #ID_BLOCK_BITS} and up, below the next block.
     * @return the highest id of the block ever used here, live or since deleted, or -1 for none; it
     *         survives restarts (it is in the snapshot), so ids made above it are never reused.
     */
    public long highestIdUsed(final long block)
    {
        return highestIds.getOrDefault(block, -1L);
    }

    /** Removes a capability; the last copy takes its object with it, returning a memory server's RAM. */
    private void removeCapability(final Capability capability)
    {
        capabilities.remove(capability.capId());
        final TreeSet<Long> copies = copiesOf.get(capability.objectId());
        copies.remove(capability.capId());
        if (!copies.isEmpty())
        {
            return;
        }
        copiesOf.remove(capability.objectId());
        final KernelObject object = objects.remove(capability.objectId());
        if (null != childrenOf.get(object.objectId()))
        {
            throw new IllegalStateException("object " + object.objectId() + " destroyed with live descendants " +
                childrenOf.get(object.objectId()));
        }
        if (KernelObject.ROOT == object.parentId())
        {
            returnedBytes.merge(object.ownerCore(), object.length(), Long::sum);
        }
        else
        {
            final TreeSet<Long> siblings = childrenOf.get(object.parentId());
            siblings.remove(object.objectId());
            if (siblings.isEmpty())
            {
                childrenOf.remove(object.parentId());
            }
        }
    }

    @Override
    public byte[] snapshot()
    {
        final List<LeafTable> leaves = new ArrayList<>();
        leafTables.values().forEach(ofDomain -> leaves.addAll(ofDomain.values()));
        return CapabilitySnapshot.encode(objects.values(), capabilities.values(), returnedBytes, highestIds,
            mappingCaps.values(), roots, leaves);
    }

    @Override
    public void restore(final byte[] snapshot)
    {
        final CapabilitySnapshot decoded = CapabilitySnapshot.decode(snapshot);
        objects.clear();
        capabilities.clear();
        childrenOf.clear();
        copiesOf.clear();
        returnedBytes.clear();
        highestIds.clear();
        highestIds.putAll(decoded.highestIds());
        mappingCaps.clear();
        mappingsByFrame.clear();
        mappingsByDomain.clear();
        decoded.mappings().forEach(this::addMapping);
        roots.clear();
        roots.putAll(decoded.roots());
        rootedDomains.clear();
        roots.values().forEach(domain -> rootedDomains.merge(domain, 1, Integer::sum));
        decoded.objects().forEach(this::addObject);
        decoded.capabilities().forEach(this::addCapability);
        returnedBytes.putAll(decoded.returnedBytes());
        leafTables.clear();
        leafOfVnode.clear();
        decoded.leaves().forEach(this::putLeaf);
        changes++;
        restoreLeafCounts();
    }

    /**
     * The snapshot names each leaf table; how many pages each maps follows from the mappings, and
     * must come out at least one for every leaf, with every mapped page in a leaf.
     */
    private void restoreLeafCounts()
    {
        for (final MappingCapability mapping : mappingCaps.values())
        {
            try
            {
                countLeaves(mapping.domainId(), mapping.vpage(), mappedPages(mapping), 1);
            }
            catch (final IllegalStateException ex)
            {
                throw new IllegalArgumentException("the capability snapshot maps mapping " + mapping.mappingId() +
                    " of domain " + mapping.domainId() + " without a leaf page table for all its pages", ex);
            }
        }
        for (final LeafTable leaf : leafOfVnode.values())
        {
            if (0 == leaf.pages())
            {
                throw new IllegalArgumentException("the capability snapshot's leaf page table " + leaf.leaf() +
                    " of domain " + leaf.domainId() + " maps no page");
            }
        }
    }

    /**
     * @return SHA-256 over the canonical snapshot, hex: equal replicas, equal fingerprints.
     */
    public String fingerprint()
    {
        return CapabilitySnapshot.fingerprint(snapshot());
    }
}
