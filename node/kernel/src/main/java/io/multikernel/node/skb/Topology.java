package io.multikernel.node.skb;

import java.util.Arrays;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.CoreDescriptor;

/**
 * The SKB's static facts: which cores exist and which package (host) each core is on. Cores are
 * numbered densely by ascending core id ("core index"), which is how {@link RttMatrix} lays out
 * its rows. Immutable; equal on every core of a cluster because it derives from the cluster map.
 */
public final class Topology
{
    /** Returned by {@link #indexOf(int)} for a core that is not in the topology. */
    public static final int NO_INDEX = -1;

    private final int[] coreIds;
    private final int[] packageOfIndex;
    private final int[] packageIds;

    private Topology(final int[] coreIds, final int[] packageOfIndex)
    {
        this.coreIds = coreIds;
        this.packageOfIndex = packageOfIndex;
        this.packageIds = Arrays.stream(packageOfIndex).distinct().sorted().toArray();
    }

    /**
     * @param coreIds          core ids, any order, unique, each at least 0.
     * @param packageOfCoreIds the package of {@code coreIds[i]} at index {@code i}, each at least 0.
     * @return the topology.
     * @throws IllegalArgumentException when the arrays differ in length, are empty, or hold
     *                                  negative or duplicate ids.
     */
    public static Topology of(final int[] coreIds, final int[] packageOfCoreIds)
    {
        if (coreIds.length == 0 || coreIds.length != packageOfCoreIds.length)
        {
            throw new IllegalArgumentException("coreIds.length=" + coreIds.length +
                " and packageOfCoreIds.length=" + packageOfCoreIds.length + " must be equal and non-zero");
        }
        final Integer[] order = new Integer[coreIds.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Integer.compare(coreIds[a], coreIds[b]));
        final int[] sortedCores = new int[coreIds.length];
        final int[] sortedPackages = new int[coreIds.length];
        for (int i = 0; i < order.length; i++)
        {
            sortedCores[i] = coreIds[order[i]];
            sortedPackages[i] = packageOfCoreIds[order[i]];
            if (sortedCores[i] < 0 || sortedPackages[i] < 0 || (i > 0 && sortedCores[i] == sortedCores[i - 1]))
            {
                throw new IllegalArgumentException("core id=" + sortedCores[i] + " package=" + sortedPackages[i] +
                    " is negative or a duplicate");
            }
        }
        return new Topology(sortedCores, sortedPackages);
    }

    /**
     * @param map a validated cluster map.
     * @return its cores, with each core's host as its package.
     */
    public static Topology from(final ClusterMap map)
    {
        return of(map.coreIds(), map.cores().stream().mapToInt(CoreDescriptor::hostId).toArray());
    }

    /**
     * @return number of cores.
     */
    public int coreCount()
    {
        return coreIds.length;
    }

    /**
     * @return core ids in ascending order (a copy).
     */
    public int[] coreIds()
    {
        return coreIds.clone();
    }

    /**
     * @param index a core index, 0..{@link #coreCount()}-1.
     * @return the core id at that index.
     */
    public int coreId(final int index)
    {
        return coreIds[index];
    }

    /**
     * @param coreId a core id.
     * @return its core index, or {@link #NO_INDEX} when the core is not in the topology.
     */
    public int indexOf(final int coreId)
    {
        final int index = Arrays.binarySearch(coreIds, coreId);
        return index >= 0 ? index : NO_INDEX;
    }

    /**
     * @param coreId a core id.
     * @return true when the core is in the topology.
     */
    public boolean contains(final int coreId)
    {
        return indexOf(coreId) != NO_INDEX;
    }

    /**
     * @param coreId a core in the topology.
     * @return the package (host id) it is on.
     * @throws IllegalArgumentException when the core is not in the topology.
     */
    public int packageOf(final int coreId)
    {
        return packageOfIndex[requireIndex(coreId)];
    }

    /**
     * @param index a core index.
     * @return the package of the core at that index.
     */
    public int packageOfIndex(final int index)
    {
        return packageOfIndex[index];
    }

    /**
     * @return the packages that hold at least one core, ascending (a copy).
     */
    public int[] packageIds()
    {
        return packageIds.clone();
    }

    /**
     * @param packageId a package id.
     * @return the cores on that package, ascending; empty when none.
     */
    public int[] coresInPackage(final int packageId)
    {
        int count = 0;
        for (final int p : packageOfIndex)
        {
            count += p == packageId ? 1 : 0;
        }
        final int[] result = new int[count];
        for (int i = 0, j = 0; i < coreIds.length; i++)
        {
            if (packageOfIndex[i] == packageId)
            {
                result[j++] = coreIds[i];
            }
        }
        return result;
    }

    /**
     * @param coreId a core id.
     * @return its core index.
     * @throws IllegalArgumentException when the core is not in the topology.
     */
    public int requireIndex(final int coreId)
    {
        final int index = indexOf(coreId);
        if (index == NO_INDEX)
        {
            throw new IllegalArgumentException("core " + coreId + " is not in the topology (" + coreIds.length +
                " cores, ids " + coreIds[0] + ".." + coreIds[coreIds.length - 1] + ")");
        }
        return index;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean equals(final Object other)
    {
        return other instanceof Topology that && Arrays.equals(coreIds, that.coreIds) &&
            Arrays.equals(packageOfIndex, that.packageOfIndex);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(coreIds) + Arrays.hashCode(packageOfIndex);
    }

    /**
     * @return for example {@code Topology{0:[0, 1], 1:[2, 3]}}, package to cores.
     */
    @Override
    public String toString()
    {
        final StringBuilder builder = new StringBuilder("Topology{");
        for (final int packageId : packageIds)
        {
            builder.append(builder.length() > "Topology{".length() ? ", " : "")
                .append(packageId).append(':').append(Arrays.toString(coresInPackage(packageId)));
        }
        return builder.append('}').toString();
    }
}
