package io.multikernel.replication;

import java.util.Arrays;

import io.multikernel.common.Bounds;

/**
 * The cores that hold a replica and take part in a transaction: distinct, non-negative core ids,
 * kept in ascending order. Immutable.
 */
public final class ParticipantSet
{
    /** MAX_PARTICIPANTS_PER_TRANSACTION: a transaction names at most this many cores. */
    public static final int MAX_PARTICIPANTS = 1024;

    private final int[] coreIds;

    private ParticipantSet(final int[] sortedDistinct)
    {
        this.coreIds = sortedDistinct;
    }

    /**
     * @throws IllegalArgumentException naming the offending value when the set is empty, too large,
     * has a negative id or a duplicate.
     */
    public static ParticipantSet of(final int... coreIds)
    {
        Bounds.check("participants", coreIds.length, 1, MAX_PARTICIPANTS);
        final int[] sorted = coreIds.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++)
        {
            if (sorted[i] < 0)
            {
                throw new IllegalArgumentException("participant core id=" + sorted[i] + " is negative");
            }
            if (i > 0 && sorted[i] == sorted[i - 1])
            {
                throw new IllegalArgumentException("participant core id=" + sorted[i] + " is named twice");
            }
        }
        return new ParticipantSet(sorted);
    }

    public int size()
    {
        return coreIds.length;
    }

    public int coreId(final int index)
    {
        return coreIds[index];
    }

    /**
     * @return the index of {@code coreId} in the set, or -1 when it is not a participant.
     */
    public int indexOf(final int coreId)
    {
        final int index = Arrays.binarySearch(coreIds, coreId);
        return index >= 0 ? index : -1;
    }

    public boolean contains(final int coreId)
    {
        return indexOf(coreId) >= 0;
    }

    /**
     * @return a copy of the core ids, ascending.
     */
    public int[] toArray()
    {
        return coreIds.clone();
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof ParticipantSet && Arrays.equals(coreIds, ((ParticipantSet)other).coreIds);
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(coreIds);
    }

    @Override
    public String toString()
    {
        return Arrays.toString(coreIds);
    }
}
