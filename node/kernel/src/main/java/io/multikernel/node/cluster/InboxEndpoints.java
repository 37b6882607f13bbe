package io.multikernel.node.cluster;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a core's URPC inbox can be reached. A core listens on IPC (through its host's media
 * driver), on a UDP address, or on both: peers on the same host use IPC when it is offered, peers
 * on other hosts must use UDP. {@link ClusterMap#inboxRoute(int, int)} makes that choice.
 *
 * @param ipc true when same-host peers can publish to the inbox over IPC.
 * @param udp the UDP address peers publish to, when the inbox listens on UDP.
 */
public record InboxEndpoints(boolean ipc, Optional<UdpEndpoint> udp)
{
    /**
     * Checks that at least one endpoint is offered.
     */
    public InboxEndpoints
    {
        Objects.requireNonNull(udp, "udp");
        if (!ipc && udp.isEmpty())
        {
            throw new IllegalArgumentException("an inbox needs ipc or udp");
        }
    }

    /**
     * @return an inbox reachable over IPC only.
     */
    public static InboxEndpoints ipcOnly()
    {
        return new InboxEndpoints(true, Optional.empty());
    }

    /**
     * @param endpoint the UDP address.
     * @return an inbox reachable over UDP only.
     */
    public static InboxEndpoints udpOnly(final UdpEndpoint endpoint)
    {
        return new InboxEndpoints(false, Optional.of(endpoint));
    }

    /**
     * @param endpoint the UDP address for peers on other hosts.
     * @return an inbox reachable over IPC from its own host and over UDP from the others.
     */
    public static InboxEndpoints ipcAndUdp(final UdpEndpoint endpoint)
    {
        return new InboxEndpoints(true, Optional.of(endpoint));
    }
}
