package io.multikernel.node.vm;

/**
 * What an address space operation locks on a replica from prepare to commit; equal keys conflict.
 * Every operation on a domain locks the domain, so operations on one domain are serialized (which
 * also makes the image a {@link VmOperation.Span} carries exact); a create also locks its root VNODE,
 * a map its frame.
 */
public sealed interface VmLock
{
    /** Every operation on the domain. */
    record DomainKey(long domainId) implements VmLock
    {
        @Override
        public String toString()
        {
            return "domain " + domainId;
        }
    }

    /** The VNODE capability a create makes a domain's root. */
    record RootKey(long vnodeCapId) implements VmLock
    {
        @Override
        public String toString()
        {
            return "root VNODE capability " + vnodeCapId;
        }
    }

    /** The FRAME capability a map maps. */
    record FrameKey(long frameCapId) implements VmLock
    {
        @Override
        public String toString()
        {
            return "frame capability " + frameCapId;
        }
    }
}
