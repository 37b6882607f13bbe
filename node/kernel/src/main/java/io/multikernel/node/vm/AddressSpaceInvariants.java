package io.multikernel.node.vm;

import io.multikernel.node.caps.CapabilityDatabase;
import io.multikernel.node.caps.LeafTable;
import io.multikernel.node.caps.Rights;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks the structural invariants of an {@link AddressSpaces} replica, for tests and for an
 * operator's consistency check. Each violation is one sentence naming the domain and mapping.
 * <ol>
 *   <li>this core is one of every held domain's cores, which are distinct, ascending and below
 *   {@code coresMax}; at most {@link AddressSpaces#DOMAINS_MAX} domains;</li>
 *   <li>every mapping lies inside the address space, is keyed by its first page, overlaps no other,
 *   has a unique id and at most {@link AddressSpaces#MAP_PAGES_MAX} pages; at most
 *   {@link AddressSpaces#MAPPINGS_PER_DOMAIN_MAX} mappings;</li>
 *   <li>a mapping's rights are a non-empty subset of read, write, execute and of its frame's rights;</li>
 *   <li>the leaf tables hold exactly the mapped pages, and (checked against the core's capability
 *   database) they are the domain's leaf page tables there, VNODE capabilities, with the same counts.</li>
 * </ol>
 */
public final class AddressSpaceInvariants
{
    private AddressSpaceInvariants()
    {
    }

    /**
     * @param spaces what to check.
     * @return the violations; empty when every invariant holds.
     */
    public static List<String> violations(final AddressSpaces spaces)
    {
        final List<String> violations = new ArrayList<>();
        if (spaces.domains().size() > AddressSpaces.DOMAINS_MAX)
        {
            violations.add("core " + spaces.selfCoreId() + " holds " + spaces.domains().size() + " domains");
        }
        for (final Domain domain : spaces.domains())
        {
            checkCores(spaces, domain, violations);
            checkMappings(domain, violations);
        }
        return violations;
    }

    /**
     * @param spaces   what to check.
     * @param database the same core's capability database, which holds the leaf tables' VNODEs.
     * @return the violations of {@link #violations(AddressSpaces)}, and leaf tables that differ from the database's.
     */
    public static List<String> violations(final AddressSpaces spaces, final CapabilityDatabase database)
    {
        final List<String> violations = violations(spaces);
        for (final Domain domain : spaces.domains())
        {
            final Map<Long, LeafTable> leaves = database.leafTables(domain.domainId());
            if (leaves.size() != domain.leafTables())
            {
                violations.add("domain " + domain.domainId() + " has " + domain.leafTables() + " leaf tables on core " +
                    spaces.selfCoreId() + " and " + leaves.size() + " leaf page table VNODEs in its capability database");
            }
            for (final LeafTable leaf : leaves.values())
            {
                if (domain.leafPages(leaf.leaf()) != leaf.pages())
                {
                    violations.add("leaf " + leaf.leaf() + " of domain " + domain.domainId() + " maps " +
                        domain.leafPages(leaf.leaf()) + " pages on core " + spaces.selfCoreId() + " and " + leaf.pages() +
                        " in its VNODE capability " + leaf.vnodeCapId());
                }
            }
        }
        return violations;
    }

    private static void checkCores(final AddressSpaces spaces, final Domain domain, final List<String> violations)
    {
        final int[] cores = domain.cores();
        if (!domain.hasCore(spaces.selfCoreId()))
        {
            violations.add("core " + spaces.selfCoreId() + " holds domain " + domain.domainId() + " but is not one of its cores");
        }
        for (int i = 0; i < cores.length; i++)
        {
            if (cores[i] < 0 || cores[i] >= spaces.coresMax() || (i > 0 && cores[i] <= cores[i - 1]))
            {
                violations.add("domain " + domain.domainId() + "'s cores are not distinct, ascending and in range");
                return;
            }
        }
    }

    private static void checkMappings(final Domain domain, final List<String> violations)
    {
        if (domain.mappingCount() > AddressSpaces.MAPPINGS_PER_DOMAIN_MAX)
        {
            violations.add("domain " + domain.domainId() + " has " + domain.mappingCount() + " mappings");
        }
        final Set<Long> ids = new HashSet<>();
        final TreeMap<Long, Long> leaves = new TreeMap<>();
        Mapping previous = null;
        for (final Map.Entry<Long, Mapping> entry : domain.mappings().entrySet())
        {
            final Mapping m = entry.getValue();
            final String name = "mapping " + m.mappingId() + " of domain " + domain.domainId();
            final String problem = DomainImage.mappingProblem(m);
            if (null != problem)
            {
                violations.add(name + ": " + problem);
            }
            if (entry.getKey() != m.vpage())
            {
                violations.add(name + " is filed under page " + entry.getKey() + ", not its first page " + m.vpage());
            }
            if (!Rights.includes(m.frameRights(), m.rights()))
            {
                violations.add(name + " has rights beyond its frame's");
            }
            if (null != previous && previous.limit() > m.vpage())
            {
                violations.add(name + " overlaps mapping " + previous.mappingId());
            }
            if (!ids.add(m.mappingId()))
            {
                violations.add(name + " repeats its id");
            }
            LeafTable.forEachLeaf(m.vpage(), m.pages(), (leaf, pages) -> leaves.merge(leaf, pages, Long::sum));
            previous = m;
        }
        if (leaves.size() != domain.leafTables())
        {
            violations.add("domain " + domain.domainId() + " has " + domain.leafTables() + " leaf tables, not " + leaves.size());
        }
        leaves.forEach((leaf, pages) ->
        {
            if (domain.leafPages(leaf) != pages)
            {
                violations.add("leaf table " + leaf + " of domain " + domain.domainId() + " counts " +
                    domain.leafPages(leaf) + " pages, not " + pages);
            }
        });
    }
}
