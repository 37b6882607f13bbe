package io.multikernel.replication;

import java.util.Iterator;
import java.util.TreeSet;

import org.agrona.collections.Int2ObjectHashMap;

/**
 * What a participant needs to answer "had you voted?" during cooperative termination.
 *
 * <p>It may tell a peer in doubt "abort is safe" only if it can prove it never voted yes, and must
 * then never vote yes later: it logs a refusal (forced) and votes no if the PREPARE arrives after
 * all. The proof is a watermark per coordinator core: the newest coordinator incarnation this
 * participant prepared anything from, and the highest sequence it prepared in it. A PREPARED
 * record is forced before every yes vote, so a transaction above the watermark was never voted
 * yes on. Below it, the participant cannot tell "voted no" from "committed and forgotten" and
 * answers that it does not know.
 *
 * <p>Refusals are forgotten once no PREPARE for them can still arrive: the coordinator sends its
 * PREPAREs to a core in sequence order and URPC keeps per-sender order, so a PREPARE with a higher
 * sequence (or from a newer incarnation) means every lower one has arrived or was lost.
 */
final class Refusals
{
    private final TreeSet<TransactionId> refused = new TreeSet<>();
    private final Int2ObjectHashMap<long[]> watermarks = new Int2ObjectHashMap<>();
    private final int capacity;
    /** The watermarks as recovery left them, once it finished; null until then. */
    private Int2ObjectHashMap<long[]> recovered;
    /** Per coordinator core, the first transaction prepared since recovery finished. */
    private final Int2ObjectHashMap<TransactionId> firstSinceRecovery = new Int2ObjectHashMap<>();

    Refusals(final int capacity)
    {
        this.capacity = capacity;
    }

    /**
     * Records that this participant appended PREPARED for {@code id} (it will vote yes).
     */
    void onPrepared(final TransactionId id)
    {
        if (null != recovered && !firstSinceRecovery.containsKey(id.coordinatorCoreId()))
        {
            firstSinceRecovery.put(id.coordinatorCoreId(), id);
        }
        final long[] watermark = watermarks.get(id.coordinatorCoreId());
        if (null == watermark)
        {
            watermarks.put(id.coordinatorCoreId(), new long[]{id.coordinatorIncarnation(), id.sequence()});
        }
        else if (id.coordinatorIncarnation() > watermark[0])
        {
            watermark[0] = id.coordinatorIncarnation();
            watermark[1] = id.sequence();
        }
        else if (id.coordinatorIncarnation() == watermark[0])
        {
            watermark[1] = Math.max(watermark[1], id.sequence());
        }
    }

    /**
     * A PREPARE for {@code id} arrived: forget refusals of earlier transactions of its coordinator.
     */
    void onPrepareArrived(final TransactionId id)
    {
        final Iterator<TransactionId> it = refused.iterator();
        while (it.hasNext())
        {
            final TransactionId other = it.next();
            if (other.coordinatorCoreId() == id.coordinatorCoreId() &&
                (other.coordinatorIncarnation() < id.coordinatorIncarnation() ||
                (other.coordinatorIncarnation() == id.coordinatorIncarnation() && other.sequence() < id.sequence())))
            {
                it.remove();
            }
        }
    }

    boolean isRefused(final TransactionId id)
    {
        return refused.contains(id);
    }

    boolean remove(final TransactionId id)
    {
        return refused.remove(id);
    }

    /**
     * @return true when this participant provably never voted yes on {@code id} and has room to
     * remember a refusal.
     */
    boolean canRefuse(final TransactionId id)
    {
        if (refused.size() >= capacity)
        {
            return false;
        }
        return neverVotedYes(id);
    }

    /**
     * @return true when {@code id} is above its coordinator's watermark: this participant's log shows
     *         that it never voted yes on it.
     */
    boolean neverVotedYes(final TransactionId id)
    {
        return above(id, watermarks);
    }

    private static boolean above(final TransactionId id, final Int2ObjectHashMap<long[]> watermarks)
    {
        final long[] watermark = watermarks.get(id.coordinatorCoreId());
        return null == watermark ||
            id.coordinatorIncarnation() > watermark[0] ||
            (id.coordinatorIncarnation() == watermark[0] && id.sequence() > watermark[1]);
    }

    /** Recovery has replayed the snapshot and the log: what the watermarks say now is what the log held. */
    void finishRecovery()
    {
        recovered = new Int2ObjectHashMap<>();
        watermarks.forEach((core, watermark) -> recovered.put(core, new long[]{watermark[0], watermark[1]}));
    }

    /**
     * @return the coordinator core's watermark as recovery left it (the live one before recovery
     *         finished), or null when there was none: the newest of its transactions the log held.
     */
    long[] recoveredWatermark(final int coordinatorCoreId)
    {
        return (null == recovered ? watermarks : recovered).get(coordinatorCoreId);
    }

    /**
     * A peer says {@code id} committed, so this participant voted yes on it and had made its PREPARED
     * durable. Its log lost that record when {@code id} is above the live watermark, or above the
     * watermark recovery left and before the first transaction of its coordinator prepared since: a
     * coordinator's PREPAREs arrive in order, so one prepared since recovery says nothing of earlier
     * ones this participant voted on before it restarted.
     *
     * @return true when the log must have lost {@code id}'s records.
     */
    boolean lostIfCommitted(final TransactionId id)
    {
        if (neverVotedYes(id))
        {
            return true;
        }
        if (null == recovered || !above(id, recovered))
        {
            return false;
        }
        final TransactionId first = firstSinceRecovery.get(id.coordinatorCoreId());
        return null == first || id.compareTo(first) < 0;
    }

    void refuse(final TransactionId id)
    {
        refused.add(id);
    }

    TreeSet<TransactionId> refused()
    {
        return refused;
    }

    Int2ObjectHashMap<long[]> watermarks()
    {
        return watermarks;
    }

    void restoreWatermark(final int coordinatorCoreId, final long incarnation, final long sequence)
    {
        watermarks.put(coordinatorCoreId, new long[]{incarnation, sequence});
    }
}
