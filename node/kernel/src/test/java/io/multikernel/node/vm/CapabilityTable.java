package io.multikernel.node.vm;

import io.multikernel.node.caps.CapabilityType;
import io.multikernel.node.caps.CapabilityView;

import java.util.HashMap;
import java.util.Map;

/** A capability replica for tests: the frames and VNODEs address spaces look up. */
final class CapabilityTable implements FrameLookup
{
    static final long PAGE = CapabilityType.PAGE_LENGTH_BYTES;

    private final Map<Long, CapabilityView> views = new HashMap<>();

    @Override
    public CapabilityView lookup(final long capId)
    {
        return views.get(capId);
    }

    CapabilityTable frame(final long capId, final long base, final long pages, final int rights, final int holderCore)
    {
        return put(capId, CapabilityType.FRAME, base, pages * PAGE, rights, holderCore);
    }

    CapabilityTable vnode(final long capId, final int holderCore)
    {
        return put(capId, CapabilityType.VNODE, 0x100000L * capId, PAGE, io.multikernel.node.caps.Rights.ALL, holderCore);
    }

    CapabilityTable put(final long capId, final CapabilityType type, final long base, final long length, final int rights,
        final int holderCore)
    {
        views.put(capId, new CapabilityView(capId, capId, type, base, length, rights, holderCore, holderCore, 0, 1, 0));
        return this;
    }

    void remove(final long capId)
    {
        views.remove(capId);
    }
}
