package io.multikernel.node.lrpc;

/**
 * An LRPC channel cannot be used: no core behind it, a stale or foreign file, no free client slot.
 * The message is one sentence for the user.
 */
public final class LrpcException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message one sentence naming what failed, the value and what to do.
     */
    public LrpcException(final String message)
    {
        super(message);
    }
}
