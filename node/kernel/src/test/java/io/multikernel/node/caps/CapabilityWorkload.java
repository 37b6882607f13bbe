package io.multikernel.node.caps;

import io.multikernel.node.caps.CapabilityOperation.Allocate;
import io.multikernel.node.caps.CapabilityOperation.Copy;
import io.multikernel.node.caps.CapabilityOperation.Delete;
import io.multikernel.node.caps.CapabilityOperation.Mint;
import io.multikernel.node.caps.CapabilityOperation.Retype;
import io.multikernel.node.caps.CapabilityOperation.Revoke;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import io.multikernel.replication.sim.Proposal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;

import static io.multikernel.node.caps.CapabilityType.PAGE_LENGTH_BYTES;

/**
 * What the cores of a capability simulation propose: one operation per transaction, every core a
 * participant (each holds a full replica), each core acting on the capabilities its replica says
 * it holds, with ids {@code (core + 1) << 40 | sequence} from its own counter and its replica's view.
 * A core allocates from its own memory server, retypes RAM and Frames, copies and mints to any core,
 * deletes and revokes; and on purpose it starts two races, with another core proposing its half a
 * moment later: overlapping retypes of their copies of one RAM object, and deletes of an object's
 * last two copies.
 */
final class CapabilityWorkload
{
    static final long PAGE = PAGE_LENGTH_BYTES;
    /** RANGE_PAGES: pages each core's memory server hands out. */
    static final long RANGE_PAGES = 256;
    /** RANGE_STRIDE_BYTES: core c's range starts at (c + 1) times this. */
    static final long RANGE_STRIDE_BYTES = 1L << 30;
    /** ID_SEQUENCE_BITS: low bits of an id are the core's sequence, the bits above are core + 1. */
    static final int ID_SEQUENCE_BITS = 40;
    /** ALLOCATE_PAGES_MIN..ALLOCATE_PAGES_MAX: pages of one allocation. */
    static final int ALLOCATE_PAGES_MIN = 4;
    static final int ALLOCATE_PAGES_MAX = 32;
    /** RETYPE_PAGES_MAX: pages of one retyped RAM or Frame object, at most. */
    static final int RETYPE_PAGES_MAX = 4;
    /** RETYPE_COUNT_MAX: objects of one retype, at most. */
    static final int RETYPE_COUNT_MAX = 3;
    /** PLACEMENT_ATTEMPTS: random offsets tried for a retype that overlaps no live child. */
    static final int PLACEMENT_ATTEMPTS = 4;
    /** CARELESS_PERCENT: allocations and retypes placed without looking, which validation may refuse. */
    static final int CARELESS_PERCENT = 5;
    /** MAPPING_DOMAINS: address spaces each core maps frames into. */
    static final int MAPPING_DOMAINS = 3;

    /** Transactions proposed together to race each other, and the ids of those that reached an engine. */
    static final class Race
    {
        final List<Proposal<CapabilityOperation>> members = new ArrayList<>();
        final List<TransactionId> proposed = new ArrayList<>();

        boolean isFullyProposed()
        {
            return proposed.size() == members.size();
        }
    }

    private final int cores;
    private final Map<Integer, PhysicalRange> ranges = new TreeMap<>();
    private final ParticipantSet everyone;
    private final long[] nextSequence;
    private final Map<Proposal<CapabilityOperation>, Race> races = new IdentityHashMap<>();
    private final Map<Proposal<CapabilityOperation>, Race> deletePairs = new IdentityHashMap<>();

    CapabilityWorkload(final int cores)
    {
        this.cores = cores;
        this.nextSequence = new long[cores];
        final int[] all = new int[cores];
        for (int core = 0; core < cores; core++)
        {
            all[core] = core;
            nextSequence[core] = 1;
            ranges.put(core, new PhysicalRange((core + 1) * RANGE_STRIDE_BYTES, RANGE_PAGES * PAGE));
        }
        this.everyone = ParticipantSet.of(all);
    }

    /** @return each core's memory server range. */
    Map<Integer, PhysicalRange> ranges()
    {
        return ranges;
    }

    /** @return the race of overlapping retypes the proposal is in, or null. */
    Race raceOf(final Proposal<CapabilityOperation> proposal)
    {
        return races.get(proposal);
    }

    /** @return the pair of last-copy deletes the proposal is in, or null. */
    Race deletePairOf(final Proposal<CapabilityOperation> proposal)
    {
        return deletePairs.get(proposal);
    }

    /** @return every race of overlapping retypes so far. */
    Collection<Race> races()
    {
        return new LinkedHashSet<>(races.values());
    }

    /** @return every pair of last-copy deletes so far. */
    Collection<Race> deletePairs()
    {
        return new LinkedHashSet<>(deletePairs.values());
    }

    /**
     * @return what core {@code coreId} proposes next, from its replica's view.
     */
    List<Proposal<CapabilityOperation>> next(
        final Random random, final int coreId, final CapabilityDatabase replica)
    {
        final List<Capability> held = held(replica, coreId);
        final int kind = random.nextInt(100);
        if (held.isEmpty() || kind < 12)
        {
            return one(coreId, allocate(random, coreId, replica, held));
        }
        if (kind < 32)
        {
            return one(coreId, retype(random, coreId, replica, held));
        }
        if (kind < 44)
        {
            return one(coreId, copy(random, coreId, replica, held));
        }
        if (kind < 54)
        {
            final Capability source = held.get(random.nextInt(held.size()));
            return one(coreId, new Mint(source.capId(), nextIds(coreId, replica, 1), random.nextInt(cores),
                random.nextInt(Rights.ALL + 1)));
        }
        if (kind < 66)
        {
            return one(coreId, new Delete(held.get(random.nextInt(held.size())).capId()));
        }
        if (kind < 70)
        {
            // Mostly counting the mappings its replica shows under the capability, now and then none;
            // half the time a capability that mappings map into, when the core holds one.
            long capId = held.get(random.nextInt(held.size())).capId();
            if (random.nextBoolean())
            {
                final List<Long> mapped = new ArrayList<>();
                for (final Capability capability : held)
                {
                    if (!replica.mappingsUnder(capability.capId()).isEmpty())
                    {
                        mapped.add(capability.capId());
                    }
                }
                capId = mapped.isEmpty() ? capId : mapped.get(random.nextInt(mapped.size()));
            }
            final List<MappingCapability> under = random.nextInt(4) == 0 ? List.of() : replica.mappingsUnder(capId);
            return one(coreId, new Revoke(capId, under.size(), CapabilityDatabase.digest(under)));
        }
        if (kind < 86)
        {
            return one(coreId, mapOrUnmap(random, coreId, replica, held));
        }
        if (kind < 94)
        {
            return overlappingRetypes(random, coreId, replica, held);
        }
        return deletesOfTheLastTwoCopies(random, coreId, replica, held);
    }

    /**
     * Maps pages of a held frame into one of the core's domains (ids {@code core + 1}, a few per
     * core) that has a root, giving one a root first now and then, or removes a MAPPING capability it
     * holds; falls back to an allocation.
     */
    private CapabilityOperation mapOrUnmap(
        final Random random, final int coreId, final CapabilityDatabase replica, final List<Capability> held)
    {
        final List<Capability> frames = new ArrayList<>();
        final List<Capability> mappings = new ArrayList<>();
        for (final Capability capability : held)
        {
            final CapabilityType type = replica.object(capability.objectId()).type();
            (CapabilityType.FRAME == type ? frames : CapabilityType.MAPPING == type ? mappings : new ArrayList<Capability>())
                .add(capability);
        }
        if (!mappings.isEmpty() && (frames.isEmpty() || random.nextBoolean()))
        {
            return new CapabilityOperation.Unmapped(mappings.get(random.nextInt(mappings.size())).capId());
        }
        if (frames.isEmpty())
        {
            return allocate(random, coreId, replica, held);
        }
        final Capability frame = frames.get(random.nextInt(frames.size()));
        final long framePages = replica.object(frame.objectId()).length() / PAGE;
        final long offsetPages = random.nextInt((int)framePages);
        final long pages = 1 + random.nextInt((int)(framePages - offsetPages));
        final long firstId = nextIds(coreId, replica, 2);
        // Mostly into a domain of the core that has a root; else a domain is given one first.
        final List<Long> rooted = new ArrayList<>();
        final List<Long> unrooted = new ArrayList<>();
        for (int i = 1; i <= MAPPING_DOMAINS; i++)
        {
            final long domain = ((coreId + 1L) << ID_SEQUENCE_BITS) | i;
            (replica.roots().containsValue(domain) ? rooted : unrooted).add(domain);
        }
        if (rooted.isEmpty() || (!unrooted.isEmpty() && random.nextInt(8) == 0))
        {
            return rootOf(random, coreId, replica, held, unrooted.get(random.nextInt(unrooted.size())));
        }
        final long domainId = rooted.get(random.nextInt(rooted.size()));
        // Virtual pages a few leaf tables apart, so maps share leaves and now and then need new ones.
        final long vpage = offsetPages + random.nextInt(4) * (CapabilityDatabase.LEAF_PAGES - 1);
        final int leaves = replica.missingLeaves(domainId, vpage, pages).length;
        long leafBase = 0;
        long leafFirstId = 0;
        if (leaves > 0)
        {
            final List<Long> starts = freeStarts(replica, coreId, ranges.get(coreId), leaves * PAGE);
            if (starts.isEmpty())
            {
                return allocate(random, coreId, replica, held);
            }
            leafBase = starts.get(random.nextInt(starts.size()));
            leafFirstId = nextIds(coreId, replica, CapabilityOperation.MapFrame.leafIds(leaves));
        }
        return new CapabilityOperation.MapFrame(frame.capId(), firstId, firstId + 1, offsetPages * PAGE, pages * PAGE,
            coreId, domainId, firstId, vpage, leafBase, leafFirstId, leaves);
    }

    /**
     * A map names a live domain: makes {@code domainId} the root of a VNODE the core holds, or
     * retypes one from a page of RAM, or allocates that page.
     */
    private CapabilityOperation rootOf(final Random random, final int coreId, final CapabilityDatabase replica,
        final List<Capability> held, final long domainId)
    {
        for (final Capability capability : held)
        {
            // Not a root, nor a copy of one (one page table roots one domain), nor a leaf table.
            if (CapabilityType.VNODE == replica.object(capability.objectId()).type() &&
                replica.roots().keySet().stream().noneMatch(root -> replica.capability(root).objectId() == capability.objectId()) &&
                null == replica.leafTableOf(capability.capId()))
            {
                return new CapabilityOperation.Rooted(capability.capId(), domainId);
            }
        }
        // A root of its own: a page of RAM nothing else uses, so the root keeps no frame from a revoke.
        for (final Capability capability : held)
        {
            final KernelObject object = replica.object(capability.objectId());
            if (CapabilityType.RAM == object.type() && PAGE == object.length() && replica.children(object.objectId()).isEmpty())
            {
                return new Retype(capability.capId(), 0, CapabilityType.VNODE, PAGE, 1, nextIds(coreId, replica, 1),
                    nextIds(coreId, replica, 1), coreId);
            }
        }
        final List<Long> starts = freeStarts(replica, coreId, ranges.get(coreId), PAGE);
        return starts.isEmpty() ? allocate(random, coreId, replica, held) : new Allocate(coreId,
            starts.get(random.nextInt(starts.size())), PAGE, nextIds(coreId, replica, 1), nextIds(coreId, replica, 1), coreId);
    }

    private List<Proposal<CapabilityOperation>> one(final int coreId, final CapabilityOperation operation)
    {
        return List.of(new Proposal<>(coreId, everyone, List.of(operation)));
    }

    private static List<Capability> held(final CapabilityDatabase replica, final int coreId)
    {
        final List<Capability> held = new ArrayList<>();
        for (final Capability capability : replica.capabilities().values())
        {
            if (capability.holderCore() == coreId)
            {
                held.add(capability);
            }
        }
        return held;
    }

    /**
     * @return the first of {@code count} fresh ids of the core: past its counter and past every id
     * of the core its replica shows.
     */
    private long nextIds(final int coreId, final CapabilityDatabase replica, final int count)
    {
        final long prefix = (coreId + 1L) << ID_SEQUENCE_BITS;
        final long limit = prefix + (1L << ID_SEQUENCE_BITS);
        long next = nextSequence[coreId];
        next = Math.max(next, highestSequence(replica.capabilities(), prefix, limit) + 1);
        next = Math.max(next, highestSequence(replica.objects(), prefix, limit) + 1);
        nextSequence[coreId] = next + count;
        return prefix | next;
    }

    private static long highestSequence(final NavigableMap<Long, ?> byId, final long prefix, final long limit)
    {
        final Long highest = byId.lowerKey(limit);
        return null == highest || highest < prefix ? 0 : highest - prefix;
    }

    /** RAM from the core's own memory server, in a gap its replica shows (now and then anywhere). */
    private CapabilityOperation allocate(
        final Random random, final int coreId, final CapabilityDatabase replica, final List<Capability> held)
    {
        final PhysicalRange range = ranges.get(coreId);
        final long length = PAGE * (ALLOCATE_PAGES_MIN + random.nextInt(ALLOCATE_PAGES_MAX - ALLOCATE_PAGES_MIN + 1));
        long base = range.base() + PAGE * random.nextInt((int)((range.length() - length) / PAGE) + 1);
        if (random.nextInt(100) >= CARELESS_PERCENT)
        {
            final List<Long> starts = freeStarts(replica, coreId, range, length);
            if (starts.isEmpty())
            {
                return held.isEmpty() ? new Allocate(coreId, base, length, nextIds(coreId, replica, 1),
                    nextIds(coreId, replica, 1), coreId) : new Delete(held.get(random.nextInt(held.size())).capId());
            }
            base = starts.get(random.nextInt(starts.size()));
        }
        return new Allocate(coreId, base, length, nextIds(coreId, replica, 1), nextIds(coreId, replica, 1), coreId);
    }

    /** @return page-aligned bases where {@code length} bytes overlap no RAM the server handed out. */
    private static List<Long> freeStarts(
        final CapabilityDatabase replica, final int coreId, final PhysicalRange range, final long length)
    {
        final TreeMap<Long, Long> roots = new TreeMap<>();
        for (final KernelObject object : replica.objects().values())
        {
            if (KernelObject.ROOT == object.parentId() && object.ownerCore() == coreId)
            {
                roots.put(object.base(), object.limit());
            }
        }
        final List<Long> starts = new ArrayList<>();
        long gapBase = range.base();
        for (final Map.Entry<Long, Long> root : roots.entrySet())
        {
            addStarts(starts, gapBase, root.getKey(), length);
            gapBase = Math.max(gapBase, root.getValue());
        }
        addStarts(starts, gapBase, range.base() + range.length(), length);
        return starts;
    }

    private static void addStarts(final List<Long> starts, final long gapBase, final long gapLimit, final long length)
    {
        for (long base = gapBase; base + length <= gapLimit; base += length)
        {
            starts.add(base);
        }
    }

    private CapabilityOperation retype(
        final Random random, final int coreId, final CapabilityDatabase replica, final List<Capability> held)
    {
        final List<Capability> sources = new ArrayList<>();
        for (final Capability capability : held)
        {
            if (!replica.object(capability.objectId()).type().retypeTargets().isEmpty())
            {
                sources.add(capability);
            }
        }
        if (sources.isEmpty())
        {
            return copy(random, coreId, replica, held);
        }
        final Capability source = sources.get(random.nextInt(sources.size()));
        final KernelObject object = replica.object(source.objectId());
        final CapabilityType type = randomTarget(random, object.type());
        final long objectLength = randomLength(random, type);
        final int count = 1 + random.nextInt(RETYPE_COUNT_MAX);
        final long offset = placeRetype(random, replica, object, objectLength * count);
        return new Retype(source.capId(), offset, type, objectLength, count, nextIds(coreId, replica, count),
            nextIds(coreId, replica, count), coreId);
    }

    private static CapabilityType randomTarget(final Random random, final CapabilityType sourceType)
    {
        final List<CapabilityType> targets = List.copyOf(sourceType.retypeTargets());
        return targets.get(random.nextInt(targets.size()));
    }

    private static long randomLength(final Random random, final CapabilityType type)
    {
        if (CapabilityType.CNODE == type)
        {
            return CapabilityType.CNODE_LENGTH_BYTES;
        }
        return CapabilityType.VNODE == type ? PAGE : PAGE * (1 + random.nextInt(RETYPE_PAGES_MAX));
    }

    /**
     * @return a page-aligned offset for {@code total} bytes inside the object, over no live child the
     * replica shows when one of a few tries finds such a place (or now and then, without looking).
     */
    private static long placeRetype(
        final Random random, final CapabilityDatabase replica, final KernelObject object, final long total)
    {
        final long slots = Math.max(1, (object.length() - total) / PAGE + 1);
        final boolean careless = random.nextInt(100) < CARELESS_PERCENT;
        long offset = 0;
        for (int attempt = 0; attempt < PLACEMENT_ATTEMPTS; attempt++)
        {
            offset = PAGE * (long)random.nextInt((int)Math.min(Integer.MAX_VALUE, slots));
            if (careless || !overlapsChild(replica, object, object.base() + offset, total))
            {
                return offset;
            }
        }
        return offset;
    }

    private static boolean overlapsChild(
        final CapabilityDatabase replica, final KernelObject object, final long base, final long length)
    {
        for (final long childId : replica.children(object.objectId()))
        {
            if (replica.object(childId).overlaps(base, length))
            {
                return true;
            }
        }
        return false;
    }

    /** Mostly RAM to another core, so that the races below find copies to race with. */
    private CapabilityOperation copy(
        final Random random, final int coreId, final CapabilityDatabase replica, final List<Capability> held)
    {
        final List<Capability> ram = new ArrayList<>();
        for (final Capability capability : held)
        {
            if (CapabilityType.RAM == replica.object(capability.objectId()).type())
            {
                ram.add(capability);
            }
        }
        final List<Capability> from = ram.isEmpty() || random.nextInt(10) < 3 ? held : ram;
        final Capability source = from.get(random.nextInt(from.size()));
        return new Copy(source.capId(), nextIds(coreId, replica, 1), random.nextInt(cores));
    }

    /**
     * Two cores each holding a copy of one RAM object retype overlapping ranges of it at about the
     * same time: Barrelfish's window. With no such pair yet, one is made: a copy to another core.
     */
    private List<Proposal<CapabilityOperation>> overlappingRetypes(
        final Random random, final int coreId, final CapabilityDatabase replica, final List<Capability> held)
    {
        final List<Capability[]> pairs = new ArrayList<>();
        for (final Capability mine : held)
        {
            final KernelObject object = replica.object(mine.objectId());
            if (CapabilityType.RAM != object.type())
            {
                continue;
            }
            for (final long copyId : replica.copies(object.objectId()))
            {
                final Capability other = replica.capability(copyId);
                if (other.holderCore() != coreId)
                {
                    pairs.add(new Capability[]{ mine, other });
                }
            }
        }
        if (pairs.isEmpty())
        {
            return one(coreId, copyToAnotherCore(random, coreId, replica, held));
        }
        final Capability[] pair = pairs.get(random.nextInt(pairs.size()));
        final KernelObject object = replica.object(pair[0].objectId());
        final CapabilityType firstType = randomTarget(random, CapabilityType.RAM);
        final long firstLength = randomLength(random, firstType);
        final long firstOffset = placeRetype(random, replica, object, firstLength);
        final CapabilityType secondType = randomTarget(random, CapabilityType.RAM);
        final long secondLength = randomLength(random, secondType);
        final long low = Math.max(0, firstOffset - secondLength + PAGE);
        final long high = Math.min(object.length() - secondLength, firstOffset + firstLength - PAGE);
        final long secondOffset = low > high ? firstOffset : low + PAGE * random.nextInt((int)((high - low) / PAGE) + 1);
        final int other = pair[1].holderCore();
        final Race race = new Race();
        race.members.add(new Proposal<>(coreId, everyone, List.of(new Retype(pair[0].capId(), firstOffset, firstType,
            firstLength, 1, nextIds(coreId, replica, 1), nextIds(coreId, replica, 1), coreId))));
        race.members.add(new Proposal<>(other, everyone, List.of(new Retype(pair[1].capId(), secondOffset, secondType,
            secondLength, 1, nextIds(other, replica, 1), nextIds(other, replica, 1), other))));
        race.members.forEach((member) -> races.put(member, race));
        return race.members;
    }

    private CapabilityOperation copyToAnotherCore(
        final Random random, final int coreId, final CapabilityDatabase replica, final List<Capability> held)
    {
        final Capability source = held.get(random.nextInt(held.size()));
        final int other = (coreId + 1 + random.nextInt(cores - 1)) % cores;
        return new Copy(source.capId(), nextIds(coreId, replica, 1), other);
    }

    /**
     * The holders of an object's last two copies delete them at about the same time: its memory must
     * go back once. With no such object yet, one is made: a copy to another core.
     */
    private List<Proposal<CapabilityOperation>> deletesOfTheLastTwoCopies(
        final Random random, final int coreId, final CapabilityDatabase replica, final List<Capability> held)
    {
        final List<Capability[]> pairs = new ArrayList<>();
        for (final Capability mine : held)
        {
            if (replica.copies(mine.objectId()).size() == 2 && replica.children(mine.objectId()).isEmpty())
            {
                for (final long copyId : replica.copies(mine.objectId()))
                {
                    if (copyId != mine.capId())
                    {
                        pairs.add(new Capability[]{ mine, replica.capability(copyId) });
                    }
                }
            }
        }
        if (pairs.isEmpty())
        {
            return one(coreId, copyToAnotherCore(random, coreId, replica, held));
        }
        final Capability[] pair = pairs.get(random.nextInt(pairs.size()));
        final Race deletes = new Race();
        deletes.members.add(new Proposal<>(coreId, everyone, List.of(new Delete(pair[0].capId()))));
        deletes.members.add(new Proposal<>(pair[1].holderCore(), everyone, List.of(new Delete(pair[1].capId()))));
        deletes.members.forEach((member) -> deletePairs.put(member, deletes));
        return deletes.members;
    }
}
