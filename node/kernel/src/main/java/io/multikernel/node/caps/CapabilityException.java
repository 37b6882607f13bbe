package io.multikernel.node.caps;

/**
 * A capability request refused before anything was done; its message is one sentence.
 */
public final class CapabilityException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final transient CapabilityResult result;

    public CapabilityException(final CapabilityResult result)
    {
        super(result.message());
        this.result = result;
    }

    /** @return the refusal, with its outcome class. */
    public CapabilityResult result()
    {
        return result;
    }
}
