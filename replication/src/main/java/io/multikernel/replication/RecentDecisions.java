package io.multikernel.replication;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcomes of the last finished transactions at a participant, so it can tell a peer in doubt
 * (cooperative termination) and recognise a repeated COMMIT. Bounded: the oldest are forgotten
 * first; forgetting is safe because a peer that gets no answer asks someone else or waits for the
 * coordinator.
 */
final class RecentDecisions
{
    static final byte COMMITTED = 1;
    static final byte ABORTED = 2;
    static final byte FORCED_COMMIT = 3;
    static final byte FORCED_ABORT = 4;

    private final LinkedHashMap<TransactionId, Byte> decisions;

    RecentDecisions(final int capacity)
    {
        decisions = new LinkedHashMap<>(16, 0.75f, false)
        {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final Map.Entry<TransactionId, Byte> eldest)
            {
                return size() > capacity;
            }
        };
    }

    void put(final TransactionId id, final byte outcome)
    {
        decisions.put(id, outcome);
    }

    /**
     * @return the outcome code, or 0 when not remembered.
     */
    byte get(final TransactionId id)
    {
        final Byte outcome = decisions.get(id);
        return null == outcome ? 0 : outcome;
    }

    Map<TransactionId, Byte> asMap()
    {
        return decisions;
    }

    static boolean isCommit(final byte outcome)
    {
        return outcome == COMMITTED || outcome == FORCED_COMMIT;
    }

    static boolean isForced(final byte outcome)
    {
        return outcome == FORCED_COMMIT || outcome == FORCED_ABORT;
    }
}
