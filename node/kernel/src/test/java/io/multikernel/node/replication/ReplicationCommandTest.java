package io.multikernel.node.replication;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicationCommandTest
{
    private static final long WAIT_NS = TimeUnit.MILLISECONDS.toNanos(20);

    @Test
    void aWaiterThatGivesUpFirstMeansTheKernelLoopNeverActs() throws Exception
    {
        final boolean[] ran = new boolean[1];
        final ReplicationCommand<String> command = new ReplicationCommand<>((replication, self) -> ran[0] = true);
        assertThat(command.await(WAIT_NS)).isEqualTo(ReplicationCommand.Wait.NOT_TAKEN);
        command.run(null);
        assertThat(ran[0]).isFalse();
    }

    @Test
    void aTakenCommandWithoutAnAnswerIsNotCancellable() throws Exception
    {
        final ReplicationCommand<String> command = new ReplicationCommand<>((replication, self) -> { });
        command.run(null);
        assertThat(command.await(WAIT_NS)).isEqualTo(ReplicationCommand.Wait.TAKEN_NO_ANSWER);
        command.complete("late");
        assertThat(command.await(WAIT_NS)).isEqualTo(ReplicationCommand.Wait.ANSWERED);
        assertThat(command.answer()).isEqualTo("late");
    }

    @Test
    void anActionThatThrowsAnswersWithItsMessage() throws Exception
    {
        final ReplicationCommand<String> command = ReplicationCommand.query(replication ->
        {
            throw new IllegalArgumentException("replica core 9 is not in the cluster map");
        });
        command.run(null);
        assertThat(command.await(WAIT_NS)).isEqualTo(ReplicationCommand.Wait.ANSWERED);
        assertThatThrownBy(command::answer).isInstanceOf(IllegalStateException.class)
            .hasMessage("replica core 9 is not in the cluster map");
    }

    @Test
    void theProxyDrainsInOrderWithinItsLimitAndCountsRefusedOffers() throws Exception
    {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final ReplicationProxy proxy = new ReplicationProxy(2, registry);
        final ReplicationCommand<String> first = ReplicationCommand.query(replication -> "first");
        final ReplicationCommand<String> second = ReplicationCommand.query(replication -> "second");
        assertThat(proxy.offer(first)).isTrue();
        assertThat(proxy.offer(second)).isTrue();
        assertThat(proxy.offer(ReplicationCommand.query(replication -> "third"))).isFalse();
        assertThat(registry.get("mk.2pc.proxy.offer.failures").counter().count()).isEqualTo(1.0);
        assertThat(proxy.drain(null, 1)).isEqualTo(1);
        assertThat(first.await(WAIT_NS)).isEqualTo(ReplicationCommand.Wait.ANSWERED);
        assertThat(first.answer()).isEqualTo("first");
        assertThat(proxy.drain(null, 5)).isEqualTo(1);
        assertThat(second.answer()).isEqualTo("second");
        assertThat(proxy.drain(null, 5)).isZero();
    }

    @Test
    void theProxyCapacityIsBounded()
    {
        assertThatThrownBy(() -> new ReplicationProxy(0, new SimpleMeterRegistry()))
            .hasMessage("mk.replication.command.queue.capacity=0 is outside 1..65536");
    }
}
