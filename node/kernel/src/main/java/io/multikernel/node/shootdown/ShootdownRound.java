package io.multikernel.node.shootdown;

import java.util.Arrays;

/**
 * One slot of round state, used by the initiator for the rounds it started and by a relay for the
 * rounds it forwards: which children it sent to, how many cores each child's acknowledgement must
 * cover, and which have acknowledged. Slots are reused; arrays grow to the largest fan-out seen and
 * are never shrunk, so a steady run allocates nothing.
 */
final class ShootdownRound
{
    private long roundId = Shootdown.NO_ROUND;
    private int replyTo;
    private long startNs;
    private long deadlineNs;
    private int expectedCores;
    private int[] children = new int[8];
    private int[] expectedFromChild = new int[8];
    private boolean[] acked = new boolean[8];
    private int childCount;
    private int childrenAcked;
    private int coresAcked;
    private boolean localPending;
    private long domainId;
    private long barrier;

    void begin(final long roundId, final int replyTo, final long startNs, final long deadlineNs, final int expectedCores)
    {
        this.roundId = roundId;
        this.replyTo = replyTo;
        this.startNs = startNs;
        this.deadlineNs = deadlineNs;
        this.expectedCores = expectedCores;
        childCount = 0;
        childrenAcked = 0;
        coresAcked = 0;
        localPending = false;
    }

    /** This core has yet to finish invalidating the range before it may acknowledge. */
    void awaitLocal(final long domainId, final long barrier)
    {
        this.localPending = true;
        this.domainId = domainId;
        this.barrier = barrier;
    }

    /** @return the barrier of this core's drop, which the accesses in flight before it must pass. */
    long barrier()
    {
        return barrier;
    }

    void localDone()
    {
        localPending = false;
    }

    boolean localPending()
    {
        return localPending;
    }

    long domainId()
    {
        return domainId;
    }

    void addChild(final int coreId, final int expectedCores)
    {
        if (childCount == children.length)
        {
            final int capacity = children.length * 2;
            children = Arrays.copyOf(children, capacity);
            expectedFromChild = Arrays.copyOf(expectedFromChild, capacity);
            acked = Arrays.copyOf(acked, capacity);
        }
        children[childCount] = coreId;
        expectedFromChild[childCount] = expectedCores;
        acked[childCount] = false;
        childCount++;
    }

    /**
     * @return -1 when the core is not a child of this round, otherwise its index.
     */
    int childIndex(final int coreId)
    {
        for (int i = 0; i < childCount; i++)
        {
            if (children[i] == coreId)
            {
                return i;
            }
        }
        return -1;
    }

    boolean hasAcked(final int childIndex)
    {
        return acked[childIndex];
    }

    /**
     * @return true when this ack covered as many cores as the child's subtree holds.
     */
    boolean onAck(final int childIndex, final int acknowledgedCores)
    {
        acked[childIndex] = true;
        childrenAcked++;
        coresAcked += acknowledgedCores;
        return acknowledgedCores == expectedFromChild[childIndex];
    }

    boolean allChildrenAcked()
    {
        return childrenAcked == childCount;
    }

    void free()
    {
        roundId = Shootdown.NO_ROUND;
        localPending = false;
    }

    boolean isFree()
    {
        return Shootdown.NO_ROUND == roundId;
    }

    long roundId()
    {
        return roundId;
    }

    int replyTo()
    {
        return replyTo;
    }

    long startNs()
    {
        return startNs;
    }

    long deadlineNs()
    {
        return deadlineNs;
    }

    int expectedCores()
    {
        return expectedCores;
    }

    int coresAcked()
    {
        return coresAcked;
    }

    /**
     * @return the children that have not acknowledged, for example {@code [3, 7]}. A relay's
     *         acknowledgement covers its subtree, so the silent core may be one it relays to: such a
     *         child reads {@code 1 (or one of the 2 cores it relays to)}.
     */
    String missingChildren()
    {
        final StringBuilder builder = new StringBuilder("[");
        for (int i = 0; i < childCount; i++)
        {
            if (!acked[i])
            {
                builder.append(builder.length() > 1 ? ", " : "").append(children[i]);
                if (expectedFromChild[i] > 1)
                {
                    builder.append(" (or one of the ").append(expectedFromChild[i] - 1).append(" core")
                        .append(2 == expectedFromChild[i] ? "" : "s").append(" it relays to)");
                }
            }
        }
        return builder.append(']').toString();
    }
}
