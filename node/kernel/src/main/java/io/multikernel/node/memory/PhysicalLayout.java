package io.multikernel.node.memory;

import io.multikernel.node.caps.PhysicalRange;
import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.CoreDescriptor;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** TEMPORARY stand-in until the cluster map carries host memory. */
public final class PhysicalLayout
{
    public static final long HOST_WINDOW_BYTES = 1L << 40;
    private static final long MEMORY = 16L << 20;
    private final ClusterMap map;
    private final Map<Integer, PhysicalRange> ranges = new TreeMap<>();

    private PhysicalLayout(final ClusterMap map)
    {
        this.map = map;
        final Map<Integer, Integer> perHost = new TreeMap<>();
        for (final CoreDescriptor core : map.cores())
        {
            perHost.merge(core.hostId(), 1, Integer::sum);
        }
        final Map<Integer, Integer> seen = new TreeMap<>();
        for (final CoreDescriptor core : map.cores())
        {
            final int n = perHost.get(core.hostId());
            final int i = seen.merge(core.hostId(), 1, Integer::sum) - 1;
            final long part = MEMORY / n / 4096 * 4096;
            ranges.put(core.id(), new PhysicalRange(core.hostId() * HOST_WINDOW_BYTES + i * part, part));
        }
    }

    public static PhysicalLayout of(final ClusterMap map)
    {
        return new PhysicalLayout(map);
    }

    public Map<Integer, PhysicalRange> serverRanges()
    {
        return ranges;
    }

    public int hostOf(final long address)
    {
        return (int)(address / HOST_WINDOW_BYTES);
    }

    public Path memoryFile(final int hostId)
    {
        return Path.of(map.host(hostId).aeronDir().orElse("/dev/shm/aeron-mk") + ".memory");
    }

    public PhysicalMemory map(final int hostId)
    {
        return PhysicalMemory.map(memoryFile(hostId), hostId * HOST_WINDOW_BYTES, MEMORY);
    }
}
