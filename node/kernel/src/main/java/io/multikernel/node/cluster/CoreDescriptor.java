package io.multikernel.node.cluster;

import java.util.Objects;

/**
 * One core: one JVM process, its host, its URPC inbox and its admin/metrics HTTP endpoint.
 *
 * @param id               core id, 0..{@link ClusterLimits#CORE_ID_MAX}.
 * @param hostId           id of the {@link HostDescriptor} the core runs on.
 * @param inbox            where peers publish to this core.
 * @param adminPort        TCP port of the admin API and {@code /metrics}.
 * @param adminBindAddress address the admin HTTP server binds to; {@code 127.0.0.1} by default.
 */
public record CoreDescriptor(int id, int hostId, InboxEndpoints inbox, int adminPort, String adminBindAddress)
{
    /**
     * Checks the invariants; parsers report bad user input before they get here.
     */
    public CoreDescriptor
    {
        Objects.requireNonNull(inbox, "inbox");
        Objects.requireNonNull(adminBindAddress, "adminBindAddress");
        if (null != ClusterLimits.coreIdProblem(id) || null != ClusterLimits.hostIdProblem(hostId) ||
            null != ClusterLimits.portProblem(adminPort) || null != ClusterLimits.addressProblem(adminBindAddress))
        {
            throw new IllegalArgumentException("invalid core id=" + id + " hostId=" + hostId +
                " adminPort=" + adminPort + " adminBindAddress=" + adminBindAddress);
        }
    }

    /**
     * @param id        core id.
     * @param hostId    host id.
     * @param inbox     inbox endpoints.
     * @param adminPort admin/metrics port, bound on {@link ClusterLimits#DEFAULT_ADMIN_BIND_ADDRESS}.
     * @return the descriptor.
     */
    public static CoreDescriptor of(final int id, final int hostId, final InboxEndpoints inbox, final int adminPort)
    {
        return new CoreDescriptor(id, hostId, inbox, adminPort, ClusterLimits.DEFAULT_ADMIN_BIND_ADDRESS);
    }

    /**
     * @param hostId the new host id.
     * @return a copy on another host.
     */
    public CoreDescriptor withHostId(final int hostId)
    {
        return new CoreDescriptor(id, hostId, inbox, adminPort, adminBindAddress);
    }

    /**
     * @param inbox the new inbox endpoints.
     * @return a copy with the inbox replaced.
     */
    public CoreDescriptor withInbox(final InboxEndpoints inbox)
    {
        return new CoreDescriptor(id, hostId, inbox, adminPort, adminBindAddress);
    }

    /**
     * @param adminPort the new admin/metrics port.
     * @return a copy with the port replaced.
     */
    public CoreDescriptor withAdminPort(final int adminPort)
    {
        return new CoreDescriptor(id, hostId, inbox, adminPort, adminBindAddress);
    }

    /**
     * @param adminBindAddress the new bind address.
     * @return a copy with the bind address replaced.
     */
    public CoreDescriptor withAdminBindAddress(final String adminBindAddress)
    {
        return new CoreDescriptor(id, hostId, inbox, adminPort, adminBindAddress);
    }
}
