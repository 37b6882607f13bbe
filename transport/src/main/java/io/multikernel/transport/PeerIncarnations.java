package io.multikernel.transport;

import java.util.Arrays;
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

    /** Marks a core id that is not a peer; dense by core id, as cluster maps number cores from 0. */
    private static final long NOT_A_PEER = Long.MAX_VALUE;

    private final long[] incarnationByCore;
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
        final int maxCoreId = peers.stream().mapToInt(PeerDescriptor::coreId).max().orElse(-1);
        incarnationByCore = new long[maxCoreId + 1];
        Arrays.fill(incarnationByCore, NOT_A_PEER);
        for (final PeerDescriptor peer : peers)
        {
            incarnationByCore[peer.coreId()] = UNKNOWN_INCARNATION;
        }
    }

    public boolean isKnown(final int coreId)
    {
        return coreId >= 0 && coreId < incarnationByCore.length && NOT_A_PEER != incarnationByCore[coreId];
    }

    /**
     * Record a frame from a known peer.
     *
     * @param coreId      sender, for which {@link #isKnown(int)} holds.
     * @param incarnation the frame's incarnation.
     * @return false when the frame is from an older incarnation than already seen (stale).
     */
    public boolean onFrom(final int coreId, final long incarnation)
    {
        final long known = incarnationByCore[coreId];
        if (incarnation == known)
        {
            return true;
        }
        if (incarnation < known)
        {
            return false;
        }
        incarnationByCore[coreId] = incarnation;
        listener.onNewIncarnation(coreId, known, incarnation);
        return true;
    }

    /**
     * @param coreId of a peer.
     * @return the newest incarnation seen, or {@link #UNKNOWN_INCARNATION}.
     */
    public long incarnation(final int coreId)
    {
        return isKnown(coreId) ? incarnationByCore[coreId] : UNKNOWN_INCARNATION;
    }
}
