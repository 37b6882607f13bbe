package io.multikernel.transport;

import io.multikernel.common.Bounds;

import java.util.Objects;

/**
 * What a core needs to know to reach another core's inbox.
 *
 * @param coreId      the peer's id in the cluster map.
 * @param hostId      the host ("package") the peer runs on; same host means IPC is possible.
 * @param udpEndpoint {@code host:port} of the peer's UDP inbox, or {@code null} when it has none
 *                    (then only cores on the same host can reach it).
 * @param media       how to reach the peer, or {@code null} to derive it: same host uses the
 *                    endpoint's same-host media, other hosts UDP.
 */
public record PeerDescriptor(int coreId, int hostId, String udpEndpoint, Media media)
{
    /** Largest core id; keeps per-core tables small and stream ids in range. */
    public static final int CORE_ID_MAX = 65_535;
    /** Smallest UDP port an endpoint may name. */
    public static final int PORT_MIN = 1;
    /** Largest UDP port. */
    public static final int PORT_MAX = 65_535;

    public PeerDescriptor
    {
        Bounds.check("coreId", coreId, 0, CORE_ID_MAX);
        if (hostId < 0)
        {
            throw new IllegalArgumentException("hostId=" + hostId + " of core " + coreId + " is negative");
        }
        if (null != udpEndpoint)
        {
            checkEndpoint(coreId, udpEndpoint);
        }
        if (Media.UDP == media && null == udpEndpoint)
        {
            throw new IllegalArgumentException("core " + coreId + " is to be reached over UDP but has no udpEndpoint");
        }
    }

    /**
     * A peer whose media is derived from the hosts.
     *
     * @param coreId      the peer's id.
     * @param hostId      its host.
     * @param udpEndpoint its UDP inbox or {@code null}.
     */
    public PeerDescriptor(final int coreId, final int hostId, final String udpEndpoint)
    {
        this(coreId, hostId, udpEndpoint, null);
    }

    static void checkEndpoint(final int coreId, final String endpoint)
    {
        Objects.requireNonNull(endpoint, "endpoint");
        final int colon = endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1)
        {
            throw new IllegalArgumentException("udpEndpoint=" + endpoint + " of core " + coreId + " is not host:port");
        }
        final int port;
        try
        {
            port = Integer.parseInt(endpoint.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("udpEndpoint=" + endpoint + " of core " + coreId + " has no numeric port");
        }
        if (port < PORT_MIN || port > PORT_MAX)
        {
            throw new IllegalArgumentException("udpEndpoint=" + endpoint + " of core " + coreId + ": " +
                Bounds.message("port", port, PORT_MIN, PORT_MAX, ""));
        }
    }
}
