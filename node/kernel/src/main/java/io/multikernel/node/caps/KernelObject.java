package io.multikernel.node.caps;

/**
 * A kernel object: typed memory that capabilities refer to. Copies of a capability refer to the same
 * object; retype makes new objects whose parent is the source's object.
 *
 * @param objectId  unique in the cluster.
 * @param type      what the memory is.
 * @param base      physical address of its first byte.
 * @param length    bytes.
 * @param parentId  the object it was retyped from; {@link #ROOT} for RAM from a memory server.
 * @param ownerCore the core that sequences operations on it: the memory server's core for RAM it
 *                  hands out, the requesting core for retyped objects.
 */
public record KernelObject(long objectId, CapabilityType type, long base, long length, long parentId, int ownerCore)
{
    /** Parent id of memory a memory server handed out. */
    public static final long ROOT = 0;

    /** @return the first address past the object. */
    public long limit()
    {
        return base + length;
    }

    /**
     * @param otherBase   first byte of a range.
     * @param otherLength its length.
     * @return true when the ranges share a byte.
     */
    public boolean overlaps(final long otherBase, final long otherLength)
    {
        return base < otherBase + otherLength && otherBase < base + length;
    }
}
