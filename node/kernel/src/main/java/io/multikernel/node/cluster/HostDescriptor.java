package io.multikernel.node.cluster;

import java.util.Objects;
import java.util.Optional;

/**
 * One host ("package" in the paper's words): a machine, or a simulated machine with its own media
 * driver. Cores on one host talk over IPC; cores on different hosts over UDP.
 *
 * @param id       host id, 0..{@link ClusterLimits#HOST_ID_MAX}; the Hello message carries it.
 * @param address  the host's name or IP address, if known. Hosts with the same address are the
 *                 same machine when ports are checked for clashes.
 * @param aeronDir the Aeron directory of this host's media driver, if not Aeron's default.
 */
public record HostDescriptor(int id, Optional<String> address, Optional<String> aeronDir)
{
    /**
     * Checks the invariants; parsers report bad user input before they get here.
     */
    public HostDescriptor
    {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(aeronDir, "aeronDir");
        if (null != ClusterLimits.hostIdProblem(id))
        {
            throw new IllegalArgumentException("host id=" + id + " " + ClusterLimits.hostIdProblem(id));
        }
    }

    /**
     * @param id host id.
     * @return a host with neither address nor Aeron directory.
     */
    public static HostDescriptor of(final int id)
    {
        return new HostDescriptor(id, Optional.empty(), Optional.empty());
    }

    /**
     * @param address the new address, or empty.
     * @return a copy with the address replaced.
     */
    public HostDescriptor withAddress(final Optional<String> address)
    {
        return new HostDescriptor(id, address, aeronDir);
    }

    /**
     * @param aeronDir the new Aeron directory, or empty.
     * @return a copy with the Aeron directory replaced.
     */
    public HostDescriptor withAeronDir(final Optional<String> aeronDir)
    {
        return new HostDescriptor(id, address, aeronDir);
    }

    /**
     * The identity used to find port clashes: the address when given, else the host id, so that
     * simulated hosts that share 127.0.0.1 must not share ports.
     *
     * @return a key equal for hosts that are the same machine.
     */
    public String machineKey()
    {
        return address.map(a -> "address " + a).orElse("host " + id);
    }
}
