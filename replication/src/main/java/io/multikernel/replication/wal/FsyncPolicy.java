package io.multikernel.replication.wal;

/**
 * When the write-ahead log forces appended records to stable storage, and so what "durable" promises.
 *
 * <ul>
 *   <li>{@link #ALWAYS}: every record the protocol must make durable is fsynced before the engine
 *   acts on it. PREPARED, the COMMIT decision and a refusal are fsynced on their own as they are
 *   appended; a participant's COMMITTED, whose only dependent is its ack to the coordinator, shares
 *   the next fsync (at most {@code ackDelayMaxNs} later), so it never delays the next transaction,
 *   and the coordinator's own PREPARED is made durable by the fsync of its COMMIT decision.
 *   Survives process crash, OS crash and power loss. Slowest: one fsync per transaction on each
 *   core taking part.</li>
 *   <li>{@link #GROUP} (default): records appended during one duty cycle are fsynced together, and
 *   the engine acts on none of them (no vote, no commit message, no ack) before that fsync returns.
 *   The same promise as {@code ALWAYS}; one fsync covers many transactions, so throughput grows
 *   with load.</li>
 *   <li>{@link #NONE}: records are written to the operating system but never fsynced. Survives a
 *   process crash (kill -9), because the OS page cache still holds the data; does <b>not</b>
 *   survive an OS crash or power loss, after which a committed transaction can be lost and
 *   replicas can disagree. For benchmarks and throw-away clusters.</li>
 * </ul>
 */
public enum FsyncPolicy
{
    ALWAYS,
    GROUP,
    NONE;

    /**
     * @param name case-insensitive name, as given in configuration.
     * @return the policy.
     * @throws IllegalArgumentException naming the value and the accepted ones.
     */
    public static FsyncPolicy parse(final String name)
    {
        for (final FsyncPolicy policy : values())
        {
            if (policy.name().equalsIgnoreCase(name.trim()))
            {
                return policy;
            }
        }
        throw new IllegalArgumentException("fsync policy '" + name + "' is not one of always, group, none");
    }
}
