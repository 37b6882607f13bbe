package io.multikernel.node.skb;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Computes the {@link SendPlan} of each {@link RoutingProtocol} from the SKB's facts: the topology
 * (which package each core is on) and, for the topology-aware protocol, the RTT matrix.
 *
 * <p>Deterministic: the plan depends only on the protocol, the initiator, the set of targets and
 * the facts, never on the order targets are given in or on the core computing it; every choice
 * between equals falls to the lower core id, then the lower package id. An RTT nobody has measured
 * counts as infinitely far. Targets are de-duplicated and the initiator is dropped from them: it
 * handles its own part locally.
 *
 * <p>Package-aware multicast uses only cores that are targets as aggregators, so no core outside
 * the target set is disturbed, and it treats the initiator's own package like any other (one
 * message to an aggregator there). Thus the initiator sends exactly one message per package that
 * holds targets. Reads the RTT matrix it was given at each call; owned by the same agent as the
 * matrix; not thread-safe.
 */
public final class RoutingPlanner
{
    private final Topology topology;
    private final RttMatrix rttMatrix;

    /**
     * @param topology  the cores and their packages.
     * @param rttMatrix measured RTTs over the same topology.
     * @throws IllegalArgumentException when the matrix covers another topology.
     */
    public RoutingPlanner(final Topology topology, final RttMatrix rttMatrix)
    {
        if (!topology.equals(rttMatrix.topology()))
        {
            throw new IllegalArgumentException("RTT matrix covers " + rttMatrix.topology() + ", not " + topology);
        }
        this.topology = topology;
        this.rttMatrix = rttMatrix;
    }

    /**
     * @param protocol      the protocol.
     * @param initiatorCore the core that starts the send.
     * @param targetCores   the cores to reach, any order; duplicates and the initiator are ignored.
     * @return the plan.
     * @throws IllegalArgumentException when the initiator or a target is not in the topology.
     */
    public SendPlan plan(final RoutingProtocol protocol, final int initiatorCore, final int[] targetCores)
    {
        topology.requireIndex(initiatorCore);
        final int[] targets = normalise(initiatorCore, targetCores);
        final SendPlan.Builder plan = new SendPlan.Builder(topology, protocol, initiatorCore, targets);
        switch (protocol)
        {
            case UNICAST -> planUnicast(plan, initiatorCore, targets);
            case BROADCAST -> plan.sharedWrite(initiatorCore, targets);
            case MULTICAST -> planMulticast(plan, initiatorCore, groupByPackage(targets));
            case TOPOLOGY_AWARE_MULTICAST -> planTopologyAware(plan, initiatorCore, groupByPackage(targets));
            default -> throw new IllegalStateException("unplanned protocol " + protocol);
        }
        return plan.build();
    }

    private static void planUnicast(final SendPlan.Builder plan, final int initiator, final int[] targets)
    {
        for (final int target : targets)
        {
            plan.send(initiator, target);
        }
    }

    private static void planMulticast(final SendPlan.Builder plan, final int initiator, final int[][] groups)
    {
        for (final int[] group : groups)
        {
            plan.send(initiator, group[0]);
        }
        for (final int[] group : groups)
        {
            for (int i = 1; i < group.length; i++)
            {
                plan.send(group[0], group[i]);
            }
        }
    }

    private void planTopologyAware(final SendPlan.Builder plan, final int initiator, final int[][] groups)
    {
        final Integer[][] ordered = new Integer[groups.length][];
        for (int g = 0; g < groups.length; g++)
        {
            ordered[g] = Arrays.stream(groups[g]).boxed().toArray(Integer[]::new);
            // The aggregator is the target nearest the initiator; the rest go farthest from it first.
            Arrays.sort(ordered[g], Comparator.comparingLong((Integer core) -> sortableDistance(initiator, core))
                .thenComparingInt(core -> core));
            final int aggregator = ordered[g][0];
            Arrays.sort(ordered[g], 1, ordered[g].length,
                Comparator.comparingLong((Integer core) -> sortableDistance(aggregator, core)).reversed()
                    .thenComparingInt(core -> core));
        }
        // Farthest package first, measured to the aggregator the message actually goes to.
        Arrays.sort(ordered, Comparator.comparingLong((Integer[] group) -> sortableDistance(initiator, group[0]))
            .reversed()
            .thenComparingInt(group -> topology.packageOf(group[0])));
        for (final Integer[] group : ordered)
        {
            plan.send(initiator, group[0]);
        }
        for (final Integer[] group : ordered)
        {
            for (int i = 1; i < group.length; i++)
            {
                plan.send(group[0], group[i]);
            }
        }
    }

    private long sortableDistance(final int fromCore, final int toCore)
    {
        final long distanceNs = rttMatrix.distanceNs(fromCore, toCore);
        return distanceNs == RttMatrix.RTT_UNKNOWN_NS ? Long.MAX_VALUE : distanceNs;
    }

    private int[] normalise(final int initiator, final int[] targetCores)
    {
        final int[] sorted = targetCores.clone();
        Arrays.sort(sorted);
        int count = 0;
        for (int i = 0; i < sorted.length; i++)
        {
            topology.requireIndex(sorted[i]);
            if (sorted[i] != initiator && (i == 0 || sorted[i] != sorted[i - 1]))
            {
                sorted[count++] = sorted[i];
            }
        }
        return Arrays.copyOf(sorted, count);
    }

    /**
     * @param targets ascending.
     * @return per package holding targets, ascending by package id, its targets ascending.
     */
    private int[][] groupByPackage(final int[] targets)
    {
        final int[] packageIds = topology.packageIds();
        final int[] sizes = new int[packageIds.length];
        for (final int target : targets)
        {
            sizes[Arrays.binarySearch(packageIds, topology.packageOf(target))]++;
        }
        final int[][] groups = new int[(int)Arrays.stream(sizes).filter(size -> size > 0).count()][];
        final int[] groupOfPackage = new int[packageIds.length];
        for (int p = 0, g = 0; p < packageIds.length; p++)
        {
            groupOfPackage[p] = sizes[p] > 0 ? g : -1;
            if (sizes[p] > 0)
            {
                groups[g++] = new int[sizes[p]];
            }
            sizes[p] = 0;
        }
        for (final int target : targets)
        {
            final int p = Arrays.binarySearch(packageIds, topology.packageOf(target));
            groups[groupOfPackage[p]][sizes[p]++] = target;
        }
        return groups;
    }
}
