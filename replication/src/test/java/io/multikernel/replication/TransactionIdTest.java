package io.multikernel.replication;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransactionIdTest
{
    @Test
    void onlyAnEarlierTransactionOfTheSameCoordinatorIncarnationPrecedesFromIt()
    {
        final TransactionId first = new TransactionId(1, 7, 3);
        assertThat(first.precedesFromSameCoordinator(new TransactionId(1, 7, 4))).isTrue();
        assertThat(first.precedesFromSameCoordinator(first)).as("not itself").isFalse();
        assertThat(first.precedesFromSameCoordinator(new TransactionId(1, 7, 2))).as("a later one").isFalse();
        assertThat(first.precedesFromSameCoordinator(new TransactionId(2, 7, 4))).as("another coordinator").isFalse();
        assertThat(first.precedesFromSameCoordinator(new TransactionId(1, 8, 4))).as("another incarnation").isFalse();
    }

    @Test
    void printsAndParsesBackAndRefusesOtherText()
    {
        final TransactionId id = new TransactionId(2, 1796650410446405966L, 9);
        assertThat(TransactionId.parse(id.toString())).isEqualTo(id);
        assertThatThrownBy(() -> TransactionId.parse("2:x:9")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'2:x:9' is not core:incarnation:sequence");
        assertThatThrownBy(() -> TransactionId.parse("2:9")).isInstanceOf(IllegalArgumentException.class);
        for (final String outOfRange : new String[] { "-1:5:9", "1:-5:9", "1:5:-9" })
        {
            assertThatThrownBy(() -> TransactionId.parse(outOfRange)).as(outOfRange)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + outOfRange + "' is not core:incarnation:sequence: none of them is negative");
        }
        assertThat(TransactionId.parse("0:0:0")).isEqualTo(new TransactionId(0, 0, 0));
    }
}
