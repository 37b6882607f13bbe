package io.multikernel.node.cluster;

/**
 * An invalid cluster map, or an invalid override of one. The message is one line that names the
 * field and the value, fit to print to a user as it is, for example
 * {@code cluster.yaml:14: cores[2].adminPort=70000 is out of range 1..65535}.
 */
public final class ClusterMapException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message one line naming the field, the value and the problem.
     */
    public ClusterMapException(final String message)
    {
        super(message);
    }
}
