package io.multikernel.replication.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.kv.KeyValueOperation;

/**
 * Random transactions over a few replica sets. Each set owns its keys ({@code s<set>k<n>}), so the
 * replicas of one set must end identical on those keys. A dozen keys per set make lock conflicts (no
 * votes) regular; compare-and-set against the last value proposed for the key fails validation
 * whenever that proposal did not commit. Every written
 * value is unique, so the checker can tell which transaction wrote it.
 */
final class KeyValueWorkload
{
    /** Keys per replica set. */
    static final int KEYS_PER_SET = 12;
    /** Operations per transaction, at most. */
    static final int MAX_OPERATIONS = 3;

    private final List<ParticipantSet> sets = new ArrayList<>();
    private final java.util.Map<String, String> lastProposed = new java.util.HashMap<>();
    private long proposals;

    KeyValueWorkload(final int cores, final Random random)
    {
        final int[] all = new int[cores];
        for (int i = 0; i < cores; i++)
        {
            all[i] = i;
        }
        sets.add(ParticipantSet.of(all));
        for (int s = 0; s < 2; s++)
        {
            final List<Integer> members = new ArrayList<>();
            for (int i = 0; i < cores; i++)
            {
                members.add(i);
            }
            java.util.Collections.shuffle(members, random);
            final int size = 2 + random.nextInt(cores - 1);
            sets.add(ParticipantSet.of(members.subList(0, size).stream().mapToInt(Integer::intValue).toArray()));
        }
    }

    List<ParticipantSet> sets()
    {
        return sets;
    }

    static String key(final int setIndex, final int keyIndex)
    {
        return "s" + setIndex + "k" + keyIndex;
    }

    /**
     * @param coreId the core that proposes it.
     */
    Proposal<KeyValueOperation> next(final Random random, final int coreId)
    {
        final long number = ++proposals;
        final int setIndex = random.nextInt(sets.size());
        final int count = 1 + random.nextInt(MAX_OPERATIONS);
        final List<KeyValueOperation> operations = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final String key = key(setIndex, random.nextInt(KEYS_PER_SET));
            final String value = "p" + number + "." + i;
            final int kind = random.nextInt(20);
            if (kind < 15)
            {
                operations.add(KeyValueOperation.put(key, value));
            }
            else if (kind < 17)
            {
                operations.add(KeyValueOperation.delete(key));
            }
            else if (kind < 18)
            {
                operations.add(KeyValueOperation.putIfAbsent(key, value));
            }
            else
            {
                operations.add(KeyValueOperation.compareAndSet(key, lastProposed.get(key), value));
            }
            lastProposed.put(key, operations.get(i).value());
        }
        return new Proposal<>(coreId, sets.get(setIndex), operations);
    }
}
