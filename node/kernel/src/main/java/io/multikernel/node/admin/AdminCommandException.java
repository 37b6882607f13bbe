package io.multikernel.node.admin;

/**
 * An {@link AdminCommand} refused or failed: answered with {@link #status()} and the message as
 * the JSON error, never with a stack trace.
 */
public final class AdminCommandException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * @param status  a 4xx code for a bad request, 5xx when the core could not do it.
     * @param message one sentence: what failed, the value involved, what to do.
     */
    public AdminCommandException(final int status, final String message)
    {
        super(message, null, false, false);
        if (status < 400 || status > 599)
        {
            throw new IllegalArgumentException("status=" + status + " is not an error status (400..599)");
        }
        this.status = status;
    }

    public int status()
    {
        return status;
    }
}
