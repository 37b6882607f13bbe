package io.multikernel.node.vm;

import io.multikernel.node.caps.CapabilityView;

/**
 * How {@link AddressSpaces} sees the capability database of its core: the capabilities a create's
 * root and a map's frame name.
 */
@FunctionalInterface
public interface FrameLookup
{
    /**
     * @param capId a capability id.
     * @return the capability, or null when it does not exist.
     */
    CapabilityView lookup(long capId);
}
