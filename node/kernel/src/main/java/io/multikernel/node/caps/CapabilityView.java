package io.multikernel.node.caps;

/**
 * A capability and the object it refers to, as {@code GET /caps}, {@code mk caps} and
 * {@code caps.identify} show it.
 *
 * @param capId       the capability.
 * @param objectId    its object; capabilities with one object are copies.
 * @param type        the object's type.
 * @param base        the object's first physical address.
 * @param length      the object's bytes.
 * @param rights      {@link Rights} bits.
 * @param holderCore  the core that holds the capability.
 * @param ownerCore   the core that sequences operations on the object.
 * @param parentId    the object it was retyped from, {@link KernelObject#ROOT} for a memory server's RAM.
 * @param copies      capabilities that refer to the object, this one included.
 * @param children    objects retyped directly from the object and still live.
 */
public record CapabilityView(long capId, long objectId, CapabilityType type, long base, long length, int rights,
    int holderCore, int ownerCore, long parentId, int copies, int children)
{
}
