package io.multikernel.node.vm;

import io.multikernel.common.Bounds;
import io.multikernel.node.caps.CapabilityDatabase;
import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.caps.CapabilityView;
import io.multikernel.node.caps.Rights;
import io.multikernel.node.cluster.ClusterLimits;
import io.multikernel.node.vm.VmOperation.Create;
import io.multikernel.node.vm.VmOperation.Destroy;
import io.multikernel.node.vm.VmOperation.Protect;
import io.multikernel.node.vm.VmOperation.Shrink;
import io.multikernel.node.vm.VmOperation.Span;
import io.multikernel.node.vm.VmOperation.Unmap;
import io.multikernel.replication.StateMachine;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;

/**
 * Domains' address spaces (page tables) as a replicated state machine. Every core registers it, but
 * a core holds a domain only when it is one of the domain's cores: a domain's page table is replicated
 * on exactly the domain's cores, which are the participants of its transactions ({@link #participants}).
 * On a core that does not hold the domain, an operation on it validates as {@link #VALID} and applies
 * as nothing, except a create or a span that names this core, which installs the domain.
 *
 * <p>Rules:
 * <ul>
 *   <li>create: the root is a VNODE capability the requester holds and no other domain here uses;
 *   cores are distinct, ascending, below {@code coresMax};</li>
 *   <li>map: the frame is a FRAME capability the requester (one of the domain's cores) holds, with
 *   every right the mapping asks for; the pages lie inside the frame and the address space and
 *   overlap no mapping;</li>
 *   <li>unmap and protect act on whole mappings: a range that cuts a mapping, or holds none, is
 *   refused; protect keeps rights within the frame's rights recorded at map time;</li>
 *   <li>span carries the domain's image from the coordinator's replica: the new core installs it,
 *   the others check it equals theirs (operations on one domain are serialized by its lock);</li>
 *   <li>shrink removes a core, never the last; destroy drops the domain everywhere;</li>
 *   <li>every change of an existing domain travels with {@link VmOperation.AtVersion}: the version
 *   and cores of the proposer's replica, which each core holding the domain must match (and a core
 *   named among them must still hold it), so a change whose participants or shootdown targets came
 *   from a replica that had not yet applied an earlier change of the domain is refused.</li>
 * </ul>
 * Every refusal is one sentence and changes nothing.
 *
 * <p>A map records the frame's base and rights as its core's capability replica shows them at prepare
 * (they never change for a capability). Apply reads them again, and falls back to what prepare saw
 * when the frame was deleted in between, so that apply stays total.
 */
public final class AddressSpaces implements StateMachine<VmOperation>
{
    /** LEAF_PAGES: pages one leaf table of the two-level page table maps (a VNODE capability, {@link CapabilityDatabase#LEAF_PAGES}). */
    public static final int LEAF_PAGES = CapabilityDatabase.LEAF_PAGES;
    /** VIRTUAL_PAGES: pages of one domain's address space, 2^27 pages of 4 KiB = 512 GiB. */
    public static final long VIRTUAL_PAGES = 1L << 27;
    /** ROOT_ENTRIES: leaf tables the root can point to. */
    public static final long ROOT_ENTRIES = VIRTUAL_PAGES / LEAF_PAGES;
    /** MAP_PAGES_MAX: most pages one map, unmap or protect covers, 2^18 pages = 1 GiB (a host's memory at most). */
    public static final int MAP_PAGES_MAX = 1 << 18;
    /** MAPPINGS_PER_DOMAIN_MAX: most mappings one domain has. */
    public static final int MAPPINGS_PER_DOMAIN_MAX = 1024;
    /** DOMAINS_MAX: most domains one core holds. */
    public static final int DOMAINS_MAX = 1024;
    /** CORES_MAX: the largest {@code coresMax} (core ids are below it). */
    public static final int CORES_MAX = ClusterLimits.CORE_ID_MAX + 1;
    /** MAPPING_RIGHTS: the rights a mapping may have (read, write, execute). */
    public static final int MAPPING_RIGHTS = Rights.READ | Rights.WRITE | Rights.EXECUTE;
    /** PREPARED_FRAMES_MAX: frames seen by prepare that apply may fall back to (oldest forgotten first). */
    public static final int PREPARED_FRAMES_MAX = 1024;

    private static final long PAGE = CapabilityType.PAGE_LENGTH_BYTES;

    private final int selfCoreId;
    private final int coresMax;
    private final FrameLookup frames;
    private final TreeMap<Long, Domain> domains = new TreeMap<>();
    /** The highest domain or mapping id of this core's block applied here, live or since removed; 0 for none. */
    private long highestOwnId;
    private final LinkedHashMap<Long, CapabilityView> preparedFrames =
        new LinkedHashMap<>(16, 0.75f, false)
        {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final java.util.Map.Entry<Long, CapabilityView> eldest)
            {
                return size() > PREPARED_FRAMES_MAX;
            }
        };

    /**
     * @param selfCoreId this core.
     * @param coresMax   every core id is below it (1..{@link #CORES_MAX}).
     * @param frames     this core's capability replica.
     */
    public AddressSpaces(final int selfCoreId, final int coresMax, final FrameLookup frames)
    {
        Bounds.check("coresMax", coresMax, 1, CORES_MAX);
        Bounds.check("selfCoreId", selfCoreId, 0, coresMax - 1);
        this.selfCoreId = selfCoreId;
        this.coresMax = coresMax;
        this.frames = java.util.Objects.requireNonNull(frames, "frames");
    }

    /**
     * Told of every applied change that takes translations away or may narrow them, so this core's
     * TLB drops what it cached of them.
     */
    @FunctionalInterface
    public interface TranslationsChanged
    {
        /**
         * @param domainId  the domain.
         * @param firstPage first virtual page of the range.
         * @param pageCount pages of the range; 0: every page of the domain.
         */
        void onChanged(long domainId, long firstPage, long pageCount);
    }

    private TranslationsChanged translationsChanged = (domainId, firstPage, pageCount) -> { };

    /**
     * @param listener told after an unmap, a protect, a shrink of this core or a destroy is applied
     *                 here, and for every domain held before a snapshot is restored.
     */
    public void onTranslationsChanged(final TranslationsChanged listener)
    {
        this.translationsChanged = java.util.Objects.requireNonNull(listener, "listener");
    }

    /** @return this core. */
    public int selfCoreId()
    {
        return selfCoreId;
    }

    /** @return the bound on core ids this replica checks. */
    public int coresMax()
    {
        return coresMax;
    }

    /** @return the domain, or null when this core does not hold it. */
    public Domain domain(final long domainId)
    {
        return domains.get(domainId);
    }

    /** @return the domains this core holds, by id; read-only. */
    public Collection<Domain> domains()
    {
        return Collections.unmodifiableCollection(domains.values());
    }

    /**
     * @return where virtual page {@code vpage} of the domain lives, or null when this core does not
     * hold the domain or the page is not mapped; O(log n) in the domain's mappings.
     */
    public Translation translate(final long domainId, final long vpage)
    {
        final Domain domain = domains.get(domainId);
        final Mapping m = null == domain ? null : domain.mappingAt(vpage);
        return null == m ? null : new Translation(domainId, vpage, m.physicalAddress(vpage), m.rights(),
            m.mappingId(), m.frameCapId(), m.frameOffsetBytes(vpage));
    }

    /**
     * @return the domain's canonical image, what a {@link Span} carries.
     * @throws IllegalArgumentException when this core does not hold the domain.
     */
    public byte[] image(final long domainId)
    {
        final Domain domain = domains.get(domainId);
        if (null == domain)
        {
            throw new IllegalArgumentException(notHeld(domainId));
        }
        return DomainImage.encode(domain);
    }

    /**
     * @return SHA-256 of the domain's image, hex: replicas of a domain that applied the same operations agree.
     * @throws IllegalArgumentException when this core does not hold the domain.
     */
    public String fingerprint(final long domainId)
    {
        return DomainImage.fingerprint(image(domainId));
    }

    /**
     * @return what a change of the domain proposed from this replica carries beside it: the domain's
     *         version and cores here, which every core must match ({@link VmOperation.AtVersion});
     *         null when this core does not hold the domain.
     */
    public VmOperation.AtVersion atVersion(final long domainId)
    {
        final Domain domain = domains.get(domainId);
        return null == domain ? null : new VmOperation.AtVersion(domainId, domain.version(), domain.cores());
    }

    /**
     * @return the cores a transaction carrying the operation goes to: a create's cores; for a span the
     * domain's cores and the new one; otherwise the domain's cores. Null when this core does not hold
     * the domain (and the operation is not a create).
     */
    public int[] participants(final VmOperation operation)
    {
        if (operation instanceof Create c)
        {
            return c.cores();
        }
        final Domain domain = domains.get(operation.domainId());
        if (null == domain)
        {
            return null;
        }
        if (operation instanceof Span s && !domain.hasCore(s.core()))
        {
            return withCore(domain.cores(), s.core());
        }
        return domain.cores();
    }

    /**
     * What a requesting core checks before it proposes: {@link #validate}, and that this core holds
     * the domain of an operation other than a create (a core that does not hold it would find it valid).
     *
     * @return {@link #VALID} or one sentence.
     */
    public String proposalProblem(final VmOperation operation)
    {
        final String problem = validate(operation);
        if (VALID != problem || operation instanceof Create)
        {
            return problem;
        }
        return domains.containsKey(operation.domainId()) ? VALID : notHeld(operation.domainId());
    }

    @Override
    public int encodedLength(final VmOperation operation)
    {
        return VmOperation.encodedLength(operation);
    }

    @Override
    public void encode(final VmOperation operation, final MutableDirectBuffer buffer, final int offset)
    {
        VmOperation.encode(operation, buffer, offset);
    }

    @Override
    public VmOperation decode(final DirectBuffer buffer, final int offset, final int length)
    {
        return VmOperation.decode(buffer, offset, length);
    }

    @Override
    public String validate(final VmOperation operation)
    {
        if (operation.domainId() <= 0)
        {
            return "domain id " + operation.domainId() + " is not positive: use an id above 0";
        }
        if (operation instanceof Create c)
        {
            return validateCreate(c);
        }
        if (operation instanceof VmOperation.Map m)
        {
            return validateMap(m);
        }
        if (operation instanceof Unmap u)
        {
            final String range = rangeProblem(u.vpage(), u.pages());
            return null != range ? range : coverageProblem(domains.get(u.domainId()), u.vpage(), u.pages(), "unmap", -1);
        }
        if (operation instanceof Protect p)
        {
            final String range = firstProblem(rangeProblem(p.vpage(), p.pages()), rightsProblem(p.rights()));
            return null != range ? range :
                coverageProblem(domains.get(p.domainId()), p.vpage(), p.pages(), "protect", p.rights());
        }
        if (operation instanceof Span s)
        {
            return validateSpan(s);
        }
        if (operation instanceof Shrink s)
        {
            return validateShrink(s);
        }
        if (operation instanceof VmOperation.Expect e)
        {
            return validateExpect(e);
        }
        if (operation instanceof VmOperation.AtVersion a)
        {
            return validateAtVersion(a);
        }
        return VALID;
    }

    private String validateAtVersion(final VmOperation.AtVersion a)
    {
        final Domain domain = domains.get(a.domainId());
        if (null == domain)
        {
            return Arrays.stream(a.cores()).noneMatch(core -> core == selfCoreId) ? VALID : "domain " + a.domainId() +
                " is no longer on core " + selfCoreId + " since the change was proposed: retry it";
        }
        if (domain.version() != a.version() || !Arrays.equals(domain.cores(), a.cores()))
        {
            return "domain " + a.domainId() + " changed since the change was proposed (version " + domain.version() +
                " on cores " + Arrays.toString(domain.cores()) + " at core " + selfCoreId + ", version " + a.version() +
                " on cores " + Arrays.toString(a.cores()) + " at the proposer): retry it";
        }
        return VALID;
    }

    private String validateExpect(final VmOperation.Expect e)
    {
        final Domain domain = domains.get(e.domainId());
        if (null == domain)
        {
            return VALID;
        }
        final java.util.TreeSet<Long> found = new java.util.TreeSet<>();
        for (final Mapping m : domain.mappingsWithin(e.vpage(), e.pages()))
        {
            found.add(m.mappingId());
        }
        final java.util.TreeSet<Long> expected = new java.util.TreeSet<>();
        for (final long id : e.mappingIds())
        {
            expected.add(id);
        }
        return found.equals(expected) ? VALID : "the mappings of domain " + e.domainId() + " in " +
            describe(e.vpage(), e.pages()) + " changed since the change was proposed: retry it";
    }

    private String validateCreate(final Create c)
    {
        final int[] cores = c.cores();
        if (cores.length < 1 || cores.length > coresMax)
        {
            return "domain " + c.domainId() + " names " + cores.length + " cores: name 1.." + coresMax + " cores";
        }
        for (int i = 0; i < cores.length; i++)
        {
            if (cores[i] < 0 || cores[i] >= coresMax)
            {
                return "core " + cores[i] + " is not a core of this cluster: core ids are 0.." + (coresMax - 1);
            }
            if (i > 0 && cores[i] <= cores[i - 1])
            {
                return "the cores of domain " + c.domainId() + " must be distinct and ascending, not " +
                    Arrays.toString(cores);
            }
        }
        if (Arrays.binarySearch(cores, selfCoreId) < 0)
        {
            return VALID;
        }
        return createHereProblem(c);
    }

    private String createHereProblem(final Create c)
    {
        if (domains.containsKey(c.domainId()))
        {
            return "domain " + c.domainId() + " already exists: choose another id";
        }
        if (domains.size() >= DOMAINS_MAX)
        {
            return "core " + selfCoreId + " already holds " + DOMAINS_MAX + " domains, the most it may: destroy one first";
        }
        final CapabilityView root = frames.lookup(c.rootVnodeCapId());
        if (null == root)
        {
            return "capability " + c.rootVnodeCapId() + " does not exist";
        }
        if (CapabilityType.VNODE != root.type())
        {
            return "capability " + c.rootVnodeCapId() + " is a " + root.type() + ", not a VNODE: a page table's root is a VNODE";
        }
        if (root.holderCore() != c.requesterCore())
        {
            return "capability " + c.rootVnodeCapId() + " is held by core " + root.holderCore() + ", not by the requesting core " +
                c.requesterCore();
        }
        for (final Domain domain : domains.values())
        {
            if (domain.rootVnodeCapId() == c.rootVnodeCapId())
            {
                return "VNODE capability " + c.rootVnodeCapId() + " is already the root of domain " + domain.domainId() +
                    ": retype another VNODE";
            }
        }
        return VALID;
    }

    private String validateMap(final VmOperation.Map m)
    {
        final String shape = firstProblem(rangeProblem(m.vpage(), m.pages()), rightsProblem(m.rights()));
        if (null != shape)
        {
            return shape;
        }
        if (m.mappingId() <= 0)
        {
            return "mapping id " + m.mappingId() + " is not positive: use an id above 0";
        }
        if (m.frameOffsetPages() < 0)
        {
            return "frame offset " + m.frameOffsetPages() + " pages is negative";
        }
        final Domain domain = domains.get(m.domainId());
        if (null == domain)
        {
            return VALID;
        }
        if (!domain.hasCore(m.requesterCore()))
        {
            return "core " + m.requesterCore() + " is not one of domain " + m.domainId() + "'s cores " +
                Arrays.toString(domain.cores()) + ": span the domain to it first";
        }
        if (domain.mappingCount() >= MAPPINGS_PER_DOMAIN_MAX)
        {
            return "domain " + m.domainId() + " already has " + MAPPINGS_PER_DOMAIN_MAX + " mappings, the most it may: unmap one first";
        }
        if (domain.hasMappingId(m.mappingId()))
        {
            return "mapping id " + m.mappingId() + " is already in use in domain " + m.domainId() + ": choose another id";
        }
        final String frame = frameProblem(m);
        if (null != frame)
        {
            return frame;
        }
        final Mapping overlap = domain.firstOverlap(m.vpage(), m.pages());
        if (null != overlap)
        {
            return "pages " + describe(m.vpage(), m.pages()) + " overlap mapping " + overlap.mappingId() + " at " +
                address(overlap.vpage()) + ": unmap it first or choose free pages";
        }
        return VALID;
    }

    private String frameProblem(final VmOperation.Map m)
    {
        final CapabilityView frame = frames.lookup(m.frameCapId());
        if (null == frame)
        {
            return "capability " + m.frameCapId() + " does not exist";
        }
        if (CapabilityType.FRAME != frame.type())
        {
            return "capability " + m.frameCapId() + " is a " + frame.type() + ", not a FRAME: only frames are mapped";
        }
        if (frame.holderCore() != m.requesterCore())
        {
            return "capability " + m.frameCapId() + " is held by core " + frame.holderCore() + ", not by the requesting core " +
                m.requesterCore();
        }
        if (!Rights.includes(frame.rights(), m.rights()))
        {
            return "frame capability " + m.frameCapId() + " has rights " + Rights.format(frame.rights()) +
                ", which do not include " + Rights.format(m.rights()) + ": map with fewer rights";
        }
        final long framePages = frame.length() / PAGE;
        if (m.frameOffsetPages() > framePages - m.pages())
        {
            return (1 == m.pages() ? "1 page" : m.pages() + " pages") + " from page " + m.frameOffsetPages() +
                " of frame " + m.frameCapId() + (1 == m.pages() ? " does" : " do") + " not fit its " + framePages +
                " pages";
        }
        preparedFrames.put(m.frameCapId(), frame);
        return VALID;
    }

    private String validateSpan(final Span s)
    {
        if (s.core() < 0 || s.core() >= coresMax)
        {
            return "core " + s.core() + " is not a core of this cluster: core ids are 0.." + (coresMax - 1);
        }
        if (s.imageLength() > DomainImage.lengthMax(coresMax))
        {
            return "the image of domain " + s.domainId() + " has " + s.imageLength() + " bytes, more than the " +
                DomainImage.lengthMax(coresMax) + " a domain's image may have";
        }
        final Domain domain = domains.get(s.domainId());
        if (null != domain)
        {
            if (domain.hasCore(s.core()))
            {
                return "core " + s.core() + " is already one of domain " + s.domainId() + "'s cores";
            }
            return Arrays.equals(DomainImage.encode(domain), s.domainImage()) ? VALID :
                "the image of domain " + s.domainId() + " differs from core " + selfCoreId + "'s replica: retry the span";
        }
        if (s.core() != selfCoreId)
        {
            return VALID;
        }
        final Domain carried;
        try
        {
            carried = DomainImage.decode(s.domainImage(), coresMax);
        }
        catch (final IllegalArgumentException ex)
        {
            return "the image of domain " + s.domainId() + " is not valid (" + ex.getMessage() + "): retry the span";
        }
        if (carried.domainId() != s.domainId() || carried.hasCore(s.core()))
        {
            return "the image carried for domain " + s.domainId() + " is of domain " + carried.domainId() + " on cores " +
                Arrays.toString(carried.cores()) + ": retry the span";
        }
        if (domains.size() >= DOMAINS_MAX)
        {
            return "core " + selfCoreId + " already holds " + DOMAINS_MAX + " domains, the most it may: destroy one first";
        }
        return VALID;
    }

    private String validateShrink(final Shrink s)
    {
        final Domain domain = domains.get(s.domainId());
        if (null == domain)
        {
            return VALID;
        }
        if (!domain.hasCore(s.core()))
        {
            return "core " + s.core() + " is not one of domain " + s.domainId() + "'s cores " + Arrays.toString(domain.cores());
        }
        return domain.coreCount() == 1 ?
            "core " + s.core() + " is domain " + s.domainId() + "'s last core: destroy the domain instead" : VALID;
    }

    private static String rangeProblem(final long vpage, final int pages)
    {
        if (pages < 1 || pages > MAP_PAGES_MAX)
        {
            return Bounds.message("pages", pages, 1, MAP_PAGES_MAX, "");
        }
        if (vpage < 0 || vpage > VIRTUAL_PAGES - pages)
        {
            return "pages " + describe(vpage, pages) + " are outside the address space of " + VIRTUAL_PAGES +
                " pages (" + address(0) + ".." + address(VIRTUAL_PAGES) + ")";
        }
        return VALID;
    }

    private static String rightsProblem(final int rights)
    {
        if (0 == rights || (rights & ~MAPPING_RIGHTS) != 0)
        {
            return 0 == rights ? "a mapping needs at least one of the rights read, write and execute, not none" :
                "mapping rights " + Rights.format(rights) + " must be a non-empty set of read, write and execute";
        }
        return VALID;
    }

    /**
     * @param rights for protect, the new rights, checked against each mapping's frame rights; -1 for unmap.
     */
    private static String coverageProblem(final Domain domain, final long vpage, final int pages, final String what,
        final int rights)
    {
        if (null == domain)
        {
            return VALID;
        }
        final long limit = vpage + pages;
        final Mapping first = domain.mappingAt(vpage);
        if (null != first && first.vpage() < vpage)
        {
            return cut(what, first);
        }
        final Mapping last = domain.mappingAt(limit - 1);
        if (null != last && last.limit() > limit)
        {
            return cut(what, last);
        }
        final Collection<Mapping> covered = domain.mappings().subMap(vpage, limit).values();
        if (covered.isEmpty())
        {
            return "no mapping of domain " + domain.domainId() + " lies in pages " + describe(vpage, pages) +
                ": nothing to " + what;
        }
        if (rights >= 0)
        {
            for (final Mapping m : covered)
            {
                if (!Rights.includes(m.frameRights(), rights))
                {
                    return "mapping " + m.mappingId() + " at " + address(m.vpage()) + " maps a frame with rights " +
                        Rights.format(m.frameRights()) + ", which do not include " + Rights.format(rights);
                }
            }
        }
        return VALID;
    }

    private static String cut(final String what, final Mapping m)
    {
        return "the range to " + what + " cuts the mapping at " + address(m.vpage()) + " (mapping " + m.mappingId() +
            ", " + m.pages() + " pages): " + what + " whole mappings";
    }

    @Override
    public Collection<?> lockKeys(final VmOperation operation)
    {
        final VmLock domain = new VmLock.DomainKey(operation.domainId());
        if (operation instanceof Create c)
        {
            return List.of(domain, new VmLock.RootKey(c.rootVnodeCapId()));
        }
        if (operation instanceof VmOperation.Map m)
        {
            return List.of(domain, new VmLock.FrameKey(m.frameCapId()));
        }
        return List.of(domain);
    }

    /**
     * @return the highest domain or mapping id made by this core (of its block of ids) that this
     *         replica ever applied, live or since unmapped or destroyed, or 0 for none; it survives a
     *         restart (snapshot and log), so the core never hands out an id twice.
     */
    public long highestOwnId()
    {
        return highestOwnId;
    }

    private void noteId(final long id)
    {
        if (id >>> VmService.ID_SEQUENCE_BITS == selfCoreId + 1L)
        {
            highestOwnId = Math.max(highestOwnId, id);
        }
    }

    @Override
    public void apply(final VmOperation operation)
    {
        noteId(operation.domainId());
        if (operation instanceof VmOperation.Map m)
        {
            noteId(m.mappingId());
        }
        if (operation instanceof Create c)
        {
            if (Arrays.binarySearch(c.cores(), selfCoreId) >= 0)
            {
                domains.put(c.domainId(), new Domain(c.domainId(), c.rootVnodeCapId(), c.cores(), 1));
            }
            return;
        }
        if (operation instanceof Span s && !domains.containsKey(s.domainId()) && s.core() == selfCoreId)
        {
            final Domain installed = DomainImage.decode(s.domainImage(), coresMax);
            installed.mappings().values().forEach(mapping -> noteId(mapping.mappingId()));
            domains.put(s.domainId(), installed);
        }
        final Domain domain = domains.get(operation.domainId());
        if (null == domain || operation instanceof VmOperation.Expect || operation instanceof VmOperation.AtVersion)
        {
            return;
        }
        if (operation instanceof VmOperation.Map m)
        {
            applyMap(domain, m);
        }
        else if (operation instanceof Unmap u)
        {
            for (final Mapping m : new ArrayList<>(domain.mappings().subMap(u.vpage(), u.vpage() + u.pages()).values()))
            {
                domain.remove(m);
            }
            translationsChanged.onChanged(u.domainId(), u.vpage(), u.pages());
        }
        else if (operation instanceof Protect p)
        {
            for (final Mapping m : new ArrayList<>(domain.mappings().subMap(p.vpage(), p.vpage() + p.pages()).values()))
            {
                domain.replace(m.withRights(p.rights()));
            }
            translationsChanged.onChanged(p.domainId(), p.vpage(), p.pages());
        }
        else if (operation instanceof Span s)
        {
            domain.cores(withCore(domain.cores(), s.core()));
        }
        else if (operation instanceof Shrink s)
        {
            if (s.core() == selfCoreId)
            {
                domains.remove(s.domainId());
                translationsChanged.onChanged(s.domainId(), 0, 0);
                return;
            }
            domain.cores(Arrays.stream(domain.cores()).filter(core -> core != s.core()).toArray());
        }
        else if (operation instanceof Destroy)
        {
            domains.remove(operation.domainId());
            translationsChanged.onChanged(operation.domainId(), 0, 0);
            return;
        }
        domain.changed();
    }

    private void applyMap(final Domain domain, final VmOperation.Map m)
    {
        CapabilityView frame = frames.lookup(m.frameCapId());
        final CapabilityView prepared = preparedFrames.remove(m.frameCapId());
        if (null == frame || CapabilityType.FRAME != frame.type())
        {
            frame = prepared;
        }
        if (null == frame)
        {
            throw new IllegalStateException("map of frame " + m.frameCapId() + " into domain " + m.domainId() +
                " applied without a frame: it was not validated on core " + selfCoreId);
        }
        domain.add(new Mapping(m.mappingId(), m.vpage(), m.pages(), m.frameCapId(), frame.base(), m.frameOffsetPages(),
            m.rights(), frame.rights()));
    }

    @Override
    public byte[] snapshot()
    {
        return DomainImage.snapshot(domains.values(), highestOwnId);
    }

    /**
     * @throws IllegalArgumentException when the bytes are not a snapshot, or hold a domain this core
     * is not one of the cores of; nothing changes then.
     */
    @Override
    public void restore(final byte[] snapshot)
    {
        final DomainImage.Snapshot decoded = DomainImage.restore(snapshot, coresMax, DOMAINS_MAX);
        final Domain[] restored = decoded.domains();
        for (final Domain domain : restored)
        {
            if (!domain.hasCore(selfCoreId))
            {
                throw new IllegalArgumentException("the address space snapshot holds domain " + domain.domainId() +
                    ", of which core " + selfCoreId + " is not one of the cores");
            }
        }
        for (final Long domainId : domains.keySet())
        {
            translationsChanged.onChanged(domainId, 0, 0);
        }
        domains.clear();
        preparedFrames.clear();
        highestOwnId = Math.max(0, decoded.highestOwnId());
        for (final Domain domain : restored)
        {
            domains.put(domain.domainId(), domain);
            noteId(domain.domainId());
            domain.mappings().values().forEach(mapping -> noteId(mapping.mappingId()));
        }
    }

    /** What says that a core holds no replica of a domain (none exists, or it runs on other cores). */
    static final String NOT_HELD_HERE = " does not run on core ";

    private String notHeld(final long domainId)
    {
        return "domain " + domainId + NOT_HELD_HERE + selfCoreId;
    }

    private static int[] withCore(final int[] cores, final int core)
    {
        final int[] more = Arrays.copyOf(cores, cores.length + 1);
        more[cores.length] = core;
        Arrays.sort(more);
        return more;
    }

    private static String firstProblem(final String first, final String second)
    {
        return null != first ? first : second;
    }

    private static String describe(final long vpage, final long pages)
    {
        return address(vpage) + ".." + address(vpage + pages);
    }

    /** @return the virtual address of page {@code vpage}, hex, signed; exact for any page, however far out. */
    static String address(final long vpage)
    {
        final java.math.BigInteger bytes = java.math.BigInteger.valueOf(vpage).multiply(java.math.BigInteger.valueOf(PAGE));
        return bytes.signum() < 0 ? "-0x" + bytes.negate().toString(16) : "0x" + bytes.toString(16);
    }
}
