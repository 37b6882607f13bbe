package io.multikernel.node.cluster;

import io.multikernel.common.OwnerOnlyFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster: its cores, the host each runs on, where each core's inbox and admin endpoint listen,
 * and the transport settings all cores share. Immutable and validated; every core loads the same
 * map and membership is static for the life of the cluster.
 *
 * <p>Obtain one by {@link #load(Path, ClusterOverrides) loading} a YAML file (format in
 * {@link ClusterMapReader}), by {@link #local generating} the embedded launcher's map, or by
 * {@link #of building} it from descriptors. Every way validates: an invalid map never exists.
 */
public final class ClusterMap
{
    private final String name;
    private final TransportSettings transport;
    private final List<HostDescriptor> hosts;
    private final List<CoreDescriptor> cores;
    private final Map<Integer, HostDescriptor> hostById = new LinkedHashMap<>();
    private final Map<Integer, CoreDescriptor> coreById = new LinkedHashMap<>();

    /**
     * Freezes parts that {@link ClusterMapValidator} has checked; only {@link ClusterMapDraft} calls it.
     */
    ClusterMap(
        final String name,
        final TransportSettings transport,
        final List<HostDescriptor> hosts,
        final List<CoreDescriptor> cores)
    {
        this.name = name;
        this.transport = transport;
        this.hosts = hosts.stream().sorted(Comparator.comparingInt(HostDescriptor::id)).toList();
        this.cores = cores.stream().sorted(Comparator.comparingInt(CoreDescriptor::id)).toList();
        this.hosts.forEach(host -> hostById.put(host.id(), host));
        this.cores.forEach(core -> coreById.put(core.id(), core));
    }

    /**
     * @param name      cluster name.
     * @param transport shared transport settings.
     * @param hosts     hosts, any order.
     * @param cores     cores, any order.
     * @return the validated map.
     * @throws ClusterMapException naming the first broken rule.
     */
    public static ClusterMap of(
        final String name,
        final TransportSettings transport,
        final List<HostDescriptor> hosts,
        final List<CoreDescriptor> cores)
    {
        return new ClusterMapDraft("cluster map", name, transport, hosts, cores).toClusterMap();
    }

    /**
     * @param file a YAML cluster map.
     * @return the validated map, without overrides.
     * @throws ClusterMapException when the file cannot be read or the map is invalid.
     */
    public static ClusterMap load(final Path file)
    {
        return load(file, ClusterOverrides.NONE);
    }

    /**
     * @param file      a YAML cluster map.
     * @param overrides environment and flag overrides, applied before validation.
     * @return the validated map.
     * @throws ClusterMapException when the file cannot be read, an override is invalid or the map is invalid.
     */
    public static ClusterMap load(final Path file, final ClusterOverrides overrides)
    {
        return overrides.applyTo(ClusterMapReader.read(file)).toClusterMap();
    }

    /**
     * @param yaml       a YAML cluster map.
     * @param sourceName named first in error messages, for example a file name.
     * @param overrides  environment and flag overrides, applied before validation.
     * @return the validated map.
     * @throws ClusterMapException when an override or the map is invalid.
     */
    public static ClusterMap parse(final String yaml, final String sourceName, final ClusterOverrides overrides)
    {
        return overrides.applyTo(ClusterMapReader.read(yaml, sourceName)).toClusterMap();
    }

    /**
     * The map {@code mk up --cores N --hosts H --transport T} runs, with the default base ports.
     *
     * @param coreCount number of cores.
     * @param hostCount number of simulated hosts the cores are spread over.
     * @param transport IPC or UDP; see {@link LocalClusterGenerator}.
     * @return the validated map.
     * @throws ClusterMapException when the counts are out of range.
     */
    public static ClusterMap local(final int coreCount, final int hostCount, final TransportKind transport)
    {
        return local(coreCount, hostCount, transport,
            ClusterLimits.DEFAULT_UDP_BASE_PORT, ClusterLimits.DEFAULT_ADMIN_BASE_PORT);
    }

    /**
     * The map {@code mk up --cores N --hosts H --transport T} runs.
     *
     * @param coreCount     number of cores.
     * @param hostCount     number of simulated hosts the cores are spread over.
     * @param transport     IPC or UDP; see {@link LocalClusterGenerator}.
     * @param udpBasePort   core {@code i}'s UDP inbox port is this plus {@code i}, when it has one.
     * @param adminBasePort core {@code i}'s admin/metrics port is this plus {@code i}.
     * @return the validated map.
     * @throws ClusterMapException when the counts or ports are out of range.
     */
    public static ClusterMap local(
        final int coreCount,
        final int hostCount,
        final TransportKind transport,
        final int udpBasePort,
        final int adminBasePort)
    {
        return LocalClusterGenerator.generate(coreCount, hostCount, transport, udpBasePort, adminBasePort);
    }

    /**
     * @param overrides environment and flag overrides.
     * @return a validated copy with the overrides applied.
     * @throws ClusterMapException when an override or the result is invalid.
     */
    public ClusterMap withOverrides(final ClusterOverrides overrides)
    {
        return overrides.applyTo(new ClusterMapDraft("cluster map", name, transport, hosts, cores)).toClusterMap();
    }

    /**
     * @return this map as YAML that {@link #parse} reads back to an equal map.
     */
    public String toYaml()
    {
        return ClusterMapWriter.write(this);
    }

    /**
     * Writes {@link #toYaml()} to a file atomically: a reader sees the old file or the new one. The file
     * is {@code rw-------}: it names every core's ports, directories and memory files.
     *
     * @param file where to write, for example {@code RUN_DIR/cluster.yaml}.
     * @throws UncheckedIOException when the file cannot be written.
     */
    public void writeTo(final Path file)
    {
        final Path absolute = file.toAbsolutePath();
        try
        {
            OwnerOnlyFiles.writeAtomically(absolute, toYaml());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write cluster map " + absolute + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the cluster name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the transport settings all cores share.
     */
    public TransportSettings transport()
    {
        return transport;
    }

    /**
     * @return hosts in ascending id order.
     */
    public List<HostDescriptor> hosts()
    {
        return hosts;
    }

    /**
     * @return cores in ascending id order.
     */
    public List<CoreDescriptor> cores()
    {
        return cores;
    }

    /**
     * @return core ids in ascending order.
     */
    public int[] coreIds()
    {
        return cores.stream().mapToInt(CoreDescriptor::id).toArray();
    }

    /**
     * @param coreId a core id.
     * @return true when the map lists the core.
     */
    public boolean hasCore(final int coreId)
    {
        return coreById.containsKey(coreId);
    }

    /**
     * @param coreId a core id a user gave.
     * @return the sentence that says the map does not list it, naming the cores it does; null when it does.
     */
    public String missingCore(final int coreId)
    {
        return hasCore(coreId) ? null :
            "core " + coreId + " is not in the cluster map (cores: " + java.util.Arrays.toString(coreIds()) + ")";
    }

    /**
     * @param coreId a listed core id.
     * @return its descriptor.
     * @throws ClusterMapException when the core is not listed.
     */
    public CoreDescriptor core(final int coreId)
    {
        final CoreDescriptor core = coreById.get(coreId);
        if (null == core)
        {
            throw new ClusterMapException("core " + coreId + " is not in cluster map " + name + " (cores: " +
                describeIds(coreById.keySet()) + ")");
        }
        return core;
    }

    /**
     * @param hostId a listed host id.
     * @return its descriptor.
     * @throws ClusterMapException when the host is not listed.
     */
    public HostDescriptor host(final int hostId)
    {
        final HostDescriptor host = hostById.get(hostId);
        if (null == host)
        {
            throw new ClusterMapException("host " + hostId + " is not in cluster map " + name + " (hosts: " +
                describeIds(hostById.keySet()) + ")");
        }
        return host;
    }

    /**
     * @param coreId a listed core id.
     * @return the host the core runs on.
     */
    public HostDescriptor hostOf(final int coreId)
    {
        return hostById.get(core(coreId).hostId());
    }

    /**
     * @param hostId a host id.
     * @return the cores on that host in ascending id order; empty when none.
     */
    public List<CoreDescriptor> coresOn(final int hostId)
    {
        final List<CoreDescriptor> result = new ArrayList<>();
        for (final CoreDescriptor core : cores)
        {
            if (core.hostId() == hostId)
            {
                result.add(core);
            }
        }
        return result;
    }

    /**
     * How {@code fromCoreId} publishes to {@code toCoreId}'s inbox: IPC when both run on one host and
     * the receiver offers IPC, otherwise UDP (validation guarantees the receiver then has an address).
     *
     * @param fromCoreId the sender.
     * @param toCoreId   the receiver.
     * @return the route.
     */
    public InboxRoute inboxRoute(final int fromCoreId, final int toCoreId)
    {
        final CoreDescriptor from = core(fromCoreId);
        final CoreDescriptor to = core(toCoreId);
        if (from.hostId() == to.hostId() && to.inbox().ipc())
        {
            return InboxRoute.ipc();
        }
        return InboxRoute.udp(to.inbox().udp().orElseThrow(
            () -> new IllegalStateException("core " + toCoreId + " unreachable from " + fromCoreId)));
    }

    /**
     * The base URL of a core's admin API ({@code /metrics}, {@code /health}, ...). A wildcard bind
     * address is replaced by the host's address, or loopback when the host has none.
     *
     * @param coreId a listed core id.
     * @return for example {@code http://127.0.0.1:9400}.
     */
    public String adminUrl(final int coreId)
    {
        final CoreDescriptor core = core(coreId);
        String address = core.adminBindAddress();
        if ("0.0.0.0".equals(address) || "::".equals(address))
        {
            address = hostOf(coreId).address().orElse(ClusterLimits.DEFAULT_ADMIN_BIND_ADDRESS);
        }
        return "http://" + (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + core.adminPort();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean equals(final Object other)
    {
        return other instanceof ClusterMap that && name.equals(that.name) && transport.equals(that.transport) &&
            hosts.equals(that.hosts) && cores.equals(that.cores);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int hashCode()
    {
        return ((name.hashCode() * 31 + transport.hashCode()) * 31 + hosts.hashCode()) * 31 + cores.hashCode();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "ClusterMap{name=" + name + ", hosts=" + hosts.size() + ", cores=" + cores.size() + "}";
    }

    private static String describeIds(final Set<Integer> ids)
    {
        return ids.stream().sorted().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElse("none");
    }
}
