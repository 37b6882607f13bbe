package io.multikernel.node.skb;

/**
 * A name service request that cannot be done: a bad name, a name taken by another core, an unknown
 * core, a full registry. The message is one line for the caller, for example
 * {@code service name 'Mem' must start with a lower-case letter ...}. Nothing changed.
 */
public final class NameServiceException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message one line naming the name, the value and the rule.
     */
    public NameServiceException(final String message)
    {
        super(message);
    }
}
