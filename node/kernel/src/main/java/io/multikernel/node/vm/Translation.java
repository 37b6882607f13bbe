package io.multikernel.node.vm;

/**
 * Where one virtual page of a domain lives, as {@link AddressSpaces#translate} answers and a
 * {@link Tlb} caches it.
 *
 * @param domainId         the domain.
 * @param vpage            the virtual page.
 * @param physicalAddress  the page's first physical address, bytes.
 * @param rights           {@link io.multikernel.node.caps.Rights} bits the mapping allows.
 * @param mappingId        the mapping that holds the page.
 * @param frameCapId       the FRAME capability mapped.
 * @param frameOffsetBytes the page's offset inside the frame, bytes.
 */
public record Translation(long domainId, long vpage, long physicalAddress, int rights, long mappingId, long frameCapId,
    long frameOffsetBytes)
{
}
