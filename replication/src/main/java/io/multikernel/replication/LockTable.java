package io.multikernel.replication;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A participant's exclusive locks: key to the transaction holding it. Never waits: a conflict is
 * reported so the participant can vote no (no deadlocks, no lock queues).
 */
final class LockTable
{
    private static final String LOCKED_BY = " is locked by transaction ";
    private static final Pattern HOLDER = Pattern.compile(Pattern.quote(LOCKED_BY) + "(-?\\d+:-?\\d+:-?\\d+)");

    private final Map<Object, TransactionId> holders = new HashMap<>();

    /**
     * @param reason an abort's reason.
     * @return the transaction whose lock made a participant vote no, as the reason names it; null
     *         when the reason is not a lock conflict.
     */
    static TransactionId holderNamedIn(final String reason)
    {
        final Matcher matcher = null == reason ? null : HOLDER.matcher(reason);
        if (null == matcher || !matcher.find())
        {
            return null;
        }
        try
        {
            return TransactionId.parse(matcher.group(1));
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

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
                return describe(key) + LOCKED_BY + holder;
            }
        }
        for (final Object key : keys)
        {
            holders.put(key, id);
        }
        return null;
    }

    /**
     * @return a lock key as a refusal names it: a key of the key-value store as {@code key K}, any
     *         other as its own description ({@code object 1099511628304}), never a record's fields.
     */
    static String describe(final Object key)
    {
        final Object inner = key instanceof ReplicatedStates.StateKey state ? state.key() : key;
        return inner instanceof CharSequence ? "key " + inner : String.valueOf(inner);
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
