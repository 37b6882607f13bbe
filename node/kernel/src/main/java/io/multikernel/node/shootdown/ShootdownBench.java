package io.multikernel.node.shootdown;

import java.util.concurrent.TimeUnit;

import io.multikernel.node.service.ServiceException;
import io.multikernel.node.skb.RoutingPlanner;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.skb.RttMatrix;
import io.multikernel.node.skb.SendPlan;
import io.multikernel.node.skb.Topology;
import org.HdrHistogram.Histogram;

/**
 * Runs shootdown benchmark rounds inside the kernel loop that owns the {@link Shootdown}: takes a
 * command from the {@link ShootdownBenchProxy}, plans a round from this core to every other core
 * with the SKB's {@link RoutingPlanner}, runs the warmup rounds and then the measured ones one after
 * another (one round in flight, the next started on the duty cycle after the last ended), records
 * each measured round's latency, and answers with a {@link ShootdownBenchResult}.
 *
 * <p>Bounded: a run ends early, answered with the failure, after {@link #CONSECUTIVE_FAILURES_MAX}
 * failed rounds in a row; a run its waiter cancelled ends at the next duty cycle. Owned by the kernel
 * loop; not thread safe; it is the listener of the shootdown it creates.
 */
public final class ShootdownBench implements ShootdownListener
{
    /** Failed rounds in a row after which a run gives up. */
    public static final int CONSECUTIVE_FAILURES_MAX = 5;
    /** Longest round latency the histogram records; longer ones are clamped. */
    public static final long LATENCY_MAX_NS = TimeUnit.SECONDS.toNanos(60);

    /** {@link #roundInFlight} while {@link Shootdown#startRound} runs: it may end the round before it returns. */
    private static final long ROUND_STARTING = -1;

    private final ShootdownBenchProxy proxy;
    private final Shootdown shootdown;
    private final RoutingPlanner planner;
    private final Topology topology;
    private final RttMatrix rttMatrix;
    private final int selfCoreId;
    private final int[] targets;
    private final Histogram latencies = new Histogram(LATENCY_MAX_NS, 3);

    private ShootdownBenchCommand current;
    private SendPlan plan;
    private long roundInFlight = Shootdown.NO_ROUND;
    private int roundsDone;
    private long measured;
    private long failed;
    private int consecutiveFailures;
    private String firstFailure;
    private long requestsSentAtStart;

    /**
     * @param proxy         where commands come from.
     * @param shootdownCtx  the shootdown's settings; its listener becomes this, which passes every
     *                      round's end on to the listener set there, if any (the address spaces' rounds).
     * @param topology      the SKB's topology.
     * @param rttMatrix     the SKB's RTT matrix (read when a run starts).
     */
    public ShootdownBench(final ShootdownBenchProxy proxy, final Shootdown.Context shootdownCtx,
        final Topology topology, final RttMatrix rttMatrix)
    {
        this.proxy = proxy;
        final ShootdownListener other = shootdownCtx.listener();
        this.shootdown = new Shootdown(shootdownCtx.listener(null == other ? this : new ShootdownListener()
        {
            public void onRoundComplete(final long roundId, final long latencyNs)
            {
                ShootdownBench.this.onRoundComplete(roundId, latencyNs);
                other.onRoundComplete(roundId, latencyNs);
            }

            public void onRoundFailed(final long roundId, final String reason)
            {
                ShootdownBench.this.onRoundFailed(roundId, reason);
                other.onRoundFailed(roundId, reason);
            }
        }));
        this.topology = topology;
        this.rttMatrix = rttMatrix;
        this.planner = new RoutingPlanner(topology, rttMatrix);
        this.selfCoreId = shootdownCtx.selfCoreId();
        final int[] others = new int[topology.coreCount() - 1];
        int count = 0;
        for (final int core : topology.coreIds())
        {
            if (core != selfCoreId && count < others.length)
            {
                others[count++] = core;
            }
        }
        this.targets = others;
    }

    /**
     * @return the shootdown this bench drives; the kernel loop routes its messages to it.
     */
    public Shootdown shootdown()
    {
        return shootdown;
    }

    /**
     * @param nowNs the injected clock's time.
     * @return work done: rounds timed out, commands taken, rounds started or runs answered.
     */
    public int doWork(final long nowNs)
    {
        int work = shootdown.doWork(nowNs);
        if (null == current)
        {
            final ShootdownBenchCommand command = proxy.poll();
            if (null == command)
            {
                return work;
            }
            begin(command);
            return work + 1;
        }
        if (Shootdown.NO_ROUND != roundInFlight)
        {
            return work;
        }
        final ShootdownBenchRequest request = current.request();
        if (current.isCancelled())
        {
            finish(new ServiceException(503, "the run was cancelled after " + roundsDone + " rounds"));
        }
        else if (consecutiveFailures >= CONSECUTIVE_FAILURES_MAX)
        {
            finish(new ServiceException(503, consecutiveFailures + " rounds in a row failed; first failure: " +
                firstFailure));
        }
        else if (roundsDone >= request.warmup() + request.rounds())
        {
            finish(null);
        }
        else
        {
            roundInFlight = ROUND_STARTING;
            final long roundId = shootdown.startRound(plan);
            if (Shootdown.NO_ROUND == roundId)
            {
                roundInFlight = Shootdown.NO_ROUND;
                finish(new ServiceException(503, "core " + selfCoreId + " has too many shootdown rounds in flight"));
            }
            else if (ROUND_STARTING == roundInFlight)
            {
                roundInFlight = roundId;
            }
        }
        return work + 1;
    }

    @Override
    public void onRoundComplete(final long roundId, final long latencyNs)
    {
        if (!isOurs(roundId))
        {
            return;
        }
        if (roundsDone >= current.request().warmup())
        {
            latencies.recordValue(Math.min(Math.max(latencyNs, 0), LATENCY_MAX_NS));
            measured++;
        }
        consecutiveFailures = 0;
        endRound();
    }

    @Override
    public void onRoundFailed(final long roundId, final String reason)
    {
        if (!isOurs(roundId))
        {
            return;
        }
        failed++;
        consecutiveFailures++;
        if (null == firstFailure)
        {
            firstFailure = reason;
        }
        endRound();
    }

    private boolean isOurs(final long roundId)
    {
        return null != current && (roundId == roundInFlight || ROUND_STARTING == roundInFlight);
    }

    private void endRound()
    {
        roundInFlight = Shootdown.NO_ROUND;
        roundsDone++;
    }

    private void begin(final ShootdownBenchCommand command)
    {
        current = command;
        roundsDone = 0;
        measured = 0;
        failed = 0;
        consecutiveFailures = 0;
        firstFailure = null;
        latencies.reset();
        if (0 == targets.length)
        {
            finish(new ServiceException(409, "core " + selfCoreId + " is the only core: a shootdown needs targets"));
            return;
        }
        final RoutingProtocol protocol = command.request().protocol();
        if (RoutingProtocol.TOPOLOGY_AWARE_MULTICAST == protocol && !rttMatrixComplete())
        {
            finish(new ServiceException(409, "the SKB's RTT matrix is not complete yet, so topo cannot plan; " +
                "retry once every core has measured its peers (see /skb)"));
            return;
        }
        plan = planner.plan(protocol, selfCoreId, targets);
        requestsSentAtStart = shootdown.requestsSent();
    }

    private boolean rttMatrixComplete()
    {
        for (int from = 0; from < topology.coreCount(); from++)
        {
            for (int to = 0; to < topology.coreCount(); to++)
            {
                if (RttMatrix.RTT_UNKNOWN_NS == rttMatrix.rttNsAt(from, to))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private void finish(final ServiceException failure)
    {
        final ShootdownBenchCommand command = current;
        current = null;
        if (null != failure)
        {
            command.result().completeExceptionally(failure);
            return;
        }
        final ShootdownBenchRequest request = command.request();
        final boolean none = 0 == measured;
        command.result().complete(new ShootdownBenchResult(request.protocol(), plan.targets().length + 1,
            request.rounds(), request.warmup(), measured, failed,
            none ? 0 : latencies.getValueAtPercentile(50.0),
            none ? 0 : latencies.getValueAtPercentile(99.0),
            none ? 0 : latencies.getMaxValue(),
            none ? 0.0 : latencies.getMean(),
            plan.initiatorMessages(), plan.totalMessages(), plan.depth(),
            roundsDone == 0 ? 0.0 : (shootdown.requestsSent() - requestsSentAtStart) / (double)roundsDone,
            firstFailure, plan.toString()));
    }
}
