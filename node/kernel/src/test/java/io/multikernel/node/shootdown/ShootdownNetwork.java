package io.multikernel.node.shootdown;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.multikernel.node.skb.RoutingPlanner;
import io.multikernel.node.skb.RttMatrix;
import io.multikernel.node.skb.Topology;
import io.multikernel.transport.SendOutcome;
import org.agrona.concurrent.CachedNanoClock;

/**
 * Test helper: one {@link Shootdown} per core of a topology, wired through an in-memory FIFO of
 * messages the test delivers one at a time or all at once, optionally dropping some; one advanceable
 * clock for all, and a registry of its own per core.
 */
final class ShootdownNetwork
{
    record Message(boolean request, int source, int destination, long roundId, int initiator, int[] cores,
        int[] sizes, int acknowledgedCores, long domainId, long firstPage, long pageCount)
    {
        @Override
        public String toString()
        {
            return (request ? "request " + source + "->" + destination + " " + Arrays.toString(cores) :
                "ack " + source + "->" + destination + " x" + acknowledgedCores);
        }
    }

    static final class Outcomes implements ShootdownListener
    {
        final List<long[]> completed = new ArrayList<>();
        final List<String> failed = new ArrayList<>();

        @Override
        public void onRoundComplete(final long roundId, final long latencyNs)
        {
            completed.add(new long[] {roundId, latencyNs});
        }

        @Override
        public void onRoundFailed(final long roundId, final String reason)
        {
            failed.add(reason);
        }
    }

    final CachedNanoClock clock = new CachedNanoClock();
    final Topology topology;
    final RoutingPlanner planner;
    final Deque<Message> inFlight = new ArrayDeque<>();
    final List<Message> delivered = new ArrayList<>();
    final Shootdown[] cores;
    final Outcomes[] outcomes;
    /** Cores whose invalidation does not finish (accesses in flight) until removed from here. */
    final java.util.Set<Integer> busy = new java.util.HashSet<>();
    /** Per core, every range it was asked to invalidate: {domainId, firstPage, pageCount}. */
    final java.util.Map<Integer, List<long[]>> invalidated = new java.util.HashMap<>();
    /** Per core: how often it was asked whether the accesses before its drop have ended. */
    final java.util.Map<Integer, Integer> drainPolls = new java.util.HashMap<>();
    /** What every core's invalidator answers as the barrier of its drop. */
    static final long BARRIER = 42;
    final PrometheusMeterRegistry[] registries;
    SendOutcome nextOutcome = SendOutcome.SENT;

    ShootdownNetwork(final Topology topology, final long roundTimeoutNs, final int roundsInFlightMax)
    {
        this(topology, roundTimeoutNs, roundsInFlightMax, 0);
    }

    /** @param firstRoundSequence where every core's round ids start, as a core's incarnation sets it. */
    ShootdownNetwork(final Topology topology, final long roundTimeoutNs, final int roundsInFlightMax,
        final long firstRoundSequence)
    {
        this.topology = topology;
        this.planner = new RoutingPlanner(topology, new RttMatrix(topology));
        clock.update(1_000_000);
        cores = new Shootdown[topology.coreCount()];
        outcomes = new Outcomes[topology.coreCount()];
        registries = new PrometheusMeterRegistry[topology.coreCount()];
        for (int i = 0; i < cores.length; i++)
        {
            final int self = topology.coreId(i);
            outcomes[i] = new Outcomes();
            registries[i] = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            cores[i] = new Shootdown(new Shootdown.Context()
                .selfCoreId(self)
                .firstRoundSequence(firstRoundSequence)
                .meterRegistry(registries[i])
                .nanoClock(clock)
                .roundTimeoutNs(roundTimeoutNs)
                .roundsInFlightMax(roundsInFlightMax)
                .relaysInFlightMax(4)
                .listener(outcomes[i])
                .invalidator(new ShootdownInvalidator()
                {
                    @Override
                    public long invalidate(final long domainId, final long firstPage, final long pageCount)
                    {
                        invalidated.computeIfAbsent(self, core -> new ArrayList<>()).add(new long[]{ domainId, firstPage, pageCount });
                        return BARRIER;
                    }

                    @Override
                    public boolean drained(final long domainId, final long barrier)
                    {
                        assertThat(barrier).as("the barrier invalidate gave").isEqualTo(BARRIER);
                        drainPolls.merge(self, 1, Integer::sum);
                        return !busy.contains(self);
                    }
                })
                .sender(new ShootdownSender()
                {
                    @Override
                    public SendOutcome sendRequest(final int destination, final long roundId, final int initiatorCoreId,
                        final long domainId, final long firstPage, final long pageCount, final int[] forwardCores,
                        final int[] subtreeSizes, final int offset, final int length)
                    {
                        if (SendOutcome.SENT != nextOutcome)
                        {
                            return nextOutcome;
                        }
                        inFlight.add(new Message(true, self, destination, roundId, initiatorCoreId,
                            Arrays.copyOfRange(forwardCores, offset, offset + length),
                            Arrays.copyOfRange(subtreeSizes, offset, offset + length), 0, domainId, firstPage, pageCount));
                        return SendOutcome.SENT;
                    }

                    @Override
                    public SendOutcome sendAck(final int destination, final long roundId, final int acknowledgedCores)
                    {
                        inFlight.add(new Message(false, self, destination, roundId, 0, null, null, acknowledgedCores, 0, 0, 0));
                        return SendOutcome.SENT;
                    }
                }));
        }
    }

    static Topology packages(final int coreCount, final int packageCount)
    {
        final int[] ids = new int[coreCount];
        final int[] packages = new int[coreCount];
        for (int i = 0; i < coreCount; i++)
        {
            ids[i] = i;
            packages[i] = i * packageCount / coreCount;
        }
        return Topology.of(ids, packages);
    }

    Shootdown core(final int coreId)
    {
        return cores[topology.indexOf(coreId)];
    }

    PrometheusMeterRegistry registry(final int coreId)
    {
        return registries[topology.indexOf(coreId)];
    }

    Outcomes outcomes(final int coreId)
    {
        return outcomes[topology.indexOf(coreId)];
    }

    int[] allBut(final int coreId)
    {
        return Arrays.stream(topology.coreIds()).filter(core -> core != coreId).toArray();
    }

    /**
     * @return false when nothing was in flight.
     */
    boolean deliverOne()
    {
        final Message message = inFlight.poll();
        if (null == message)
        {
            return false;
        }
        deliver(message);
        return true;
    }

    void deliver(final Message message)
    {
        delivered.add(message);
        final Shootdown destination = core(message.destination());
        if (message.request())
        {
            destination.onRequest(message.source(), message.roundId(), message.initiator(), message.domainId(),
                message.firstPage(), message.pageCount(), message.cores(), message.sizes(), message.cores().length);
        }
        else
        {
            destination.onAck(message.source(), message.roundId(), message.acknowledgedCores());
        }
    }

    /**
     * Deliver everything, including what delivery causes, except the messages {@code drop} matches.
     */
    void deliverAll(final Predicate<Message> drop)
    {
        Message message;
        while (null != (message = inFlight.poll()))
        {
            if (!drop.test(message))
            {
                deliver(message);
            }
        }
    }

    void deliverAll()
    {
        deliverAll(message -> false);
    }
}
