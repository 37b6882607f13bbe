package io.multikernel.node.skb;

import static io.multikernel.node.skb.RttMatrix.MergeOutcome.APPLIED;
import static io.multikernel.node.skb.RttMatrix.MergeOutcome.CONFLICT_APPLIED;
import static io.multikernel.node.skb.RttMatrix.MergeOutcome.CONFLICT_IGNORED;
import static io.multikernel.node.skb.RttMatrix.MergeOutcome.DUPLICATE;
import static io.multikernel.node.skb.RttMatrix.MergeOutcome.REJECTED;
import static io.multikernel.node.skb.RttMatrix.MergeOutcome.STALE;
import static io.multikernel.node.skb.RttMatrix.RTT_UNKNOWN_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RttMatrixTest
{
    private static final long U = RTT_UNKNOWN_NS;

    private final Topology topology = Topology.of(new int[]{10, 20, 30}, new int[]{0, 0, 1});
    private final RttMatrix matrix = new RttMatrix(topology);

    @Test
    void startsUnknownExceptToItself()
    {
        assertThat(matrix.rttNs(10, 20)).isEqualTo(U);
        assertThat(matrix.rttNs(10, 10)).isZero();
        assertThat(matrix.hasRow(10)).isFalse();
        assertThat(matrix.rowSequence(10)).isZero();
        assertThat(matrix.medianRttNs(10)).isEqualTo(U);
    }

    @Test
    void publishesOwnRowsWithRisingSequences()
    {
        assertThat(matrix.publishOwnRow(20, 7, new long[]{1_000, 99, U})).isEqualTo(1);
        assertThat(matrix.publishOwnRow(20, 7, new long[]{1_100, 0, 50_000})).isEqualTo(2);

        assertThat(matrix.rttNs(20, 10)).isEqualTo(1_100);
        assertThat(matrix.rttNs(20, 30)).isEqualTo(50_000);
        assertThat(matrix.rowIncarnation(20)).isEqualTo(7);
        assertThat(matrix.rowSequence(20)).isEqualTo(2);
    }

    @Test
    void restartsTheSequenceInANewIncarnationAndRefusesAnOlderOne()
    {
        matrix.publishOwnRow(20, 7, new long[]{1_000, 0, U});
        matrix.publishOwnRow(20, 7, new long[]{1_000, 0, U});

        assertThat(matrix.publishOwnRow(20, 8, new long[]{2_000, 0, U})).isEqualTo(1);
        assertThat(matrix.rttNs(20, 10)).isEqualTo(2_000);
        assertThatThrownBy(() -> matrix.publishOwnRow(20, 6, new long[]{3_000, 0, U}))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("core 20 incarnation=6 is older than its published incarnation=8");
        assertThatThrownBy(() -> matrix.publishOwnRow(20, 8, new long[]{1, 0}))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void newerVersionWinsWhateverTheArrivalOrder()
    {
        final long[] old = {0, 500, U};
        final long[] newer = {0, 400, 9_000};
        final long[] nextLife = {0, 300, U};

        final long before = matrix.version();
        assertThat(matrix.mergeRow(10, 1, 2, newer)).isEqualTo(APPLIED);
        assertThat(matrix.version()).isEqualTo(before + 1);
        assertThat(matrix.mergeRow(10, 1, 1, old)).isEqualTo(STALE);
        assertThat(matrix.mergeRow(10, 1, 2, newer)).isEqualTo(DUPLICATE);
        assertThat(matrix.mergeRow(99, 1, 1, newer)).isEqualTo(REJECTED);
        assertThat(matrix.version()).as("only applied rows move the version").isEqualTo(before + 1);
        assertThat(matrix.rttNs(10, 20)).isEqualTo(400);
        assertThat(matrix.mergeRow(10, 2, 1, nextLife)).isEqualTo(APPLIED);
        assertThat(matrix.version()).isEqualTo(before + 2);
        assertThat(matrix.mergeRow(10, 1, 99, newer)).isEqualTo(STALE);
        assertThat(matrix.rttNs(10, 20)).isEqualTo(300);
        assertThat(matrix.rttNs(10, 30)).isEqualTo(U);
    }

    @Test
    void resolvesConflictingRowsOfOneVersionTheSameWayEverywhere()
    {
        final long[] higher = {0, 500, U};
        final long[] lower = {0, 400, U};
        final RttMatrix other = new RttMatrix(topology);

        assertThat(matrix.mergeRow(10, 1, 1, higher)).isEqualTo(APPLIED);
        assertThat(matrix.mergeRow(10, 1, 1, lower)).isEqualTo(CONFLICT_APPLIED);
        assertThat(other.mergeRow(10, 1, 1, lower)).isEqualTo(APPLIED);
        assertThat(other.mergeRow(10, 1, 1, higher)).isEqualTo(CONFLICT_IGNORED);

        assertThat(matrix.sameContent(other)).isTrue();
        assertThat(matrix.fingerprint()).isEqualTo(other.fingerprint());
        assertThat(CONFLICT_APPLIED.changed()).isTrue();
        assertThat(CONFLICT_IGNORED.changed()).isFalse();
    }

    @Test
    void rejectsMalformedRowsWithoutThrowing()
    {
        assertThat(matrix.mergeRow(99, 1, 1, new long[]{0, 1, 2})).as("unknown owner").isEqualTo(REJECTED);
        assertThat(matrix.mergeRow(10, 1, 0, new long[]{0, 1, 2})).as("sequence 0").isEqualTo(REJECTED);
        assertThat(matrix.mergeRow(10, 1, 1, new long[]{0, 1})).as("short").isEqualTo(REJECTED);
        assertThat(matrix.mergeRow(10, 1, 1, null)).as("null").isEqualTo(REJECTED);
        assertThat(matrix.mergeRow(10, 1, 1, new long[]{5, 1, 2})).as("self not 0").isEqualTo(REJECTED);
        assertThat(matrix.mergeRow(10, 1, 1, new long[]{0, -2, 2})).as("negative").isEqualTo(REJECTED);
        assertThat(matrix.mergeRow(10, 1, 1, new long[]{0, RttMatrix.RTT_MAX_NS + 1, 2})).as("huge")
            .isEqualTo(REJECTED);
        assertThat(matrix.hasRow(10)).isFalse();
    }

    @Test
    void estimatesDistanceFromEitherDirection()
    {
        matrix.mergeRow(10, 1, 1, new long[]{0, 700, U});
        matrix.mergeRow(30, 1, 1, new long[]{8_000, U, 0});

        assertThat(matrix.distanceNs(10, 20)).isEqualTo(700);
        assertThat(matrix.distanceNs(20, 10)).isEqualTo(700);
        assertThat(matrix.distanceNs(10, 30)).isEqualTo(8_000);
        assertThat(matrix.distanceNs(20, 30)).isEqualTo(U);
        assertThat(matrix.distanceNs(30, 30)).isZero();
    }

    @Test
    void reportsTheMedianOfKnownPeerRtts()
    {
        final Topology five = Topology.of(new int[]{0, 1, 2, 3, 4}, new int[]{0, 0, 0, 0, 0});
        final RttMatrix rtts = new RttMatrix(five);

        rtts.publishOwnRow(0, 1, new long[]{0, 400, 100, U, 300});
        assertThat(rtts.medianRttNs(0)).isEqualTo(300);
        rtts.publishOwnRow(0, 1, new long[]{0, 400, 100, 200, 300});
        assertThat(rtts.medianRttNs(0)).isEqualTo(200);
    }

    @Test
    void copiesRowsAndWholeMatricesIndependently()
    {
        matrix.publishOwnRow(30, 4, new long[]{10, 20, 0});
        final long[] row = new long[3];

        assertThat(matrix.copyRow(30, row)).isTrue();
        assertThat(row).containsExactly(10, 20, 0);
        assertThat(matrix.copyRow(10, row)).isFalse();
        assertThat(row).containsExactly(0, U, U);

        final RttMatrix copy = matrix.copy();
        matrix.publishOwnRow(30, 4, new long[]{11, 21, 0});
        assertThat(copy.rttNs(30, 10)).isEqualTo(10);
        assertThat(copy.sameContent(matrix)).isFalse();
        assertThat(copy.fingerprint()).isNotEqualTo(matrix.fingerprint());
    }
}
