package io.multikernel.replication;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * A participant's exclusive locks: key to the transaction holding it. Never waits: a conflict is
 * reported so the participant can vote no (no deadlocks, no lock queues).
 */
final class LockTable
{
    private final Map<Object, TransactionId> holders = new HashMap<>();

    /**
     * Locks every key for {@code id}, or none of them.
     *
     * @return null on success, or a sentence naming the first key held by another transaction.
     */
    String tryLockAll(final TransactionId id, final Collection<Object> keys)
    {
        for (final Object key : keys)
        {
            final TransactionId holder = holders.get(key);
            if (null != holder && !holder.equals(id))
            {
                return "key " + key + " is locked by transaction " + holder;
            }
        }
        for (final Object key : keys)
        {
            holders.put(key, id);
        }
        return null;
    }

    /**
     * Releases the keys {@code id} holds. A key held by someone else is a broken invariant.
     */
    void unlockAll(final TransactionId id, final Collection<Object> keys)
    {
        for (final Object key : keys)
        {
            final TransactionId holder = holders.remove(key);
            if (null != holder && !holder.equals(id))
            {
                throw new IllegalStateException("transaction " + id + " released key " + key + " held by " + holder);
            }
        }
    }

    /** @return the transaction holding the key, or null. */
    TransactionId holder(final Object key)
    {
        return holders.get(key);
    }

    int size()
    {
        return holders.size();
    }
}
