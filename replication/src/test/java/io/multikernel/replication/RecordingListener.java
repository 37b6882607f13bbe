package io.multikernel.replication;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.multikernel.replication.wal.MemoryStorage;

/**
 * Remembers every outcome and checks that each transaction is told once; optionally, how many
 * times a disk had been forced when each outcome arrived.
 */
final class RecordingListener implements OutcomeListener
{
    final Map<TransactionId, TransactionOutcome> outcomes = new LinkedHashMap<>();
    final List<Long> forcesAtOutcome = new ArrayList<>();
    private final MemoryStorage disk;

    RecordingListener()
    {
        this(null);
    }

    /**
     * @param disk whose force count is noted at each outcome.
     */
    RecordingListener(final MemoryStorage disk)
    {
        this.disk = disk;
    }

    @Override
    public void onOutcome(final TransactionId transactionId, final TransactionOutcome outcome)
    {
        if (null != disk)
        {
            forcesAtOutcome.add(disk.forceCount());
        }
        if (null != outcomes.put(transactionId, outcome))
        {
            throw new AssertionError("transaction " + transactionId + " was told its outcome twice");
        }
    }

    TransactionOutcome outcome(final TransactionId id)
    {
        return outcomes.get(id);
    }
}
