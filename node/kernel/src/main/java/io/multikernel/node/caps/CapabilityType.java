package io.multikernel.node.caps;

import java.util.EnumSet;
import java.util.Set;

/**
 * Types of kernel objects and the retype graph between them.
 *
 * <pre>
 *   memory server ──allocate──> RAM ──retype──> RAM     (split)
 *                                  ├──retype──> FRAME ──retype──> FRAME (sub-frames)
 *                                  ├──retype──> CNODE   (exactly {@link #CNODE_LENGTH_BYTES})
 *                                  └──retype──> VNODE   (one page-table level, exactly {@link #PAGE_LENGTH_BYTES})
 *   MAPPING: made only by map (a Frame into a VNode), never by retype
 * </pre>
 */
public enum CapabilityType
{
    /** Untyped physical memory, handed out by a core's memory server. */
    RAM,
    /** Mappable memory whose bytes apps read and write. */
    FRAME,
    /** Slots of a domain's capability space: 256 slots of 64 bytes. */
    CNODE,
    /** One page-table level. */
    VNODE,
    /** A Frame mapped into a VNode; made by map only. */
    MAPPING;

    /** PAGE_LENGTH_BYTES: the unit of alignment and size of every memory object. */
    public static final long PAGE_LENGTH_BYTES = 4096;
    /** CNODE_LENGTH_BYTES: a CNode's fixed size (256 slots of 64 bytes). */
    public static final long CNODE_LENGTH_BYTES = 16 * 1024;

    /**
     * @return the types a capability of this type may be retyped into.
     */
    public Set<CapabilityType> retypeTargets()
    {
        return switch (this)
        {
            case RAM -> EnumSet.of(RAM, FRAME, CNODE, VNODE);
            case FRAME -> EnumSet.of(FRAME);
            case CNODE, VNODE, MAPPING -> EnumSet.noneOf(CapabilityType.class);
        };
    }

    /**
     * @param objectLength a proposed object size, bytes.
     * @return null when objects of this type may have that size, else one sentence why not.
     */
    public String sizeProblem(final long objectLength)
    {
        return switch (this)
        {
            case RAM, FRAME -> objectLength <= 0 || objectLength % PAGE_LENGTH_BYTES != 0 ?
                "object size " + objectLength + " of a " + this + " is not a positive multiple of the page size " +
                PAGE_LENGTH_BYTES : null;
            case CNODE -> objectLength != CNODE_LENGTH_BYTES ?
                "a CNODE is exactly " + CNODE_LENGTH_BYTES + " bytes, not " + objectLength : null;
            case VNODE -> objectLength != PAGE_LENGTH_BYTES ?
                "a VNODE is exactly " + PAGE_LENGTH_BYTES + " bytes, not " + objectLength : null;
            case MAPPING -> "a MAPPING is made by map, not by retype";
        };
    }
}
