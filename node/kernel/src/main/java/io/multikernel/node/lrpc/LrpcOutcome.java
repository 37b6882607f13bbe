package io.multikernel.node.lrpc;

/**
 * How a call ended, from the app's side. Definite outcomes say for sure whether the core did the
 * operation; indefinite ones ({@link #isDefinite()} false) mean it may or may not have.
 */
public enum LrpcOutcome
{
    /** The core did it; the reply carries the result. Definite. */
    SUCCESS(true),
    /** The core answered with an error status and did nothing. Definite. */
    REJECTED(true),
    /** Not sent: the request ring is full or the client has outstandingMax calls in flight. Definite. */
    BACK_PRESSURED(true),
    /** Not sent: longer than the channel's message length limit. Definite. */
    TOO_LARGE(true),
    /** Not sent: the core is not running (exited, killed, closed, or not heartbeating). Definite. */
    CORE_NOT_RUNNING(true),
    /** Not sent: the client is closed. Definite. */
    CLIENT_CLOSED(true),
    /** No reply within the timeout: the core may still do it, or may have done it. Indefinite. */
    TIMED_OUT(false),
    /** The core died while the call was in flight: it may or may not have been done. Indefinite. */
    CORE_DIED(false),
    /** The client was closed while the call was in flight. Indefinite. */
    ABANDONED(false),
    /** The core answered {@link LrpcStatus#INDEFINITE}: it cannot tell whether it was done. Indefinite. */
    INDEFINITE(false);

    private static final LrpcOutcome[] VALUES = values();

    private final boolean definite;

    LrpcOutcome(final boolean definite)
    {
        this.definite = definite;
    }

    /**
     * @return true when the outcome says for sure whether the operation happened.
     */
    public boolean isDefinite()
    {
        return definite;
    }

    /**
     * The negative value {@link LrpcClient#send} returns when a call was not sent.
     *
     * @return {@code -(ordinal + 1)}.
     */
    public long code()
    {
        return -(ordinal() + 1L);
    }

    /**
     * @param code a negative value returned by {@link LrpcClient#send}.
     * @return the outcome it stands for.
     */
    public static LrpcOutcome fromCode(final long code)
    {
        final long index = -code - 1;
        if (index < 0 || index >= VALUES.length)
        {
            throw new IllegalArgumentException("code=" + code + " is not an LRPC outcome code");
        }
        return VALUES[(int)index];
    }
}
