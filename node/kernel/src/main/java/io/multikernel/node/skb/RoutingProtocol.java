package io.multikernel.node.skb;

import java.util.Locale;

/**
 * The four ways the paper sends one message from an initiator to a set of cores (Fig. 6). The
 * plan each one yields is made by {@link RoutingPlanner}.
 */
public enum RoutingProtocol
{
    /** The initiator sends to each target in turn: |targets| sends by the initiator, one hop. */
    UNICAST("unicast"),
    /**
     * The initiator writes the message once to a channel every target reads (the paper's shared
     * cache line; here one publication all targets subscribe to): one write, one hop, but every
     * target pulls the same message across the interconnect.
     */
    BROADCAST("broadcast"),
    /**
     * Package-aware multicast: one message per package that holds targets, to an aggregator core
     * there (the target with the lowest id), which forwards to the package's other targets. At most
     * two hops.
     */
    MULTICAST("multicast"),
    /**
     * Topology-aware (the paper's NUMA-aware) multicast: as {@link #MULTICAST}, but the aggregator
     * of a package is its target nearest the initiator by measured RTT, the initiator sends to the
     * farthest package first so the slowest deliveries overlap the later sends, and aggregators
     * forward farthest-first too.
     */
    TOPOLOGY_AWARE_MULTICAST("topo");

    private final String cliName;

    RoutingProtocol(final String cliName)
    {
        this.cliName = cliName;
    }

    /**
     * @return the name {@code mk bench shootdown --protocol} uses: unicast, broadcast, multicast or topo.
     */
    public String cliName()
    {
        return cliName;
    }

    /**
     * @param name a {@link #cliName()}, any case.
     * @return the protocol.
     * @throws IllegalArgumentException naming the known names.
     */
    public static RoutingProtocol fromCliName(final String name)
    {
        for (final RoutingProtocol protocol : values())
        {
            if (protocol.cliName.equals(name.toLowerCase(Locale.ROOT)))
            {
                return protocol;
            }
        }
        throw new IllegalArgumentException("protocol=" + name + " is not one of unicast, broadcast, multicast, topo");
    }
}
