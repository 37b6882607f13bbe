package io.multikernel.node.memory;

import io.multikernel.node.caps.PhysicalRange;
import io.multikernel.node.cluster.ClusterLimits;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.CoreDescriptor;
import io.multikernel.node.cluster.HostDescriptor;
import io.multikernel.transport.TransportConfiguration;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where every host's physical memory sits in the cluster's physical address space, and which part
 * of it each core's memory server hands out. Derived from the cluster map alone, so every core
 * computes the same layout.
 *
 * <p>Host {@code h} owns the window of {@link #HOST_WINDOW_BYTES} starting at
 * {@code h * HOST_WINDOW_BYTES}; the first {@code memory(h)} bytes of it are backed by the host's
 * memory file, the rest is a hole, so an address says by itself which host holds it. The cores of
 * a host, in id order, split its memory into equal whole pages; the last core also takes the pages
 * left over.
 *
 * <pre>
 *   address 0                          1 x HOST_WINDOW_BYTES               2 x HOST_WINDOW_BYTES
 *   | host 0: memory(0) bytes | hole    | host 1: memory(1) bytes | hole    | host 2 ...
 *   | core 0 | core 1 | core 2+rest |   | core 3 | core 4+rest   |
 * </pre>
 *
 * A host's memory file is its {@code memoryFile} in the map, by default the host's Aeron directory
 * (the map's {@code aeronDir}, else {@link TransportConfiguration#aeronDirectory()}) followed by
 * {@link HostDescriptor#MEMORY_FILE_SUFFIX} ({@link HostDescriptor#memoryFileOrDefault}): a sibling of the directory of the host's media driver, so the cores
 * of one host map one file and two hosts, or two clusters, with their own drivers never share one.
 * Immutable.
 */
public final class PhysicalLayout
{
    /** Bytes of physical address space each host owns, whatever its memory: 1 TiB. */
    public static final long HOST_WINDOW_BYTES = 1L << 40;

    static
    {
        // Every host's memory fits its window, and the window of the largest host id has an address.
        if (HOST_WINDOW_BYTES < ClusterLimits.HOST_MEMORY_MAX_BYTES ||
            HOST_WINDOW_BYTES % ClusterLimits.PAGE_LENGTH_BYTES != 0 ||
            ClusterLimits.HOST_ID_MAX + 1L > Long.MAX_VALUE / HOST_WINDOW_BYTES)
        {
            throw new IllegalStateException("HOST_WINDOW_BYTES=" + HOST_WINDOW_BYTES + " does not hold " +
                "HOST_MEMORY_MAX_BYTES=" + ClusterLimits.HOST_MEMORY_MAX_BYTES + " in whole pages for host ids up to " +
                ClusterLimits.HOST_ID_MAX);
        }
    }

    private final ClusterMap map;
    private final Map<Integer, PhysicalRange> hostRanges;
    private final Map<Integer, PhysicalRange> serverRanges;
    private final Map<Integer, Path> memoryFiles;

    private PhysicalLayout(
        final ClusterMap map,
        final Map<Integer, PhysicalRange> hostRanges,
        final Map<Integer, PhysicalRange> serverRanges,
        final Map<Integer, Path> memoryFiles)
    {
        this.map = map;
        this.hostRanges = Collections.unmodifiableMap(hostRanges);
        this.serverRanges = Collections.unmodifiableMap(serverRanges);
        this.memoryFiles = Collections.unmodifiableMap(memoryFiles);
    }

    /**
     * @param map a validated cluster map; validation guarantees every core of a host at least one page.
     * @return the layout of the map's physical memory.
     */
    public static PhysicalLayout of(final ClusterMap map)
    {
        final Map<Integer, PhysicalRange> hostRanges = new TreeMap<>();
        final Map<Integer, PhysicalRange> serverRanges = new TreeMap<>();
        final Map<Integer, Path> memoryFiles = new TreeMap<>();
        for (final HostDescriptor host : map.hosts())
        {
            final PhysicalRange hostRange = new PhysicalRange(host.id() * HOST_WINDOW_BYTES, host.memoryBytesOrDefault());
            hostRanges.put(host.id(), hostRange);
            memoryFiles.put(host.id(), memoryFileOf(host));
            split(hostRange, map.coresOn(host.id()), serverRanges);
        }
        return new PhysicalLayout(map, hostRanges, serverRanges, memoryFiles);
    }

    /**
     * @return every core of the map, in id order, to the range its memory server hands out: disjoint,
     *         page-aligned, inside the core's host range, together covering every host that runs cores.
     */
    public Map<Integer, PhysicalRange> serverRanges()
    {
        return serverRanges;
    }

    /**
     * @param hostId a host of the map.
     * @return the part of the host's window that its memory backs.
     * @throws io.multikernel.node.cluster.ClusterMapException when the map does not list the host.
     */
    public PhysicalRange hostRange(final int hostId)
    {
        map.host(hostId);
        return hostRanges.get(hostId);
    }

    /**
     * @param physicalAddress any address.
     * @return the id of the host whose memory holds the address, or -1 when none does (a negative
     *         address, a hole after a host's memory, or the window of a host the map does not list).
     */
    public int hostOf(final long physicalAddress)
    {
        if (physicalAddress < 0)
        {
            return -1;
        }
        final long window = physicalAddress / HOST_WINDOW_BYTES;
        if (window > ClusterLimits.HOST_ID_MAX)
        {
            return -1;
        }
        final PhysicalRange range = hostRanges.get((int)window);
        return null != range && physicalAddress - range.base() < range.length() ? (int)window : -1;
    }

    /**
     * @param hostId a host of the map.
     * @return the file every core of the host maps as its physical memory.
     * @throws io.multikernel.node.cluster.ClusterMapException when the map does not list the host.
     */
    public Path memoryFile(final int hostId)
    {
        map.host(hostId);
        return memoryFiles.get(hostId);
    }

    /**
     * Maps a host's physical memory into this process, creating its file if no core of the host has.
     *
     * @param hostId a host of the map.
     * @return the mapping, based at the host's window; the caller closes it.
     * @throws io.multikernel.node.cluster.ClusterMapException when the map does not list the host.
     * @throws IllegalArgumentException when the file exists with another length.
     * @throws java.io.UncheckedIOException when the file cannot be created or mapped.
     */
    public PhysicalMemory map(final int hostId)
    {
        final PhysicalRange range = hostRange(hostId);
        return PhysicalMemory.map(memoryFile(hostId), range.base(), range.length());
    }

    private static Path memoryFileOf(final HostDescriptor host)
    {
        return Path.of(host.memoryFileOrDefault());
    }

    private static void split(
        final PhysicalRange hostRange, final List<CoreDescriptor> cores, final Map<Integer, PhysicalRange> serverRanges)
    {
        if (cores.isEmpty())
        {
            return;
        }
        final long pages = hostRange.length() / ClusterLimits.PAGE_LENGTH_BYTES;
        final long pagesPerCore = pages / cores.size();
        if (pagesPerCore < 1)
        {
            throw new IllegalStateException("host memory " + hostRange + " holds fewer pages than its " +
                cores.size() + " cores; the cluster map's validation lets no such map exist");
        }
        for (int i = 0; i < cores.size(); i++)
        {
            final long firstPage = i * pagesPerCore;
            final long pageCount = i == cores.size() - 1 ? pages - firstPage : pagesPerCore;
            serverRanges.put(cores.get(i).id(), new PhysicalRange(
                hostRange.base() + firstPage * ClusterLimits.PAGE_LENGTH_BYTES,
                pageCount * ClusterLimits.PAGE_LENGTH_BYTES));
        }
    }
}
