package io.multikernel.transport;

import org.agrona.collections.Long2LongHashMap;

import java.util.Collection;

/**
 * The cores a core accepts frames from, and the newest incarnation seen from each. Incarnations only
 * grow: a frame from an older incarnation than one already seen was sent before the peer restarted
 * and is rejected as stale. Owned by the core's agent thread.
 */
public final class PeerIncarnations
{
    /** Incarnation value before anything was heard from a peer. */
    public static final long UNKNOWN_INCARNATION = Long.MIN_VALUE;

    private final Long2LongHashMap incarnationByCore = new Long2LongHashMap(Long.MAX_VALUE);
    private final IncarnationListener listener;

    /**
     * Called when a peer shows a newer incarnation than before: it restarted.
     */
    @FunctionalInterface
    public interface IncarnationListener
    {
        /**
         * @param coreId         of the peer.
         * @param oldIncarnation previously seen, or {@link #UNKNOWN_INCARNATION} on first contact.
         * @param newIncarnation now seen.
         */
        void onNewIncarnation(int coreId, long oldIncarnation, long newIncarnation);
    }

    public PeerIncarnations(final Collection<PeerDescriptor> peers, final IncarnationListener listener)
    {
        this.listener = listener;
        for (final PeerDescriptor peer : peers)
        {
            incarnationByCore.put(peer.coreId(), UNKNOWN_INCARNATION);
        }
    }

    public boolean isKnown(final int coreId)
    {
        return incarnationByCore.containsKey(coreId);
    }

    /**
     * Record a frame from a known peer.
     *
     * @param coreId      sender.
     * @param incarnation the frame's incarnation.
     * @return false when the frame is from an older incarnation than already seen (stale).
     */
    public boolean onFrom(final int coreId, final long incarnation)
    {
        final long known = incarnationByCore.get(coreId);
        if (incarnation == known)
        {
            return true;
        }
        if (incarnation < known)
        {
            return false;
        }
        incarnationByCore.put(coreId, incarnation);
        listener.onNewIncarnation(coreId, known, incarnation);
        return true;
    }

    /**
     * @param coreId of a peer.
     * @return the newest incarnation seen, or {@link #UNKNOWN_INCARNATION}.
     */
    public long incarnation(final int coreId)
    {
        final long value = incarnationByCore.get(coreId);
        return Long.MAX_VALUE == value ? UNKNOWN_INCARNATION : value;
    }
}
