package io.multikernel.node.shootdown;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.common.Bounds;
import io.multikernel.node.cluster.ClusterLimits;
import io.multikernel.node.skb.SendPlan;
import io.multikernel.transport.SendOutcome;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * The messaging half of a TLB shootdown (the paper's Fig. 6): an initiator sends a
 * ShootdownRequest to every target along a {@link SendPlan}, each target invalidates and
 * acknowledges, and the round completes when every target has. Owned by the core's kernel loop;
 * not thread safe.
 *
 * <p><b>Forwarding.</b> A request carries, in its {@code forwardTo} group, the receiver's whole
 * subtree of the plan in pre-order, each entry with the size of its own subtree. The receiver sends
 * each of its direct children a request carrying that child's part of the list, so cores need no
 * plan of their own and every core forwards exactly as the initiator's SKB planned.
 *
 * <p><b>Acknowledgements aggregate up the tree</b>, as in the paper's multicast, where the core
 * that forwards inside a package collects the package's replies and sends one to the initiator: a
 * leaf acknowledges to whoever sent it its request with {@code acknowledgedCores=1}; a relay waits
 * for all its children and then acknowledges to its parent with one plus the sum of its children's
 * counts. So the initiator receives one ack per message it sent, and the critical path is
 * {@code 2 x depth} hops. For unicast and broadcast every target is a leaf and acks straight to
 * the initiator.
 *
 * <p><b>Broadcast.</b> The paper's broadcast writes one cache line that every target reads. URPC
 * has no shared inbox: every core reads only its own inbox. The plan counts broadcast as one write
 * ({@link SendPlan#writesSharedChannel}); here the initiator encodes the same request for each
 * target and appends it to each target's inbox log, as every reader of the shared line pulls its
 * own copy across the interconnect. On the wire it therefore costs as many appends as unicast;
 * {@link #requestsSent()} counts appends, while the benchmark reports the plan's message count.
 *
 * <p><b>Bounds.</b> At most {@code roundsInFlightMax} rounds started here and
 * {@code relaysInFlightMax} rounds being forwarded here are open; more are refused and counted. A
 * round not fully acknowledged within {@code roundTimeoutNs} fails with a reason naming the missing
 * children; a relay gives up its slot after the same time without acking (its initiator's round
 * times out). Late or unknown acknowledgements are counted as stale and otherwise ignored; a second
 * ack from the same child in one round is counted as a duplicate and ignored.
 *
 * <p>Every event above is counted in {@link ShootdownMetrics}, published on the core's
 * {@code /metrics} as {@code mk_shootdown_*_total}.
 *
 * <p>Round ids are unique per cluster: the initiator's core id in the high bits, a sequence below,
 * so a core that is initiator of one round and relay of another never confuses their acks.
 */
public final class Shootdown
{
    /** No round: the id of a free slot, and what {@link #startRound} returns when it refused. */
    public static final long NO_ROUND = 0;
    /** Bits of a round id below the initiator's core id. */
    public static final int ROUND_SEQUENCE_BITS = 40;

    private final int selfCoreId;
    private final ShootdownSender sender;
    private final ShootdownListener listener;
    private final ShootdownInvalidator invalidator;
    private final NanoClock clock;
    private final long roundTimeoutNs;
    /**
     * No round or relay begun since the last scan, nor left by it, has a deadline before this: idle
     * duty cycles (every microsecond or two) skip the scan until then. Meaningful only while
     * {@link #deadlinePending}.
     */
    private long earliestDeadlineNs;
    private boolean deadlinePending;
    private final ShootdownRound[] rounds;
    private final ShootdownRound[] relays;
    private final int[] forwardCores = new int[ShootdownConfiguration.FORWARD_ENTRIES_MAX];
    private final int[] subtreeSizes = new int[ShootdownConfiguration.FORWARD_ENTRIES_MAX];
    private long roundSequence;
    /** Relays whose own invalidation has not finished; while positive every duty cycle asks again. */
    private int localPendingCount;

    private final ShootdownMetrics metrics;

    /**
     * @param ctx configuration; concluded here.
     */
    public Shootdown(final Context ctx)
    {
        ctx.conclude();
        this.selfCoreId = ctx.selfCoreId;
        this.sender = ctx.sender;
        this.listener = ctx.listener;
        this.invalidator = ctx.invalidator;
        this.clock = ctx.nanoClock;
        this.roundTimeoutNs = ctx.roundTimeoutNs;
        this.roundSequence = ctx.firstRoundSequence;
        this.metrics = new ShootdownMetrics(ctx.meterRegistry);
        this.rounds = new ShootdownRound[ctx.roundsInFlightMax];
        this.relays = new ShootdownRound[ctx.relaysInFlightMax];
        for (int i = 0; i < rounds.length; i++)
        {
            rounds[i] = new ShootdownRound();
        }
        for (int i = 0; i < relays.length; i++)
        {
            relays[i] = new ShootdownRound();
        }
    }

    /**
     * Start a round: send the first hop of the plan. The outcome reaches the listener: at once when
     * the plan has no targets or a send failed, later on the last ack or at the deadline.
     *
     * @param plan a plan whose initiator is this core.
     * @return the round id, or {@link #NO_ROUND} when {@code roundsInFlightMax} rounds are open.
     * @throws IllegalArgumentException when the plan starts at another core.
     */
    public long startRound(final SendPlan plan)
    {
        return startRound(plan, 0, 0, 0);
    }

    /**
     * Start a round that invalidates a range of an address space's translations on every target
     * (the initiator invalidates its own before it starts the round).
     *
     * @param plan      a plan whose initiator is this core.
     * @param domainId  the address space; 0 for none (a measurement round).
     * @param firstPage first virtual page of the range.
     * @param pageCount pages; 0 with a domain: all of the domain's translations.
     * @return the round id, or {@link #NO_ROUND} when {@code roundsInFlightMax} rounds are open.
     * @throws IllegalArgumentException when the plan starts at another core.
     */
    public long startRound(final SendPlan plan, final long domainId, final long firstPage, final long pageCount)
    {
        if (plan.initiator() != selfCoreId)
        {
            throw new IllegalArgumentException("plan starts at core " + plan.initiator() + ", not at core " + selfCoreId);
        }
        final ShootdownRound round = free(rounds);
        if (null == round)
        {
            metrics.increment(ShootdownMetrics.ROUNDS_REFUSED);
            return NO_ROUND;
        }
        final long nowNs = clock.nanoTime();
        final long sequenceMask = (1L << ROUND_SEQUENCE_BITS) - 1;
        if (0 == (++roundSequence & sequenceMask))
        {
            roundSequence++; // core 0's sequence 0 would be NO_ROUND
        }
        final long roundId = ((long)selfCoreId << ROUND_SEQUENCE_BITS) | (roundSequence & sequenceMask);
        final int[] children = plan.childrenOf(selfCoreId);
        round.begin(roundId, selfCoreId, nowNs, nowNs + roundTimeoutNs, plan.targets().length);
        noteDeadline(round);
        metrics.increment(ShootdownMetrics.ROUNDS_STARTED);
        for (final int child : children)
        {
            final int length = writeSubtree(plan, child, 0);
            round.addChild(child, length + 1);
        }
        for (final int child : children)
        {
            final int length = writeSubtree(plan, child, 0);
            final SendOutcome outcome = sendRequest(child, roundId, selfCoreId, domainId, firstPage, pageCount, 0, length);
            if (SendOutcome.SENT != outcome)
            {
                fail(round, "round " + roundId + " failed: the request to core " + child + " was not sent (" + outcome + ")");
                return roundId;
            }
        }
        if (round.allChildrenAcked())
        {
            complete(round, nowNs);
        }
        return roundId;
    }

    /**
     * A ShootdownRequest arrived: invalidate, then acknowledge (a leaf) or forward to the subtree
     * (a relay, which acknowledges once its subtree has). A core whose invalidation is not finished
     * (accesses from before its drop still in flight: {@link ShootdownInvalidator#drained}) acknowledges
     * once it is, asked every duty cycle.
     *
     * @param sourceCoreId    who sent it; the ack goes back there.
     * @param roundId         the round.
     * @param initiatorCoreId who started the round.
     * @param domainId        the address space; 0 for none.
     * @param firstPage       first virtual page of the range.
     * @param pageCount       pages; 0 with a domain: all of it.
     * @param cores           the receiver's subtree, pre-order.
     * @param sizes           subtree size of each entry.
     * @param count           entries.
     */
    public void onRequest(final int sourceCoreId, final long roundId, final int initiatorCoreId, final long domainId,
        final long firstPage, final long pageCount, final int[] cores, final int[] sizes, final int count)
    {
        metrics.increment(ShootdownMetrics.REQUESTS_RECEIVED);
        if (!wellFormed(sizes, count))
        {
            metrics.increment(ShootdownMetrics.REQUESTS_MALFORMED);
            return;
        }
        if (null != find(relays, roundId))
        {
            metrics.increment(ShootdownMetrics.REQUESTS_DUPLICATE);
            return;
        }
        metrics.increment(ShootdownMetrics.INVALIDATIONS);
        final long barrier = invalidator.invalidate(domainId, firstPage, pageCount);
        final boolean invalidated = invalidator.drained(domainId, barrier);
        if (0 == count && invalidated)
        {
            sendAck(sourceCoreId, roundId, 1);
            return;
        }
        final ShootdownRound relay = free(relays);
        if (null == relay)
        {
            metrics.increment(ShootdownMetrics.RELAYS_REFUSED);
            return;
        }
        final long nowNs = clock.nanoTime();
        relay.begin(roundId, sourceCoreId, nowNs, nowNs + roundTimeoutNs, count);
        noteDeadline(relay);
        if (!invalidated)
        {
            relay.awaitLocal(domainId, barrier);
            localPendingCount++;
        }
        for (int i = 0; i < count; i += 1 + sizes[i])
        {
            relay.addChild(cores[i], 1 + sizes[i]);
        }
        for (int i = 0; i < count; i += 1 + sizes[i])
        {
            final SendOutcome outcome = sender.sendRequest(cores[i], roundId, initiatorCoreId, domainId, firstPage,
                pageCount, cores, sizes, i + 1, sizes[i]);
            onRequestSent(outcome);
            if (SendOutcome.SENT != outcome)
            {
                // The subtree cannot be reached: no ack, so the initiator's round fails at its deadline.
                freeRelay(relay);
                return;
            }
        }
    }

    private void freeRelay(final ShootdownRound relay)
    {
        if (relay.localPending())
        {
            localPendingCount--;
        }
        relay.free();
    }

    /** A relay acknowledges to its parent once its subtree has and its own invalidation finished. */
    private void ackIfDone(final ShootdownRound relay)
    {
        if (relay.allChildrenAcked() && !relay.localPending())
        {
            sendAck(relay.replyTo(), relay.roundId(), 1 + relay.coresAcked());
            relay.free();
        }
    }

    /**
     * A ShootdownAck arrived from a child of a round started or forwarded here.
     *
     * @param sourceCoreId      the child.
     * @param roundId           the round.
     * @param acknowledgedCores the child and its subtree.
     */
    public void onAck(final int sourceCoreId, final long roundId, final int acknowledgedCores)
    {
        final long nowNs = clock.nanoTime();
        ShootdownRound round = find(rounds, roundId);
        final boolean initiated = null != round;
        if (!initiated)
        {
            round = find(relays, roundId);
        }
        if (null == round)
        {
            metrics.increment(ShootdownMetrics.ACKS_STALE);
            return;
        }
        final int child = round.childIndex(sourceCoreId);
        if (child < 0)
        {
            metrics.increment(ShootdownMetrics.ACKS_UNEXPECTED);
            return;
        }
        if (round.hasAcked(child))
        {
            metrics.increment(ShootdownMetrics.ACKS_DUPLICATE);
            return;
        }
        if (!round.onAck(child, acknowledgedCores))
        {
            metrics.increment(ShootdownMetrics.ACKS_MISCOUNTED);
        }
        if (round.allChildrenAcked())
        {
            if (initiated)
            {
                complete(round, nowNs);
            }
            else
            {
                ackIfDone(round);
            }
        }
    }

    /**
     * Fail the rounds and give up the relays whose deadline has passed.
     *
     * @param nowNs the injected clock's time.
     * @return rounds failed plus relays given up.
     */
    public int doWork(final long nowNs)
    {
        int work = 0;
        if (localPendingCount > 0)
        {
            for (final ShootdownRound relay : relays)
            {
                if (!relay.isFree() && relay.localPending() &&
                    invalidator.drained(relay.domainId(), relay.barrier()))
                {
                    relay.localDone();
                    localPendingCount--;
                    ackIfDone(relay);
                    work++;
                }
            }
        }
        if (!deadlinePending || nowNs - earliestDeadlineNs < 0)
        {
            return work;
        }
        deadlinePending = false;
        for (final ShootdownRound round : rounds)
        {
            if (!round.isFree() && nowNs - round.deadlineNs() >= 0)
            {
                metrics.increment(ShootdownMetrics.ROUNDS_TIMED_OUT);
                fail(round, "round " + round.roundId() + " timed out after " +
                    TimeUnit.NANOSECONDS.toMillis(roundTimeoutNs) + " ms: " + round.coresAcked() + " of " +
                    round.expectedCores() + " cores acknowledged, no ack from core(s) " + round.missingChildren());
                work++;
            }
            else if (!round.isFree())
            {
                noteDeadline(round);
            }
        }
        for (final ShootdownRound relay : relays)
        {
            if (!relay.isFree() && nowNs - relay.deadlineNs() >= 0)
            {
                metrics.increment(ShootdownMetrics.RELAYS_EXPIRED);
                freeRelay(relay);
                work++;
            }
            else if (!relay.isFree())
            {
                noteDeadline(relay);
            }
        }
        return work;
    }

    private void noteDeadline(final ShootdownRound round)
    {
        if (!deadlinePending || round.deadlineNs() - earliestDeadlineNs < 0)
        {
            earliestDeadlineNs = round.deadlineNs();
            deadlinePending = true;
        }
    }

    /**
     * @return rounds started here and not yet complete or failed.
     */
    public int roundsInFlight()
    {
        int count = 0;
        for (final ShootdownRound round : rounds)
        {
            count += round.isFree() ? 0 : 1;
        }
        return count;
    }

    private boolean wellFormed(final int[] sizes, final int count)
    {
        if (count < 0 || count > forwardCores.length)
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            if (sizes[i] < 0 || i + 1 + sizes[i] > count)
            {
                return false;
            }
        }
        return true;
    }

    private int writeSubtree(final SendPlan plan, final int core, final int start)
    {
        int index = start;
        for (final int child : plan.childrenOf(core))
        {
            final int entry = index;
            forwardCores[entry] = child;
            index = writeSubtree(plan, child, index + 1);
            subtreeSizes[entry] = index - entry - 1;
        }
        return index;
    }

    private SendOutcome sendRequest(final int destination, final long roundId, final int initiator, final long domainId,
        final long firstPage, final long pageCount, final int offset, final int length)
    {
        final SendOutcome outcome = sender.sendRequest(destination, roundId, initiator, domainId, firstPage, pageCount,
            forwardCores, subtreeSizes, offset, length);
        onRequestSent(outcome);
        return outcome;
    }

    private void onRequestSent(final SendOutcome outcome)
    {
        metrics.increment(SendOutcome.SENT == outcome ?
            ShootdownMetrics.REQUESTS_SENT : ShootdownMetrics.REQUEST_SEND_FAILURES);
    }

    private void sendAck(final int destination, final long roundId, final int acknowledgedCores)
    {
        metrics.increment(SendOutcome.SENT == sender.sendAck(destination, roundId, acknowledgedCores) ?
            ShootdownMetrics.ACKS_SENT : ShootdownMetrics.ACK_SEND_FAILURES);
    }

    private void complete(final ShootdownRound round, final long nowNs)
    {
        final long roundId = round.roundId();
        if (round.coresAcked() != round.expectedCores())
        {
            fail(round, "round " + roundId + " failed: acknowledgements covered " + round.coresAcked() + " of " +
                round.expectedCores() + " cores");
            return;
        }
        metrics.increment(ShootdownMetrics.ROUNDS_COMPLETED);
        final long latencyNs = nowNs - round.startNs();
        round.free();
        listener.onRoundComplete(roundId, latencyNs);
    }

    private void fail(final ShootdownRound round, final String reason)
    {
        metrics.increment(ShootdownMetrics.ROUNDS_FAILED);
        final long roundId = round.roundId();
        round.free();
        listener.onRoundFailed(roundId, reason);
    }

    private static ShootdownRound free(final ShootdownRound[] slots)
    {
        for (final ShootdownRound slot : slots)
        {
            if (slot.isFree())
            {
                return slot;
            }
        }
        return null;
    }

    private static ShootdownRound find(final ShootdownRound[] slots, final long roundId)
    {
        if (NO_ROUND == roundId)
        {
            return null;
        }
        for (final ShootdownRound slot : slots)
        {
            if (slot.roundId() == roundId)
            {
                return slot;
            }
        }
        return null;
    }

    public long roundsStarted()
    {
        return metrics.get(ShootdownMetrics.ROUNDS_STARTED);
    }

    public long roundsCompleted()
    {
        return metrics.get(ShootdownMetrics.ROUNDS_COMPLETED);
    }

    public long roundsFailed()
    {
        return metrics.get(ShootdownMetrics.ROUNDS_FAILED);
    }

    public long roundsTimedOut()
    {
        return metrics.get(ShootdownMetrics.ROUNDS_TIMED_OUT);
    }

    public long roundsRefused()
    {
        return metrics.get(ShootdownMetrics.ROUNDS_REFUSED);
    }

    /**
     * @return requests appended to an inbox by this core, as initiator or relay (broadcast: one per target).
     */
    public long requestsSent()
    {
        return metrics.get(ShootdownMetrics.REQUESTS_SENT);
    }

    public long requestsReceived()
    {
        return metrics.get(ShootdownMetrics.REQUESTS_RECEIVED);
    }

    public long requestsMalformed()
    {
        return metrics.get(ShootdownMetrics.REQUESTS_MALFORMED);
    }

    public long requestsDuplicate()
    {
        return metrics.get(ShootdownMetrics.REQUESTS_DUPLICATE);
    }

    public long invalidations()
    {
        return metrics.get(ShootdownMetrics.INVALIDATIONS);
    }

    public long acksSent()
    {
        return metrics.get(ShootdownMetrics.ACKS_SENT);
    }

    public long staleAcks()
    {
        return metrics.get(ShootdownMetrics.ACKS_STALE);
    }

    public long duplicateAcks()
    {
        return metrics.get(ShootdownMetrics.ACKS_DUPLICATE);
    }

    public long unexpectedAcks()
    {
        return metrics.get(ShootdownMetrics.ACKS_UNEXPECTED);
    }

    public long miscountedAcks()
    {
        return metrics.get(ShootdownMetrics.ACKS_MISCOUNTED);
    }

    public long relaysRefused()
    {
        return metrics.get(ShootdownMetrics.RELAYS_REFUSED);
    }

    public long relaysExpired()
    {
        return metrics.get(ShootdownMetrics.RELAYS_EXPIRED);
    }

    /**
     * @return requests and acks that did not go out.
     */
    public long sendFailures()
    {
        return metrics.get(ShootdownMetrics.REQUEST_SEND_FAILURES) + metrics.get(ShootdownMetrics.ACK_SEND_FAILURES);
    }

    /**
     * Settings of a {@link Shootdown}; defaults from {@link ShootdownConfiguration}.
     */
    public static final class Context
    {
        private int selfCoreId = -1;
        private ShootdownSender sender;
        private ShootdownListener listener;
        private ShootdownInvalidator invalidator = ShootdownInvalidator.NONE;
        private NanoClock nanoClock = SystemNanoClock.INSTANCE;
        private long roundTimeoutNs = ShootdownConfiguration.roundTimeoutNs();
        private int roundsInFlightMax = ShootdownConfiguration.roundsInFlightMax();
        private int relaysInFlightMax = ShootdownConfiguration.relaysInFlightMax();
        private MeterRegistry meterRegistry;
        private long firstRoundSequence;

        /**
         * @return this.
         * @throws IllegalArgumentException naming the bad value and its limit.
         */
        public Context conclude()
        {
            Bounds.check("selfCoreId", selfCoreId, 0, ClusterLimits.CORE_ID_MAX);
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(listener, "listener");
            Objects.requireNonNull(invalidator, "invalidator");
            Objects.requireNonNull(nanoClock, "nanoClock");
            // The property is set in ms, so the check and its message are in ms.
            Bounds.check(ShootdownConfiguration.ROUND_TIMEOUT_PROP, TimeUnit.NANOSECONDS.toMillis(roundTimeoutNs),
                ShootdownConfiguration.ROUND_TIMEOUT_MIN_MS, ShootdownConfiguration.ROUND_TIMEOUT_MAX_MS, "ms");
            Bounds.check(ShootdownConfiguration.ROUNDS_IN_FLIGHT_PROP, roundsInFlightMax, 1,
                ShootdownConfiguration.ROUNDS_IN_FLIGHT_LIMIT);
            Bounds.check(ShootdownConfiguration.RELAYS_IN_FLIGHT_PROP, relaysInFlightMax, 1,
                ShootdownConfiguration.RELAYS_IN_FLIGHT_LIMIT);
            if (null == meterRegistry)
            {
                meterRegistry = new SimpleMeterRegistry();
            }
            return this;
        }

        public Context selfCoreId(final int selfCoreId)
        {
            this.selfCoreId = selfCoreId;
            return this;
        }

        /**
         * Where this core's round ids start (the low {@link #ROUND_SEQUENCE_BITS} bits count on from it). A
         * core gives its incarnation, so a restarted core's rounds do not reuse the ids of rounds its earlier
         * incarnation may have left with relays (a relay drops a request whose id it holds as a duplicate).
         *
         * @return this.
         */
        public Context firstRoundSequence(final long firstRoundSequence)
        {
            this.firstRoundSequence = firstRoundSequence;
            return this;
        }

        public int selfCoreId()
        {
            return selfCoreId;
        }

        public Context sender(final ShootdownSender sender)
        {
            this.sender = sender;
            return this;
        }

        public Context listener(final ShootdownListener listener)
        {
            this.listener = listener;
            return this;
        }

        public ShootdownListener listener()
        {
            return listener;
        }

        /** What this core does with a request's range; {@link ShootdownInvalidator#NONE} by default. */
        public Context invalidator(final ShootdownInvalidator invalidator)
        {
            this.invalidator = invalidator;
            return this;
        }

        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public Context roundTimeoutNs(final long roundTimeoutNs)
        {
            this.roundTimeoutNs = roundTimeoutNs;
            return this;
        }

        public Context roundsInFlightMax(final int roundsInFlightMax)
        {
            this.roundsInFlightMax = roundsInFlightMax;
            return this;
        }

        public Context relaysInFlightMax(final int relaysInFlightMax)
        {
            this.relaysInFlightMax = relaysInFlightMax;
            return this;
        }

        /** Where the counters go ({@link ShootdownMetrics}); defaults to a private {@link SimpleMeterRegistry}. */
        public Context meterRegistry(final MeterRegistry meterRegistry)
        {
            this.meterRegistry = meterRegistry;
            return this;
        }
    }
}
