package io.multikernel.node.replication;

import java.util.Locale;

import io.multikernel.replication.TransactionId;
import io.multikernel.replication.protocol.MessageBatch;
import io.multikernel.replication.protocol.Prepare;
import io.multikernel.replication.protocol.TwoPhaseMessage;

/**
 * A chaos hook for failure tests, off unless {@code mk.chaos.freeze} names a point: the kernel loop
 * of a coordinator stops doing any work (like a hung core: no polls, no heartbeats, no sends) at a
 * known point of the first transaction it coordinates, so a test can {@code kill -9} it there.
 *
 * <ul>
 *   <li>{@link Point#AFTER_PREPARE}: after the duty cycle in which its PREPAREs went to URPC (the
 *   batches are flushed to the peers' inboxes before the loop stops). The participants vote yes and
 *   stay in doubt; the coordinator has not decided.</li>
 *   <li>{@link Point#AFTER_COMMIT_DECISION}: as soon as its COMMIT record is durable, before any
 *   COMMIT is sent: from then on every outbound 2PC batch is dropped (counted), and the loop stops
 *   at the end of that duty cycle.</li>
 * </ul>
 * Owned by the kernel loop; {@link #frozenReason()} is read by no other thread.
 */
public final class ChaosFreeze
{
    /** Where to freeze. */
    public enum Point
    {
        /** Never (default). */
        NONE("none"),
        /** After the coordinator's PREPAREs have been handed to URPC and flushed. */
        AFTER_PREPARE("after-prepare"),
        /** After the coordinator's COMMIT record is durable, before COMMIT is sent. */
        AFTER_COMMIT_DECISION("after-commit-decision");

        private final String text;

        Point(final String text)
        {
            this.text = text;
        }

        /**
         * @param text as in {@code mk.chaos.freeze}: none, after-prepare, after-commit-decision.
         * @return the point.
         * @throws IllegalArgumentException naming the value and the accepted ones.
         */
        public static Point parse(final String text)
        {
            final String trimmed = null == text ? "" : text.trim().toLowerCase(Locale.ROOT);
            for (final Point point : values())
            {
                if (point.text.equals(trimmed))
                {
                    return point;
                }
            }
            throw new IllegalArgumentException(CoreReplicationConfiguration.CHAOS_FREEZE_PROP + "=" + text +
                " is not one of none, after-prepare, after-commit-decision");
        }

        public String text()
        {
            return text;
        }
    }

    private final Point point;
    private final int coreId;
    private TransactionId trigger;
    private boolean stopSending;
    private boolean frozen;
    private String reason;

    /**
     * @param point  where to freeze.
     * @param coreId this core: only transactions it coordinates trigger the hook.
     */
    public ChaosFreeze(final Point point, final int coreId)
    {
        this.point = point;
        this.coreId = coreId;
    }

    public Point point()
    {
        return point;
    }

    /**
     * A batch was accepted by URPC.
     */
    void onBatchSent(final MessageBatch batch)
    {
        if (Point.AFTER_PREPARE != point || null != trigger)
        {
            return;
        }
        for (final TwoPhaseMessage message : batch.messages())
        {
            if (message instanceof Prepare prepare && prepare.transactionId().coordinatorCoreId() == coreId)
            {
                trigger = prepare.transactionId();
                return;
            }
        }
    }

    /**
     * The coordinator's decision became final (from the engine's observer).
     */
    void onCoordinatorDecision(final TransactionId id, final boolean commit, final boolean recovered)
    {
        if (Point.AFTER_COMMIT_DECISION == point && commit && !recovered && null == trigger)
        {
            trigger = id;
            stopSending = true;
        }
    }

    /**
     * @return true when outbound 2PC batches must be dropped.
     */
    boolean stopSending()
    {
        return stopSending || frozen;
    }

    /**
     * Called at the end of a duty cycle, after URPC flushed: freezes when the point was reached.
     *
     * @return true when the loop froze just now.
     */
    boolean freezeIfTriggered()
    {
        if (frozen || null == trigger)
        {
            return false;
        }
        frozen = true;
        reason = "chaos hook " + CoreReplicationConfiguration.CHAOS_FREEZE_PROP + "=" + point.text +
            " froze the kernel loop of core " + coreId + " at transaction " + trigger;
        return true;
    }

    public boolean isFrozen()
    {
        return frozen;
    }

    /**
     * @return why the loop froze, or null.
     */
    public String frozenReason()
    {
        return reason;
    }

    /**
     * @return the transaction that triggered the hook, or null.
     */
    public TransactionId trigger()
    {
        return trigger;
    }
}
