package io.multikernel.node.cluster;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One host ("package" in the paper's words): a machine, or a simulated machine with its own media
 * driver. Cores on one host talk over IPC and share the host's physical memory; cores on different
 * hosts talk over UDP and share no memory.
 *
 * @param id          host id, 0..{@link ClusterLimits#HOST_ID_MAX}; the Hello message carries it.
 * @param address     the host's name or IP address, if known. Hosts with the same address are the
 *                    same machine when ports are checked for clashes.
 * @param aeronDir    the Aeron directory of this host's media driver, if not Aeron's default.
 * @param memoryBytes the host's physical memory, if not {@link ClusterLimits#DEFAULT_HOST_MEMORY_BYTES}: a
 *                    multiple of {@link ClusterLimits#PAGE_LENGTH_BYTES} in
 *                    {@link ClusterLimits#HOST_MEMORY_MIN_BYTES}..{@link ClusterLimits#HOST_MEMORY_MAX_BYTES}.
 * @param memoryFile  the file every core of the host maps as its physical memory, if not the default: the
 *                    host's Aeron directory followed by {@code .memory} (see {@code memory.PhysicalLayout}).
 */
public record HostDescriptor(
    int id, Optional<String> address, Optional<String> aeronDir, OptionalLong memoryBytes, Optional<String> memoryFile)
{
    /** What a host's default memory file adds to the path of its Aeron directory. */
    public static final String MEMORY_FILE_SUFFIX = ".memory";

    /**
     * Checks the invariants; parsers report bad user input before they get here.
     */
    public HostDescriptor
    {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(aeronDir, "aeronDir");
        Objects.requireNonNull(memoryBytes, "memoryBytes");
        Objects.requireNonNull(memoryFile, "memoryFile");
        if (null != ClusterLimits.hostIdProblem(id))
        {
            throw new IllegalArgumentException("host id=" + id + " " + ClusterLimits.hostIdProblem(id));
        }
        if (memoryBytes.isPresent() && null != ClusterLimits.hostMemoryProblem(memoryBytes.getAsLong()))
        {
            throw new IllegalArgumentException("host " + id + " memory=" + memoryBytes.getAsLong() + " " +
                ClusterLimits.hostMemoryProblem(memoryBytes.getAsLong()));
        }
        if (memoryFile.isPresent() && null != ClusterLimits.memoryFileProblem(memoryFile.get()))
        {
            throw new IllegalArgumentException("host " + id + " memoryFile " +
                ClusterLimits.memoryFileProblem(memoryFile.get()));
        }
    }

    /**
     * A host with the default physical memory and memory file.
     *
     * @param id       host id.
     * @param address  the host's name or IP address, if known.
     * @param aeronDir the Aeron directory of its media driver, if not Aeron's default.
     */
    public HostDescriptor(final int id, final Optional<String> address, final Optional<String> aeronDir)
    {
        this(id, address, aeronDir, OptionalLong.empty(), Optional.empty());
    }

    /**
     * @param id host id.
     * @return a host with neither address nor Aeron directory, and the default memory.
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
        return new HostDescriptor(id, address, aeronDir, memoryBytes, memoryFile);
    }

    /**
     * @param aeronDir the new Aeron directory, or empty.
     * @return a copy with the Aeron directory replaced.
     */
    public HostDescriptor withAeronDir(final Optional<String> aeronDir)
    {
        return new HostDescriptor(id, address, aeronDir, memoryBytes, memoryFile);
    }

    /**
     * @param memoryBytes the new physical memory, or empty for the default.
     * @return a copy with the physical memory replaced.
     */
    public HostDescriptor withMemoryBytes(final OptionalLong memoryBytes)
    {
        return new HostDescriptor(id, address, aeronDir, memoryBytes, memoryFile);
    }

    /**
     * @param memoryFile the new memory file, or empty for the default.
     * @return a copy with the memory file replaced.
     */
    public HostDescriptor withMemoryFile(final Optional<String> memoryFile)
    {
        return new HostDescriptor(id, address, aeronDir, memoryBytes, memoryFile);
    }

    /**
     * @return the host's physical memory: {@link #memoryBytes()} when given, else
     *         {@link ClusterLimits#DEFAULT_HOST_MEMORY_BYTES}.
     */
    public long memoryBytesOrDefault()
    {
        return memoryBytes.orElse(ClusterLimits.DEFAULT_HOST_MEMORY_BYTES);
    }

    /**
     * @return the file the host's physical memory lives in: {@link #memoryFile()} when given, else the
     *         host's Aeron directory ({@link #aeronDir()}, else the transport's default) followed by
     *         {@link #MEMORY_FILE_SUFFIX}.
     */
    public String memoryFileOrDefault()
    {
        return memoryFile.orElseGet(() -> aeronDir.orElseGet(
            io.multikernel.transport.TransportConfiguration::aeronDirectory) + MEMORY_FILE_SUFFIX);
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
