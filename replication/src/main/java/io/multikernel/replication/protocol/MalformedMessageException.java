package io.multikernel.replication.protocol;

/**
 * An inbound frame is not a valid {@code TwoPhaseBatch}. Bad input is data: the receiver counts it,
 * reports it once and drops the frame.
 */
public final class MalformedMessageException extends Exception
{
    private static final long serialVersionUID = 1L;

    public MalformedMessageException(final String message)
    {
        super(message);
    }

    public MalformedMessageException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
