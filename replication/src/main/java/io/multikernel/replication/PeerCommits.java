package io.multikernel.replication;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.multikernel.replication.protocol.Decision;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * For each peer and each coordinator core: the newest transaction of that coordinator this core
 * knows committed with the peer as a participant (it committed it as a participant itself, or it
 * coordinated it). A commit means every participant voted yes, and a participant votes yes only once
 * its PREPARED record is durable, so each of these is a transaction the peer's own log must know.
 *
 * <p>When a peer shows a new incarnation it is told these commits again, one COMMIT decision each;
 * a peer whose log holds no trace of one lost log records after it voted ({@link Participant}).
 * They are told {@link #TELLINGS} times, 100, 200 and 400 ms apart: a peer that has just
 * appeared may not be reachable yet, and a batch the outbox cannot send is dropped. Kept in snapshots
 * and rebuilt on recovery from the records after them.
 */
final class PeerCommits
{
    /** MAX_TRACKED_PAIRS: (peer, coordinator) pairs remembered; commits of further pairs go unchecked. */
    static final int MAX_TRACKED_PAIRS = 65_536;

    /** TELLINGS: how many times a peer with a new incarnation is told; each after twice the wait before. */
    static final int TELLINGS = 4;
    /** FIRST_RETELL_DELAY_NS: from the first telling to the second. */
    static final long FIRST_RETELL_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final int selfCoreId;
    private final Int2ObjectHashMap<Int2ObjectHashMap<TransactionId>> newestByPeer = new Int2ObjectHashMap<>();
    /** Per peer to be told: {next telling's time, tellings left, delay after it}. At most one per peer. */
    private final Int2ObjectHashMap<long[]> owed = new Int2ObjectHashMap<>();
    private long nextTellingNs = Long.MAX_VALUE;
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
            if (peer != selfCoreId)
            {
                remember(peer, id);
            }
        }
    }

    private void remember(final int peer, final TransactionId id)
    {
        final Int2ObjectHashMap<TransactionId> newest = newestByPeer.get(peer);
        final TransactionId known = null == newest ? null : newest.get(id.coordinatorCoreId());
        if (null != known)
        {
            if (id.compareTo(known) > 0)
            {
                newest.put(id.coordinatorCoreId(), id);
            }
        }
        else if (pairs < MAX_TRACKED_PAIRS)
        {
            newestByPeer.computeIfAbsent(peer, (ignored) -> new Int2ObjectHashMap<>()).put(id.coordinatorCoreId(), id);
            pairs++;
        }
    }

    /** @return the (peer, coordinator) pairs remembered: the entries {@link #forEach} gives. */
    int size()
    {
        return pairs;
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

    /**
     * @param action given every (peer, newest commit of one coordinator with it), for a snapshot.
     */
    void forEach(final java.util.function.BiConsumer<Integer, TransactionId> action)
    {
        newestByPeer.forEach((peer, newest) -> newest.values().forEach((id) -> action.accept(peer, id)));
    }

    /** Restores one entry of a snapshot. */
    void restore(final int peer, final TransactionId id)
    {
        if (peer != selfCoreId)
        {
            remember(peer, id);
        }
    }

    /**
     * The peer showed a new incarnation: tell it, starting now.
     */
    void owe(final int peer, final long nowNs)
    {
        if (null != newestByPeer.get(peer))
        {
            owed.put(peer, new long[]{nowNs, TELLINGS, FIRST_RETELL_DELAY_NS});
            nextTellingNs = Math.min(nextTellingNs, nowNs);
        }
    }

    /**
     * Tells the peers whose time has come.
     *
     * @return peers told.
     */
    int tellDue(final long nowNs, final Outbox outbox)
    {
        if (nowNs - nextTellingNs < 0)
        {
            return 0;
        }
        int told = 0;
        long next = Long.MAX_VALUE;
        final var it = owed.entrySet().iterator();
        while (it.hasNext())
        {
            final var entry = it.next();
            final int peer = entry.getKey();
            final long[] telling = entry.getValue();
            if (nowNs - telling[0] >= 0)
            {
                forEachCommittedWith(peer, (id) -> outbox.send(peer, new Decision(id, true, "")));
                told++;
                if (--telling[1] == 0)
                {
                    it.remove();
                    continue;
                }
                telling[0] = nowNs + telling[2];
                telling[2] *= 2;
            }
            next = Math.min(next, telling[0]);
        }
        nextTellingNs = next;
        return told;
    }
}
