package io.multikernel.replication;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers every outcome and checks that each transaction is told once.
 */
final class RecordingListener implements OutcomeListener
{
    final Map<TransactionId, TransactionOutcome> outcomes = new LinkedHashMap<>();

    @Override
    public void onOutcome(final TransactionId transactionId, final TransactionOutcome outcome)
    {
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
