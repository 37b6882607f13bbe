package io.multikernel.node.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Generates the cluster map of the embedded launcher, {@code mk up --cores N --hosts H --transport T},
 * on one machine (every address is loopback):
 *
 * <ul>
 *   <li>cores are spread evenly over the hosts in contiguous blocks, as cores sit in packages:
 *       core {@code i} runs on host {@code i * H / N}, so host sizes differ by at most one;</li>
 *   <li>{@code --transport ipc}: each inbox listens on IPC; with more than one host it listens on
 *       UDP as well, because a core on another (simulated) host has its own media driver and can
 *       only publish over UDP. Same-host peers then still use IPC
 *       ({@link ClusterMap#inboxRoute(int, int)});</li>
 *   <li>{@code --transport udp}: every inbox listens on UDP only, so all traffic, even between cores
 *       of one host, goes over UDP loopback;</li>
 *   <li>core {@code i} gets UDP port {@code udpBasePort + i} and admin port {@code adminBasePort + i}.</li>
 * </ul>
 *
 * Hosts get address {@code 127.0.0.1}: being one machine, ports are unique across all of them.
 */
final class LocalClusterGenerator
{
    /** Address of every generated host and UDP endpoint. */
    static final String LOOPBACK = "127.0.0.1";
    /** Name of a generated cluster. */
    static final String LOCAL_CLUSTER_NAME = "local";

    private LocalClusterGenerator()
    {
    }

    static ClusterMap generate(
        final int coreCount,
        final int hostCount,
        final TransportKind transport,
        final int udpBasePort,
        final int adminBasePort)
    {
        checkCounts(coreCount, hostCount);
        final boolean udpInboxes = transport == TransportKind.UDP || hostCount > 1;
        checkPortRange("adminBasePort", adminBasePort, coreCount);
        if (udpInboxes)
        {
            checkPortRange("udpBasePort", udpBasePort, coreCount);
        }

        final List<HostDescriptor> hosts = new ArrayList<>();
        for (int hostId = 0; hostId < hostCount; hostId++)
        {
            hosts.add(new HostDescriptor(hostId, Optional.of(LOOPBACK), Optional.empty()));
        }
        final List<CoreDescriptor> cores = new ArrayList<>();
        for (int coreId = 0; coreId < coreCount; coreId++)
        {
            final int hostId = (int)((long)coreId * hostCount / coreCount);
            final UdpEndpoint udp = udpInboxes ? new UdpEndpoint(LOOPBACK, udpBasePort + coreId) : null;
            final InboxEndpoints inbox = switch (transport)
            {
                case UDP -> InboxEndpoints.udpOnly(udp);
                case IPC -> null == udp ? InboxEndpoints.ipcOnly() : InboxEndpoints.ipcAndUdp(udp);
            };
            cores.add(CoreDescriptor.of(coreId, hostId, inbox, adminBasePort + coreId));
        }
        return new ClusterMapDraft(
            "generated cluster map", LOCAL_CLUSTER_NAME, TransportSettings.DEFAULTS, hosts, cores).toClusterMap();
    }

    private static void checkCounts(final int coreCount, final int hostCount)
    {
        if (coreCount < 1 || coreCount > ClusterLimits.CORE_COUNT_MAX)
        {
            throw new ClusterMapException("cores=" + coreCount + " is out of range 1.." + ClusterLimits.CORE_COUNT_MAX);
        }
        if (hostCount < 1 || hostCount > coreCount)
        {
            throw new ClusterMapException("hosts=" + hostCount + " is out of range 1.." + coreCount +
                " (every host needs at least one of the " + coreCount + " cores)");
        }
    }

    private static void checkPortRange(final String name, final int basePort, final int coreCount)
    {
        final long lastPort = (long)basePort + coreCount - 1;
        if (null != ClusterLimits.portProblem(basePort) || null != ClusterLimits.portProblem(lastPort))
        {
            throw new ClusterMapException(name + "=" + basePort + " with " + coreCount + " cores needs ports " +
                basePort + ".." + lastPort + ", outside " + ClusterLimits.PORT_MIN + ".." + ClusterLimits.PORT_MAX);
        }
    }
}
