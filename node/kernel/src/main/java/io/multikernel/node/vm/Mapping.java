package io.multikernel.node.vm;

import io.multikernel.node.caps.CapabilityType;

/**
 * One mapping of a domain: {@code pages} pages of a frame at virtual page {@code vpage}.
 *
 * @param mappingId        chosen by the requesting core, unique in the domain.
 * @param vpage            first virtual page.
 * @param pages            pages mapped.
 * @param frameCapId       the FRAME capability mapped.
 * @param frameBase        the frame's first physical address, bytes, as recorded at map time.
 * @param frameOffsetPages pages into the frame where the mapping starts.
 * @param rights           {@link io.multikernel.node.caps.Rights} bits the mapping allows.
 * @param frameRights      the frame capability's rights at map time: {@code rights} stays inside them.
 */
public record Mapping(long mappingId, long vpage, int pages, long frameCapId, long frameBase, long frameOffsetPages,
    int rights, int frameRights)
{
    /** @return the first virtual page after the mapping. */
    public long limit()
    {
        return vpage + pages;
    }

    /** @return true when the mapping holds virtual page {@code page}. */
    public boolean contains(final long page)
    {
        return page >= vpage && page < vpage + pages;
    }

    /** @return the physical address of virtual page {@code page}, which the mapping holds. */
    public long physicalAddress(final long page)
    {
        return frameBase + frameOffsetBytes(page);
    }

    /** @return the offset of virtual page {@code page}, which the mapping holds, inside the frame, bytes. */
    public long frameOffsetBytes(final long page)
    {
        return (frameOffsetPages + page - vpage) * CapabilityType.PAGE_LENGTH_BYTES;
    }

    Mapping withRights(final int newRights)
    {
        return new Mapping(mappingId, vpage, pages, frameCapId, frameBase, frameOffsetPages, newRights, frameRights);
    }
}
