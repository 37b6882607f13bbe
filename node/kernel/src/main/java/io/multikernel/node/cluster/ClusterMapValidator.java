package io.multikernel.node.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks the rules that span fields and entries of a cluster map: at least one core, unique ids,
 * hosts that exist, a page of memory for every core of a host, ports and memory files that do not
 * clash on one machine, and an inbox every peer can reach.
 * Single fields are checked where they are read ({@link ClusterMapReader}, {@link ClusterOverrides}).
 */
final class ClusterMapValidator
{
    private final String source;
    /** UDP hosts whose socket takes the port on 127.0.0.1: loopback, or every address. */
    private static final java.util.Set<String> LOOPBACK_OR_ANY =
        java.util.Set.of("127.0.0.1", "localhost", "0.0.0.0", "::", "[::]");

    private final Map<Integer, HostDescriptor> hostById = new HashMap<>();

    private ClusterMapValidator(final String source)
    {
        this.source = source;
    }

    /**
     * @param source named first in error messages, for example the file name.
     * @param draft  the map to check.
     * @throws ClusterMapException naming the first broken rule.
     */
    static void validate(final String source, final ClusterMapDraft draft)
    {
        final ClusterMapValidator validator = new ClusterMapValidator(source);
        validator.checkName(draft.name());
        validator.checkCounts(draft.hosts(), draft.cores());
        validator.indexHosts(draft.hosts());
        validator.checkCores(draft.cores());
        validator.checkHostMemory(draft.hosts(), draft.cores());
        validator.checkPorts(draft.cores());
        validator.checkReachability(draft.cores());
    }

    private void checkName(final String name)
    {
        final String problem = ClusterLimits.clusterNameProblem(name);
        if (null != problem)
        {
            throw error("cluster=" + name + " " + problem);
        }
    }

    private void checkCounts(final List<HostDescriptor> hosts, final List<CoreDescriptor> cores)
    {
        if (cores.isEmpty())
        {
            throw error("cores is empty; a cluster needs at least one core");
        }
        if (cores.size() > ClusterLimits.CORE_COUNT_MAX)
        {
            throw error("cores lists " + cores.size() + " cores, more than CORE_COUNT_MAX=" +
                ClusterLimits.CORE_COUNT_MAX);
        }
        if (hosts.isEmpty())
        {
            throw error("hosts is empty; list the host of every core");
        }
        if (hosts.size() > ClusterLimits.HOST_COUNT_MAX)
        {
            throw error("hosts lists " + hosts.size() + " hosts, more than HOST_COUNT_MAX=" +
                ClusterLimits.HOST_COUNT_MAX);
        }
    }

    private void indexHosts(final List<HostDescriptor> hosts)
    {
        for (final HostDescriptor host : hosts)
        {
            if (null != hostById.putIfAbsent(host.id(), host))
            {
                throw error("hosts[].id=" + host.id() + " is listed twice; host ids must be unique");
            }
        }
    }

    private void checkCores(final List<CoreDescriptor> cores)
    {
        final Map<Integer, CoreDescriptor> coreById = new HashMap<>();
        for (final CoreDescriptor core : cores)
        {
            if (null != coreById.putIfAbsent(core.id(), core))
            {
                throw error("cores[].id=" + core.id() + " is listed twice; core ids must be unique");
            }
            if (!hostById.containsKey(core.hostId()))
            {
                throw error(field(core, "host") + "=" + core.hostId() + " is not a listed host (hosts: " +
                    hostById.keySet().stream().sorted().map(String::valueOf).collect(Collectors.joining(", ")) + ")");
            }
        }
    }

    /**
     * Every core of a host gets a memory server's share of the host's memory, at least one page; two
     * hosts of one machine must not map one file (its memoryFile, else its aeronDir + .memory), or
     * their "separate" memories would be the same bytes.
     */
    private void checkHostMemory(final List<HostDescriptor> hosts, final List<CoreDescriptor> cores)
    {
        final Map<Integer, Integer> coreCountByHost = new HashMap<>();
        cores.forEach(core -> coreCountByHost.merge(core.hostId(), 1, Integer::sum));
        final Map<String, HostDescriptor> memoryFiles = new HashMap<>();
        for (final HostDescriptor host : hosts)
        {
            final long pages = host.memoryBytesOrDefault() / ClusterLimits.PAGE_LENGTH_BYTES;
            final int coreCount = coreCountByHost.getOrDefault(host.id(), 0);
            if (pages < coreCount)
            {
                throw error("hosts[id=" + host.id() + "].memory=" + host.memoryBytesOrDefault() + " holds " + pages +
                    " page(s) of " + ClusterLimits.PAGE_LENGTH_BYTES + " bytes, fewer than its " + coreCount +
                    " cores; give the host at least " + (long)coreCount * ClusterLimits.PAGE_LENGTH_BYTES + " bytes");
            }
            final String memoryFile = host.memoryFileOrDefault();
            final HostDescriptor other = memoryFiles.putIfAbsent(host.machineKey() + " file " + memoryFile, host);
            // Hosts that name neither file nor directory are the generated local map's, whose launcher
            // gives each host its own directory and file before any core starts.
            if (null != other && (placesItsFiles(host) || placesItsFiles(other)))
            {
                throw error(host.memoryFile().isPresent() ?
                    "hosts[id=" + host.id() + "].memoryFile=" + memoryFile + " clashes with host " + other.id() +
                        " on the same machine (" + host.machineKey() + ")" :
                    "hosts[id=" + host.id() + "] would map memory file " + memoryFile + " (" +
                        (host.aeronDir().isPresent() ? "its aeronDir" : "the default Aeron directory") + " + " +
                        HostDescriptor.MEMORY_FILE_SUFFIX + "), as host " + other.id() + " does on the same machine (" +
                        host.machineKey() + "); give each host its own aeronDir or memoryFile");
            }
        }
    }

    private static boolean placesItsFiles(final HostDescriptor host)
    {
        return host.aeronDir().isPresent() || host.memoryFile().isPresent();
    }

    /**
     * Admin ports (TCP) are unique per machine, and so are UDP inbox ports. A core's admin port is a
     * UDP port on loopback too: a core of a one-host cluster binds its doorbell, which peers ring to
     * wake it from a doze, at 127.0.0.1 and its admin port, so no inbox on loopback or on every
     * address of that machine may use that port.
     */
    private void checkPorts(final List<CoreDescriptor> cores)
    {
        final Map<String, CoreDescriptor> adminPorts = new HashMap<>();
        final Map<String, CoreDescriptor> udpPorts = new HashMap<>();
        final Map<String, CoreDescriptor> udpEndpoints = new HashMap<>();
        for (final CoreDescriptor core : cores)
        {
            final String machine = hostById.get(core.hostId()).machineKey();
            checkClash(adminPorts, machine + " port " + core.adminPort(), core,
                "adminPort=" + core.adminPort(), "on the same machine (" + machine + ")");
            if (core.inbox().udp().isPresent())
            {
                final UdpEndpoint udp = core.inbox().udp().get();
                final String value = "inbox.udp=" + udp;
                checkClash(udpEndpoints, udp.toString(), core, value, "(same UDP endpoint)");
                checkClash(udpPorts, machine + " port " + udp.port(), core, value,
                    "on the same machine (" + machine + ")");
            }
        }
        for (final CoreDescriptor core : cores)
        {
            final String machine = hostById.get(core.hostId()).machineKey();
            final CoreDescriptor doorbell = adminPorts.get(machine + " port " + core.inbox().udp()
                .filter(udp -> LOOPBACK_OR_ANY.contains(udp.host())).map(UdpEndpoint::port).orElse(-1));
            if (null != doorbell)
            {
                throw error("cores[id=" + core.id() + "].inbox.udp=" + core.inbox().udp().get() + " clashes with " +
                    (doorbell.id() == core.id() ? "its own" : "core " + doorbell.id() + "'s") +
                    " adminPort, where a core binds its UDP doorbell on 127.0.0.1, on the same machine (" +
                    machine + ")");
            }
        }
    }

    private void checkClash(
        final Map<String, CoreDescriptor> seen,
        final String key,
        final CoreDescriptor core,
        final String fieldAndValue,
        final String where)
    {
        final CoreDescriptor other = seen.putIfAbsent(key, core);
        if (null != other)
        {
            throw error("cores[id=" + core.id() + "]." + fieldAndValue + " clashes with core " + other.id() + " " +
                where);
        }
    }

    private void checkReachability(final List<CoreDescriptor> cores)
    {
        for (final CoreDescriptor core : cores)
        {
            if (core.inbox().udp().isPresent())
            {
                continue;
            }
            for (final CoreDescriptor peer : cores)
            {
                if (peer.hostId() != core.hostId())
                {
                    throw error(field(core, "inbox") + "=ipc has no udp endpoint, but core " + peer.id() +
                        " on host " + peer.hostId() + " must reach it; add inbox.udp");
                }
            }
        }
    }

    private static String field(final CoreDescriptor core, final String name)
    {
        return "cores[id=" + core.id() + "]." + name;
    }

    private ClusterMapException error(final String message)
    {
        return new ClusterMapException(source + ": " + message);
    }
}
