package io.multikernel.node.skb;

import java.util.Arrays;
import java.util.Random;

/**
 * A random but replayable routing situation for property tests: a topology with sparse core ids,
 * packages of uneven size, an RTT matrix with gaps and ties, an initiator and a target list with
 * duplicates, sometimes including the initiator. Everything derives from the seed printed by
 * {@link #toString()}.
 */
final class RoutingScenario
{
    private static final int CORE_ID_SPREAD = 4;
    private static final long RTT_STEP_NS = 1_000;

    final long seed;
    final Topology topology;
    final RttMatrix rttMatrix;
    final int initiator;
    final int[] targets;

    private RoutingScenario(
        final long seed, final Topology topology, final RttMatrix rttMatrix, final int initiator, final int[] targets)
    {
        this.seed = seed;
        this.topology = topology;
        this.rttMatrix = rttMatrix;
        this.initiator = initiator;
        this.targets = targets;
    }

    static RoutingScenario generate(final long seed, final int coreCount, final int packageCount)
    {
        final Random random = new Random(seed);
        final int[] coreIds = random.ints(0, coreCount * CORE_ID_SPREAD).distinct().limit(coreCount).toArray();
        final int[] packages = random.ints(coreCount, 0, packageCount).toArray();
        final Topology topology = Topology.of(coreIds, packages);
        final RttMatrix rttMatrix = new RttMatrix(topology);
        for (int from = 0; from < coreCount; from++)
        {
            if (random.nextInt(5) > 0)
            {
                rttMatrix.publishOwnRow(topology.coreId(from), 1, randomRow(random, topology, from));
            }
        }
        final int initiator = coreIds[random.nextInt(coreCount)];
        final double share = random.nextDouble();
        final int[] targets = random.ints(random.nextInt(2 * coreCount + 1), 0, coreCount)
            .filter(i -> random.nextDouble() < share || coreIds[i] == initiator)
            .map(i -> coreIds[i])
            .toArray();
        return new RoutingScenario(seed, topology, rttMatrix, initiator, targets);
    }

    /**
     * @return the distinct targets without the initiator, ascending: what a plan must reach.
     */
    int[] expectedTargets()
    {
        return Arrays.stream(targets).filter(core -> core != initiator).distinct().sorted().toArray();
    }

    /**
     * @return the same facts built in another order: topology from shuffled arrays, matrix rows
     *         merged newest-core-first, targets shuffled. A deterministic planner cannot tell.
     */
    RoutingScenario rebuiltInAnotherOrder()
    {
        final Random random = new Random(~seed);
        final int coreCount = topology.coreCount();
        final int[] order = shuffled(random, coreCount);
        final int[] coreIds = new int[coreCount];
        final int[] packages = new int[coreCount];
        for (int i = 0; i < coreCount; i++)
        {
            coreIds[i] = topology.coreId(order[i]);
            packages[i] = topology.packageOfIndex(order[i]);
        }
        final Topology otherTopology = Topology.of(coreIds, packages);
        final RttMatrix otherMatrix = new RttMatrix(otherTopology);
        final long[] row = new long[coreCount];
        for (int i = coreCount - 1; i >= 0; i--)
        {
            final int core = topology.coreId(i);
            if (rttMatrix.copyRow(core, row))
            {
                otherMatrix.mergeRow(core, rttMatrix.rowIncarnation(core), rttMatrix.rowSequence(core), row);
            }
        }
        final int[] targetOrder = shuffled(random, targets.length);
        final int[] otherTargets = Arrays.stream(targetOrder).map(i -> targets[i]).toArray();
        return new RoutingScenario(seed, otherTopology, otherMatrix, initiator, otherTargets);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "RoutingScenario{seed=" + seed + ", " + topology + ", initiator=" + initiator +
            ", targets=" + Arrays.toString(targets) + "}";
    }

    private static long[] randomRow(final Random random, final Topology topology, final int from)
    {
        final long[] row = new long[topology.coreCount()];
        for (int to = 0; to < row.length; to++)
        {
            if (to == from)
            {
                continue;
            }
            final boolean samePackage = topology.packageOfIndex(to) == topology.packageOfIndex(from);
            // Coarse steps make equal distances common, so tie-breaks get exercised.
            row[to] = random.nextInt(6) == 0 ? RttMatrix.RTT_UNKNOWN_NS :
                RTT_STEP_NS * (samePackage ? 1 + random.nextInt(2) : 3 + random.nextInt(4));
        }
        return row;
    }

    private static int[] shuffled(final Random random, final int length)
    {
        final int[] order = new int[length];
        Arrays.setAll(order, i -> i);
        for (int i = length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
