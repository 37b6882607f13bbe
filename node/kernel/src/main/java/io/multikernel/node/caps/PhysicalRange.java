package io.multikernel.node.caps;

/**
 * The part of its host's physical memory a core's memory server hands out.
 *
 * @param base   first physical address.
 * @param length bytes.
 */
public record PhysicalRange(long base, long length)
{
    public PhysicalRange
    {
        if (base < 0 || length <= 0 || base % CapabilityType.PAGE_LENGTH_BYTES != 0 ||
            length % CapabilityType.PAGE_LENGTH_BYTES != 0 || base + length < base)
        {
            throw new IllegalArgumentException("physical range base=" + base + " length=" + length +
                " is not a page-aligned, positive range of at least one page of " + CapabilityType.PAGE_LENGTH_BYTES +
                " bytes");
        }
    }

    /** @return true when {@code [otherBase, otherBase + otherLength)} lies inside this range. */
    public boolean contains(final long otherBase, final long otherLength)
    {
        return otherBase >= base && otherLength >= 0 && otherBase - base <= length - otherLength;
    }
}
