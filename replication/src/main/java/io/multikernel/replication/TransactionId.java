package io.multikernel.replication;

/**
 * Names a transaction uniquely across the cluster and across restarts: the coordinator's core id,
 * the coordinator's incarnation (larger after every restart) and a sequence the coordinator
 * assigns in that incarnation, starting at 1. Printed and parsed as {@code core:incarnation:sequence}.
 */
public record TransactionId(int coordinatorCoreId, long coordinatorIncarnation, long sequence)
    implements Comparable<TransactionId>
{
    /** Bytes of the fixed-size encoding used in log records and snapshots. */
    public static final int ENCODED_LENGTH = 20;

    /**
     * @param text {@code core:incarnation:sequence}, as {@link #toString()} prints it.
     * @throws IllegalArgumentException with a sentence naming the text.
     */
    public static TransactionId parse(final String text)
    {
        final String[] parts = text.trim().split(":");
        if (parts.length != 3)
        {
            throw new IllegalArgumentException("transaction id '" + text + "' is not core:incarnation:sequence");
        }
        final TransactionId id;
        try
        {
            id = new TransactionId(Integer.parseInt(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("transaction id '" + text + "' is not core:incarnation:sequence");
        }
        if (id.coordinatorCoreId < 0 || id.coordinatorIncarnation < 0 || id.sequence < 0)
        {
            throw new IllegalArgumentException("transaction id '" + text + "' is not core:incarnation:sequence: " +
                "none of them is negative");
        }
        return id;
    }

    /**
     * @return true when this transaction was started before {@code later} by the same coordinator in the
     *         same incarnation: every participant prepares it first, so {@code later} never made it abort.
     */
    public boolean precedesFromSameCoordinator(final TransactionId later)
    {
        return coordinatorCoreId == later.coordinatorCoreId && coordinatorIncarnation == later.coordinatorIncarnation &&
            sequence < later.sequence;
    }

    @Override
    public int compareTo(final TransactionId other)
    {
        int result = Integer.compare(coordinatorCoreId, other.coordinatorCoreId);
        if (result == 0)
        {
            result = Long.compare(coordinatorIncarnation, other.coordinatorIncarnation);
        }
        return result != 0 ? result : Long.compare(sequence, other.sequence);
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof TransactionId that && sequence == that.sequence &&
            coordinatorIncarnation == that.coordinatorIncarnation && coordinatorCoreId == that.coordinatorCoreId;
    }

    @Override
    public int hashCode()
    {
        final long mixed = (sequence * 0x9E3779B97F4A7C15L) ^ (coordinatorIncarnation * 31 + coordinatorCoreId);
        return (int)(mixed ^ (mixed >>> 32));
    }

    @Override
    public String toString()
    {
        return coordinatorCoreId + ":" + coordinatorIncarnation + ":" + sequence;
    }
}
