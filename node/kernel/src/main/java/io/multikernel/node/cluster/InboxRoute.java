package io.multikernel.node.cluster;

import java.util.Objects;
import java.util.Optional;

/**
 * How one core publishes to another core's inbox: over IPC through the shared media driver of
 * their host, or over UDP to the receiver's address. Computed by
 * {@link ClusterMap#inboxRoute(int, int)}.
 *
 * @param kind IPC or UDP.
 * @param udp the receiver's UDP address when {@code kind} is UDP, else empty.
 */
public record InboxRoute(TransportKind kind, Optional<UdpEndpoint> udp)
{
    /**
     * Checks that a UDP route has an address and an IPC route has none.
     */
    public InboxRoute
    {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(udp, "udp");
        if ((kind == TransportKind.UDP) != udp.isPresent())
        {
            throw new IllegalArgumentException("kind=" + kind + " with udp=" + udp);
        }
    }

    /**
     * @return the route through the host's media driver.
     */
    public static InboxRoute ipc()
    {
        return new InboxRoute(TransportKind.IPC, Optional.empty());
    }

    /**
     * @param endpoint the receiver's UDP address.
     * @return the route over UDP.
     */
    public static InboxRoute udp(final UdpEndpoint endpoint)
    {
        return new InboxRoute(TransportKind.UDP, Optional.of(endpoint));
    }
}
