package io.multikernel.replication;

import java.util.function.Consumer;

import org.agrona.collections.Int2ObjectHashMap;

/**
 * For each peer and each coordinator core: the newest transaction of that coordinator this core
 * knows committed with the peer as a participant (it committed it as a participant itself, or it
 * coordinated it). A commit means every participant voted yes, and a participant votes yes only once
 * its PREPARED record is durable, so each of these is a transaction the peer's own log must know.
 *
 * <p>When a peer shows a new incarnation it is told these commits again, one COMMIT decision each;
 * a peer whose log holds no trace of one lost log records after it voted ({@link Participant}).
 * Rebuilt on recovery from the records after the snapshot; a commit only the snapshot covers is not
 * re-told (that check is weaker then, never wrong).
 */
final class PeerCommits
{
    /** MAX_TRACKED_PAIRS: (peer, coordinator) pairs remembered; commits of further pairs go unchecked. */
    static final int MAX_TRACKED_PAIRS = 65_536;

    private final int selfCoreId;
    private final Int2ObjectHashMap<Int2ObjectHashMap<TransactionId>> newestByPeer = new Int2ObjectHashMap<>();
    private int pairs;

    PeerCommits(final int selfCoreId)
    {
        this.selfCoreId = selfCoreId;
    }

    /**
     * @param id           a transaction known committed here (decided by this core, or committed here).
     * @param participants its participants.
     */
    void onCommitted(final TransactionId id, final ParticipantSet participants)
    {
        for (int i = 0; i < participants.size(); i++)
        {
            final int peer = participants.coreId(i);
            if (peer == selfCoreId)
            {
                continue;
            }
            Int2ObjectHashMap<TransactionId> newest = newestByPeer.get(peer);
            if (null == newest)
            {
                if (pairs >= MAX_TRACKED_PAIRS)
                {
                    continue;
                }
                newest = new Int2ObjectHashMap<>();
                newestByPeer.put(peer, newest);
            }
            final TransactionId known = newest.get(id.coordinatorCoreId());
            if (null == known)
            {
                if (pairs < MAX_TRACKED_PAIRS)
                {
                    newest.put(id.coordinatorCoreId(), id);
                    pairs++;
                }
            }
            else if (id.compareTo(known) > 0)
            {
                newest.put(id.coordinatorCoreId(), id);
            }
        }
    }

    /**
     * @param peer   a peer core.
     * @param action given the newest known commit with that peer of each coordinator.
     */
    void forEachCommittedWith(final int peer, final Consumer<TransactionId> action)
    {
        final Int2ObjectHashMap<TransactionId> newest = newestByPeer.get(peer);
        if (null != newest)
        {
            newest.values().forEach(action);
        }
    }
}
