package io.multikernel.replication.sim;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Random;

import io.multikernel.replication.Network;
import io.multikernel.replication.protocol.MessageBatch;
import io.multikernel.replication.protocol.TwoPhaseBatchCodec;
import org.agrona.ExpandableArrayBuffer;

/**
 * The simulated interconnect. Every batch is encoded to SBE bytes (so the codec runs on every
 * message) and delivered after a random delay; delays reorder messages across pairs of cores but
 * never within one pair (URPC keeps per-sender order). Now and then it refuses a batch, as a
 * back-pressured publication would. Messages to a crashed core, or sent to an
 * incarnation that has since restarted, are lost; messages from a crashed core are lost (or, when
 * configured, some still arrive); a partition drops what crosses it until it heals.
 */
final class SimulatedNetwork
{
    /** Every message takes at least this long. */
    static final long MIN_DELAY_NS = 5_000;
    /** A normal message takes up to this much longer. */
    static final long JITTER_NS = 200_000;
    /** Chance that the network refuses a batch (back pressure); the engine offers it again later. */
    static final double BACK_PRESSURE_PROBABILITY = 0.01;
    /** Chance that a message meets a slow link. */
    static final double SLOW_LINK_PROBABILITY = 0.005;

    private record InFlight(long deliverAtNs, long sequence, int from, int to, long toEpoch, byte[] frame)
    {
    }

    private final PriorityQueue<InFlight> queue = new PriorityQueue<>(
        Comparator.comparingLong(InFlight::deliverAtNs).thenComparingLong(InFlight::sequence));
    private final SimulatedCore<?, ?>[] cores;
    private final Random random;
    private final long slowLinkMaxNs;
    private final boolean deliverInFlightFromCrashed;
    private final long[][] lastDeliverAtNs;
    private final long[][] partitionedUntilNs;
    private final TwoPhaseBatchCodec codec = new TwoPhaseBatchCodec();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    private long nowNs;
    private long sequence;
    private long delivered;

    SimulatedNetwork(
        final SimulatedCore<?, ?>[] cores, final Random random, final long slowLinkMaxNs, final boolean deliverInFlightFromCrashed)
    {
        this.cores = cores;
        this.random = random;
        this.slowLinkMaxNs = slowLinkMaxNs;
        this.deliverInFlightFromCrashed = deliverInFlightFromCrashed;
        this.lastDeliverAtNs = new long[cores.length][cores.length];
        this.partitionedUntilNs = new long[cores.length][cores.length];
    }

    Network endpoint(final int coreId)
    {
        return (batch) -> send(coreId, batch);
    }

    void nowNs(final long nowNs)
    {
        this.nowNs = nowNs;
    }

    private boolean send(final int from, final MessageBatch batch)
    {
        final int to = batch.destinationCoreId();
        if (to < 0 || to >= cores.length || batch.sourceCoreId() != from)
        {
            return false;
        }
        if (random.nextDouble() < BACK_PRESSURE_PROBABILITY)
        {
            return false;
        }
        final SimulatedCore<?, ?> destination = cores[to];
        if (!destination.isUp() || isPartitioned(from, to))
        {
            return true;
        }
        final int length = codec.encode(batch, buffer, 0);
        final byte[] frame = new byte[length];
        buffer.getBytes(0, frame);
        long delay = MIN_DELAY_NS + (long)(random.nextDouble() * JITTER_NS);
        if (random.nextDouble() < SLOW_LINK_PROBABILITY)
        {
            delay += (long)(random.nextDouble() * slowLinkMaxNs);
        }
        final long deliverAtNs = Math.max(nowNs + delay, lastDeliverAtNs[from][to]);
        lastDeliverAtNs[from][to] = deliverAtNs;
        queue.add(new InFlight(deliverAtNs, ++sequence, from, to, destination.epoch(), frame));
        return true;
    }

    /**
     * Moves every message due by now into its destination's inbox.
     */
    void deliverDue()
    {
        InFlight message;
        while (null != (message = queue.peek()) && message.deliverAtNs() <= nowNs)
        {
            queue.poll();
            final SimulatedCore<?, ?> destination = cores[message.to()];
            if (destination.isUp() && destination.epoch() == message.toEpoch() && !isPartitioned(message.from(), message.to()))
            {
                destination.inbox().addLast(message.frame());
                delivered++;
            }
        }
    }

    /**
     * Loses what was in flight to the crashed core and from it.
     */
    void onCrash(final int coreId)
    {
        queue.removeIf((message) -> message.to() == coreId ||
            (message.from() == coreId && (!deliverInFlightFromCrashed || random.nextBoolean())));
    }

    void partition(final int a, final int b, final long untilNs)
    {
        partitionedUntilNs[a][b] = untilNs;
        partitionedUntilNs[b][a] = untilNs;
    }

    void healAll()
    {
        for (final long[] row : partitionedUntilNs)
        {
            java.util.Arrays.fill(row, 0);
        }
    }

    boolean isPartitioned(final int a, final int b)
    {
        return nowNs < partitionedUntilNs[a][b];
    }

    boolean isEmpty()
    {
        return queue.isEmpty();
    }

    int inFlight()
    {
        return queue.size();
    }

    long delivered()
    {
        return delivered;
    }
}
