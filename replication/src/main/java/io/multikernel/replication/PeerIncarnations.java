package io.multikernel.replication;

import org.agrona.collections.Int2ObjectHashMap;

/**
 * The newest incarnation seen from each core. Messages from an older incarnation are from a
 * process that has since restarted and are dropped; a newer one means the peer restarted.
 */
final class PeerIncarnations
{
    static final int STALE = -1;
    static final int CURRENT = 0;
    static final int RESTARTED = 1;

    private final Int2ObjectHashMap<long[]> newest = new Int2ObjectHashMap<>();

    /**
     * @return {@link #STALE}, {@link #CURRENT} (also for the first message from a core) or {@link #RESTARTED}.
     */
    int observe(final int coreId, final long incarnation)
    {
        final long[] seen = newest.get(coreId);
        if (null == seen)
        {
            newest.put(coreId, new long[]{incarnation});
            return CURRENT;
        }
        if (incarnation < seen[0])
        {
            return STALE;
        }
        if (incarnation > seen[0])
        {
            seen[0] = incarnation;
            return RESTARTED;
        }
        return CURRENT;
    }

    /**
     * @return the newest incarnation seen from {@code coreId}, or -1 when none.
     */
    long newest(final int coreId)
    {
        final long[] seen = newest.get(coreId);
        return null == seen ? -1 : seen[0];
    }
}
