package io.multikernel.node.caps;

/**
 * One capability: a reference, held by a core, to a kernel object, with rights.
 *
 * @param capId      unique in the cluster.
 * @param objectId   the object it refers to; capabilities with the same object are copies.
 * @param rights     {@link Rights} bits.
 * @param holderCore the core whose capability space holds it.
 */
public record Capability(long capId, long objectId, int rights, int holderCore)
{
}
