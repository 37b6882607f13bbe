package io.multikernel.node.caps;

/**
 * What a MAPPING capability maps: which frame capability made it, and where it sits in which
 * address space. The capability database keeps one per MAPPING capability, so a core that does not
 * run the domain still knows what a revoke or a delete of the frame would take away.
 *
 * @param capId      the MAPPING capability.
 * @param frameCapId the FRAME capability the map named; it is neither deleted nor revoked away while
 *                   the mapping lives.
 * @param domainId   the address space.
 * @param mappingId  the mapping's id in that address space's page table.
 * @param vpage      its first virtual page.
 */
public record MappingCapability(long capId, long frameCapId, long domainId, long mappingId, long vpage)
{
}
