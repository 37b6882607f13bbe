package io.multikernel.replication.protocol;

/**
 * An answer to a {@link Query} that carries no decision. Codes are the SBE {@code status} values.
 */
public enum QueryStatus
{
    /** The answerer voted yes and does not know the decision either. */
    IN_DOUBT(1),
    /** The answerer has no record it can use (it may have forgotten a finished transaction). */
    UNKNOWN(2),
    /** The coordinator is still collecting votes: ask again later. */
    UNDECIDED(3);

    private final int code;

    QueryStatus(final int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }

    /**
     * @return the status for an SBE code, or null when the code is not one.
     */
    public static QueryStatus fromCode(final int code)
    {
        for (final QueryStatus status : values())
        {
            if (status.code == code)
            {
                return status;
            }
        }
        return null;
    }
}
