package io.multikernel.node.caps;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks the structural invariants of a {@link CapabilityDatabase}, for tests and for an operator's
 * consistency check. Each violation is one sentence naming the ids involved.
 * <ol>
 *   <li>every capability refers to a live object, and every live object has a capability;</li>
 *   <li>a retyped object lies inside its live parent, and its type may be retyped from the parent's;</li>
 *   <li>two live objects whose ranges overlap are the same object or one descends from the other;</li>
 *   <li>a memory server's RAM lies inside that server's range;</li>
 *   <li>a MAPPING object lies inside the FRAME it was made from, has exactly one capability, and that
 *   capability has a mapping record naming a live FRAME capability of the same object (MAPPING
 *   objects own no memory, so invariant 3 leaves them out);</li>
 *   <li>every domain's page-table root is a live VNODE capability;</li>
 *   <li>every leaf page table is a live VNODE capability retyped from RAM that holds leaf tables
 *   only, and maps exactly the pages the domain's mappings put in its range, at least one; every
 *   mapped page lies in a leaf table.</li>
 * </ol>
 */
public final class CapabilityInvariants
{
    private CapabilityInvariants()
    {
    }

    /**
     * @param database what to check.
     * @return the violations; empty when every invariant holds.
     */
    public static List<String> violations(final CapabilityDatabase database)
    {
        final List<String> violations = new ArrayList<>();
        final Map<Long, KernelObject> objects = database.objects();
        for (final Capability capability : database.capabilities().values())
        {
            if (!objects.containsKey(capability.objectId()))
            {
                violations.add("capability " + capability.capId() + " refers to missing object " + capability.objectId());
            }
            if (!Rights.valid(capability.rights()))
            {
                violations.add("capability " + capability.capId() + " has rights bits " + capability.rights());
            }
        }
        for (final KernelObject object : objects.values())
        {
            if (database.copies(object.objectId()).isEmpty())
            {
                violations.add("object " + object.objectId() + " is live with no capability");
            }
            checkPlacement(database, object, violations);
        }
        checkMappings(database, violations);
        database.roots().forEach((capId, domainId) ->
        {
            final Capability vnode = database.capability(capId);
            if (null == vnode || CapabilityType.VNODE != objects.get(vnode.objectId()).type())
            {
                violations.add("domain " + domainId + "'s root " + capId + " is not a live VNODE capability");
            }
        });
        checkLeaves(database, violations);
        final List<KernelObject> all = objects.values().stream()
            .filter(object -> CapabilityType.MAPPING != object.type()).toList();
        for (int i = 0; i < all.size(); i++)
        {
            for (int j = i + 1; j < all.size(); j++)
            {
                final KernelObject a = all.get(i);
                final KernelObject b = all.get(j);
                if (a.overlaps(b.base(), b.length()) && !descends(database, a, b) && !descends(database, b, a))
                {
                    violations.add("objects " + a.objectId() + " and " + b.objectId() +
                        " overlap but neither descends from the other");
                }
            }
        }
        return violations;
    }

    private static void checkPlacement(final CapabilityDatabase database, final KernelObject object,
        final List<String> violations)
    {
        if (KernelObject.ROOT == object.parentId())
        {
            final PhysicalRange range = database.serverRanges().get(object.ownerCore());
            if (CapabilityType.RAM != object.type() || null == range || !range.contains(object.base(), object.length()))
            {
                violations.add("root object " + object.objectId() + " is not RAM inside memory server " +
                    object.ownerCore() + "'s range");
            }
            return;
        }
        final KernelObject parent = database.object(object.parentId());
        if (null == parent)
        {
            violations.add("object " + object.objectId() + " outlives its parent " + object.parentId());
            return;
        }
        if (object.base() < parent.base() || object.limit() > parent.limit())
        {
            violations.add("object " + object.objectId() + " lies outside its parent " + parent.objectId());
        }
        final boolean mappedFrame = CapabilityType.MAPPING == object.type() && CapabilityType.FRAME == parent.type();
        if (!mappedFrame && !parent.type().retypeTargets().contains(object.type()))
        {
            violations.add("object " + object.objectId() + " is a " + object.type() + " made from a " + parent.type());
        }
    }

    private static void checkMappings(final CapabilityDatabase database, final List<String> violations)
    {
        for (final KernelObject object : database.objects().values())
        {
            if (CapabilityType.MAPPING != object.type())
            {
                continue;
            }
            final java.util.Set<Long> copies = database.copies(object.objectId());
            if (copies.size() != 1 || !database.mappingCapabilities().containsKey(copies.iterator().next()))
            {
                violations.add("MAPPING object " + object.objectId() + " has capabilities " + copies +
                    ", not one with a mapping record");
            }
        }
        for (final MappingCapability mapping : database.mappingCapabilities().values())
        {
            final Capability capability = database.capability(mapping.capId());
            final Capability frame = database.capability(mapping.frameCapId());
            final KernelObject object = null == capability ? null : database.object(capability.objectId());
            if (null == object || CapabilityType.MAPPING != object.type() || null == frame ||
                frame.objectId() != object.parentId())
            {
                violations.add("mapping record of capability " + mapping.capId() + " does not name a MAPPING " +
                    "capability made from its live frame capability " + mapping.frameCapId());
            }
            else if (!Long.valueOf(mapping.capId()).equals(
                database.mappingCapabilityOf(mapping.domainId(), mapping.mappingId())))
            {
                violations.add("mapping " + mapping.mappingId() + " of domain " + mapping.domainId() +
                    " is not indexed to its MAPPING capability " + mapping.capId());
            }
        }
    }

    private static void checkLeaves(final CapabilityDatabase database, final List<String> violations)
    {
        final Map<Long, Map<Long, Long>> counted = new java.util.TreeMap<>();
        for (final MappingCapability mapping : database.mappingCapabilities().values())
        {
            final Capability capability = database.capability(mapping.capId());
            final KernelObject object = null == capability ? null : database.object(capability.objectId());
            if (null == object)
            {
                continue;
            }
            final Map<Long, Long> ofDomain = counted.computeIfAbsent(mapping.domainId(), d -> new java.util.TreeMap<>());
            LeafTable.forEachLeaf(mapping.vpage(), object.length() / CapabilityType.PAGE_LENGTH_BYTES,
                (leaf, pages) -> ofDomain.merge(leaf, pages, Long::sum));
        }
        final java.util.Set<Long> domains = new java.util.TreeSet<>(counted.keySet());
        domains.addAll(database.domainsWithLeafTables());
        for (final long domain : domains)
        {
            final Map<Long, Long> pages = counted.getOrDefault(domain, Map.of());
            final Map<Long, LeafTable> leaves = database.leafTables(domain);
            pages.forEach((leaf, mapped) ->
            {
                final LeafTable table = leaves.get(leaf);
                if (null == table || table.pages() != mapped)
                {
                    violations.add("leaf " + leaf + " of domain " + domain + " has " + mapped + " mapped pages but " +
                        (null == table ? "no leaf page table" : "its leaf page table counts " + table.pages()));
                }
            });
            for (final LeafTable table : leaves.values())
            {
                if (!pages.containsKey(table.leaf()))
                {
                    violations.add("leaf page table " + table.leaf() + " of domain " + domain + " maps no page");
                }
                final Capability vnode = database.capability(table.vnodeCapId());
                final KernelObject object = null == vnode ? null : database.object(vnode.objectId());
                final KernelObject ram = null == object ? null : database.object(object.parentId());
                if (!table.equals(database.leafTableOf(table.vnodeCapId())) || database.roots().containsKey(table.vnodeCapId()))
                {
                    violations.add("leaf page table " + table.leaf() + " of domain " + domain + " is not indexed by its " +
                        "VNODE capability " + table.vnodeCapId() + ", or that is also a root");
                }
                if (null == ram || CapabilityType.VNODE != object.type() || CapabilityType.RAM != ram.type() ||
                    KernelObject.ROOT != ram.parentId() || database.copies(ram.objectId()).size() != 1 ||
                    database.copies(object.objectId()).size() != 1 ||
                    database.children(ram.objectId()).stream().anyMatch(child -> database.copies(child).stream()
                        .noneMatch(copy -> null != database.leafTableOf(copy))))
                {
                    violations.add("leaf page table " + table.leaf() + " of domain " + domain + " is capability " +
                        table.vnodeCapId() + ", not the one capability of a VNODE retyped from a memory server's RAM " +
                        "(one capability) of leaf tables only");
                }
            }
        }
    }

    /** @return true when {@code descendant} is a strict descendant of {@code ancestor}. */
    private static boolean descends(final CapabilityDatabase database, final KernelObject ancestor,
        final KernelObject descendant)
    {
        long parentId = descendant.parentId();
        while (KernelObject.ROOT != parentId)
        {
            if (parentId == ancestor.objectId())
            {
                return true;
            }
            final KernelObject parent = database.object(parentId);
            if (null == parent)
            {
                return false;
            }
            parentId = parent.parentId();
        }
        return false;
    }
}
