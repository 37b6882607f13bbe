package io.multikernel.node.skb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Cores that receive the same rows, in any order and any number of times, hold the same matrix,
 * and it is the newest row of each core. jqwik prints the seed of a failing case.
 */
class RttMatrixConvergenceTest
{
    private static final int REPLICA_COUNT = 4;

    private record Row(int owner, long incarnation, long sequence, long[] rttNs)
    {
    }

    @Property(tries = 300)
    void everyReplicaConvergesOnTheNewestRows(
        @ForAll final long seed, @ForAll @IntRange(min = 1, max = 12) final int coreCount)
    {
        final Random random = new Random(seed);
        final int[] coreIds = new int[coreCount];
        Arrays.setAll(coreIds, i -> 3 * i + 1);
        final Topology topology = Topology.of(coreIds, new int[coreCount]);
        final List<Row> rows = randomRows(random, topology);

        final List<RttMatrix> replicas = new ArrayList<>();
        for (int r = 0; r < REPLICA_COUNT; r++)
        {
            final List<Row> delivery = new ArrayList<>(rows);
            delivery.addAll(rows.subList(0, random.nextInt(rows.size() + 1)));
            Collections.shuffle(delivery, random);
            final RttMatrix replica = new RttMatrix(topology);
            delivery.forEach(row -> replica.mergeRow(row.owner, row.incarnation, row.sequence, row.rttNs));
            replicas.add(replica);
        }

        for (final RttMatrix replica : replicas)
        {
            assertThat(replica.sameContent(replicas.get(0))).as("seed=%d", seed).isTrue();
            assertThat(replica.fingerprint()).isEqualTo(replicas.get(0).fingerprint());
        }
        assertHoldsNewestRows(replicas.get(0), rows, topology);
    }

    private static void assertHoldsNewestRows(final RttMatrix matrix, final List<Row> rows, final Topology topology)
    {
        final Comparator<Row> newestFirst = Comparator.comparingLong(Row::incarnation)
            .thenComparingLong(Row::sequence).reversed()
            .thenComparing(Row::rttNs, Arrays::compare);
        final long[] held = new long[topology.coreCount()];
        for (final int core : topology.coreIds())
        {
            final Row newest = rows.stream().filter(row -> row.owner == core).min(newestFirst).orElse(null);
            assertThat(matrix.copyRow(core, held)).isEqualTo(null != newest);
            if (null != newest)
            {
                assertThat(held).containsExactly(newest.rttNs);
                assertThat(matrix.rowIncarnation(core)).isEqualTo(newest.incarnation);
                assertThat(matrix.rowSequence(core)).isEqualTo(newest.sequence);
            }
        }
    }

    private static List<Row> randomRows(final Random random, final Topology topology)
    {
        final List<Row> rows = new ArrayList<>();
        for (int owner = 0; owner < topology.coreCount(); owner++)
        {
            final int versions = random.nextInt(5);
            for (int v = 0; v < versions; v++)
            {
                // Small version ranges make equal versions, and so conflicting rows, common.
                rows.add(new Row(topology.coreId(owner), 1 + random.nextInt(2), 1 + random.nextInt(3),
                    randomRow(random, topology.coreCount(), owner)));
            }
        }
        if (rows.isEmpty())
        {
            rows.add(new Row(topology.coreId(0), 1, 1, randomRow(random, topology.coreCount(), 0)));
        }
        return rows;
    }

    private static long[] randomRow(final Random random, final int coreCount, final int ownerIndex)
    {
        final long[] row = new long[coreCount];
        for (int i = 0; i < coreCount; i++)
        {
            row[i] = i == ownerIndex ? 0 : random.nextInt(4) == 0 ? RttMatrix.RTT_UNKNOWN_NS : 100L * random.nextInt(3);
        }
        return row;
    }
}
