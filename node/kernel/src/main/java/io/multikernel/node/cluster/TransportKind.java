package io.multikernel.node.cluster;

import java.util.Locale;

/**
 * The two interconnects: IPC (shared memory through one host's media driver) and UDP.
 */
public enum TransportKind
{
    /** Shared-memory IPC between processes of one host. */
    IPC,
    /** UDP, between hosts or over loopback. */
    UDP;

    /**
     * @param name {@code ipc} or {@code udp}, any case, as the CLI's {@code --transport} takes it.
     * @return the kind.
     * @throws ClusterMapException when the name is neither.
     */
    public static TransportKind fromName(final String name)
    {
        for (final TransportKind kind : values())
        {
            if (kind.lowerCaseName().equals(name.toLowerCase(Locale.ROOT)))
            {
                return kind;
            }
        }
        throw new ClusterMapException("transport=" + name + " is not one of ipc, udp");
    }

    /**
     * @return {@code ipc} or {@code udp}.
     */
    public String lowerCaseName()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
