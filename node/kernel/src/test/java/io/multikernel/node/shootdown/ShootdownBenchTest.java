package io.multikernel.node.shootdown;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.multikernel.node.service.ServiceException;
import io.multikernel.node.skb.RttMatrix;
import io.multikernel.node.util.TestJson;
import io.multikernel.transport.SendOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Drives a {@link ShootdownBench} on core 0 the way its kernel loop does, with the other cores'
 * shootdowns answering through {@link ShootdownNetwork} and an admin thread waiting on the proxy.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ShootdownBenchTest
{
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ShootdownNetwork network = new ShootdownNetwork(ShootdownNetwork.packages(6, 2), TIMEOUT_NS, 4);
    private final ShootdownBenchProxy proxy = new ShootdownBenchProxy(TimeUnit.SECONDS.toNanos(20));
    private SendOutcome benchSendOutcome = SendOutcome.SENT;
    private final RttMatrix rttMatrix = new RttMatrix(network.topology);
    private final ShootdownBench bench = new ShootdownBench(proxy, new Shootdown.Context()
        .selfCoreId(0)
        .nanoClock(network.clock)
        .roundTimeoutNs(TIMEOUT_NS)
        .sender(new ShootdownSender()
        {
            @Override
            public SendOutcome sendRequest(final int destination, final long roundId, final int initiatorCoreId,
                final long domainId, final long firstPage, final long pageCount, final int[] forwardCores,
                final int[] subtreeSizes, final int offset, final int length)
            {
                if (SendOutcome.SENT != benchSendOutcome)
                {
                    return benchSendOutcome;
                }
                network.inFlight.add(new ShootdownNetwork.Message(true, 0, destination, roundId, initiatorCoreId,
                    java.util.Arrays.copyOfRange(forwardCores, offset, offset + length),
                    java.util.Arrays.copyOfRange(subtreeSizes, offset, offset + length), 0, domainId, firstPage, pageCount));
                return SendOutcome.SENT;
            }

            @Override
            public SendOutcome sendAck(final int destination, final long roundId, final int acknowledgedCores)
            {
                return SendOutcome.SENT;
            }
        }), network.topology, rttMatrix);

    @Test
    void runsWarmupAndMeasuredRoundsAndAnswersWithThePlansCost() throws Exception
    {
        final CompletableFuture<String> answer = ask(Map.of("protocol", "multicast", "rounds", "20", "warmup", "5"));
        int rounds = 0;
        while (!answer.isDone())
        {
            bench.doWork(network.clock.nanoTime());
            network.clock.advance(1_000);
            rounds += deliverToAndFromCoreZero();
        }
        final Map<String, Object> json = TestJson.parseObject(answer.get());
        assertThat(json).containsEntry("protocol", "multicast").containsEntry("cores", 6L)
            .containsEntry("measured", 20L).containsEntry("rounds_failed", 0L)
            .containsEntry("initiator_messages", 2L).containsEntry("hops", 2L).containsEntry("total_messages", 5L);
        assertThat((Long)json.get("p50_ns")).isPositive();
        assertThat((Long)json.get("p99_ns")).isGreaterThanOrEqualTo((Long)json.get("p50_ns"));
        assertThat(rounds).isEqualTo(25);
        assertThat(bench.shootdown().roundsCompleted()).isEqualTo(25);
    }

    @Test
    void anIdleBenchReportsNoWorkSoTheKernelLoopCanBackOff()
    {
        for (int i = 0; i < 10; i++)
        {
            assertThat(bench.doWork(network.clock.nanoTime())).isZero();
            network.clock.advance(TIMEOUT_NS);
        }
    }

    @Test
    void topoIsRefusedWhileTheRttMatrixIsIncomplete()
    {
        final CompletableFuture<String> answer = ask(Map.of("protocol", "topo"));
        while (!answer.isDone())
        {
            bench.doWork(network.clock.nanoTime());
        }
        assertThatThrownBy(answer::join).isInstanceOf(CompletionException.class)
            .hasCauseInstanceOf(ServiceException.class)
            .cause().hasMessageContaining("RTT matrix is not complete");
    }

    @Test
    void aRunWhoseRoundsKeepFailingEndsWithTheFirstReason()
    {
        final CompletableFuture<String> answer = ask(Map.of("protocol", "unicast", "rounds", "100", "warmup", "0"));
        while (!answer.isDone())
        {
            bench.doWork(network.clock.nanoTime());
            network.inFlight.clear(); // every request is lost
            network.clock.advance(TIMEOUT_NS);
        }
        assertThatThrownBy(answer::join).cause().isInstanceOf(ServiceException.class)
            .hasMessageStartingWith(ShootdownBench.CONSECUTIVE_FAILURES_MAX + " rounds in a row failed; first failure: round ")
            .hasMessageContaining("timed out");
        assertThat(bench.shootdown().roundsFailed()).isEqualTo(ShootdownBench.CONSECUTIVE_FAILURES_MAX);
    }

    @Test
    void roundsThatFailWhileStartingEndTheRunInsteadOfHangingIt() throws Exception
    {
        benchSendOutcome = SendOutcome.NOT_CONNECTED;
        final CompletableFuture<String> answer = ask(Map.of("protocol", "unicast", "rounds", "10"));
        while (!answer.isDone())
        {
            bench.doWork(network.clock.nanoTime());
        }
        assertThatThrownBy(answer::join).cause().isInstanceOf(ServiceException.class)
            .hasMessageContaining("rounds in a row failed").hasMessageContaining("was not sent (NOT_CONNECTED)");

        benchSendOutcome = SendOutcome.SENT;
        final CompletableFuture<String> next = ask(Map.of("protocol", "unicast", "rounds", "3", "warmup", "0"));
        while (!next.isDone())
        {
            bench.doWork(network.clock.nanoTime());
            network.clock.advance(1_000);
            deliverToAndFromCoreZero();
        }
        assertThat(TestJson.parseObject(next.get())).containsEntry("measured", 3L);
    }

    @Test
    void badParametersAreRefusedWith400BeforeTheKernelLoopSeesThem()
    {
        assertThatThrownBy(() -> proxy.run(Map.of("protocol", "ring")))
            .isInstanceOf(ServiceException.class)
            .hasMessage("protocol=ring is not one of unicast, broadcast, multicast, topo")
            .satisfies(ex -> assertThat(((ServiceException)ex).status()).isEqualTo(400));
        assertThat(proxy.poll()).isNull();
    }

    @Test
    void aFullQueueIsRefusedWith503AndCounted() throws Exception
    {
        final ShootdownBenchProxy shortWait = new ShootdownBenchProxy(TimeUnit.MILLISECONDS.toNanos(300));
        final CompletableFuture<?>[] waiting = new CompletableFuture<?>[ShootdownBenchProxy.COMMAND_QUEUE_CAPACITY];
        for (int i = 0; i < waiting.length; i++)
        {
            waiting[i] = CompletableFuture.runAsync(() -> runQuietly(shortWait));
        }
        while (shortWait.failedOffers() == 0)
        {
            try
            {
                shortWait.run(Map.of("protocol", "unicast"));
            }
            catch (final ServiceException ex)
            {
                if (503 == ex.status())
                {
                    break;
                }
                assertThat(ex.status()).as("a timed-out wait while the queue was not yet full").isEqualTo(504);
            }
        }
        assertThat(shortWait.failedOffers()).isOne();
        CompletableFuture.allOf(waiting).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aRunNobodyDrainsTimesOutWith504AndIsCancelled()
    {
        final ShootdownBenchProxy shortWait = new ShootdownBenchProxy(TimeUnit.MILLISECONDS.toNanos(50));
        assertThatThrownBy(() -> shortWait.run(Map.of("protocol", "unicast")))
            .isInstanceOf(ServiceException.class)
            .satisfies(ex -> assertThat(((ServiceException)ex).status()).isEqualTo(504));
        assertThat(shortWait.poll().isCancelled()).isTrue();
    }

    private static void runQuietly(final ShootdownBenchProxy proxy)
    {
        try
        {
            proxy.run(Map.of("protocol", "unicast"));
        }
        catch (final ServiceException ignored)
        {
            // 504: nobody drains this proxy.
        }
    }

    private CompletableFuture<String> ask(final Map<String, String> parameters)
    {
        final CompletableFuture<String> answer = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return proxy.run(parameters);
            }
            catch (final ServiceException ex)
            {
                throw new CompletionException(ex);
            }
        });
        return answer;
    }

    /**
     * Deliver core 0's requests through the other cores and their acks back to the bench's shootdown.
     *
     * @return rounds core 0 completed.
     */
    private int deliverToAndFromCoreZero()
    {
        final long before = bench.shootdown().roundsCompleted();
        ShootdownNetwork.Message message;
        while (null != (message = network.inFlight.poll()))
        {
            if (0 == message.destination())
            {
                bench.shootdown().onAck(message.source(), message.roundId(), message.acknowledgedCores());
            }
            else
            {
                network.deliver(message);
            }
        }
        return (int)(bench.shootdown().roundsCompleted() - before);
    }
}
