package io.multikernel.replication;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

import io.multikernel.replication.protocol.MessageBatch;
import io.multikernel.replication.protocol.TwoPhaseBatchCodec;
import io.multikernel.replication.protocol.TwoPhaseMessage;

/**
 * Collects outbound protocol messages per destination core and sends them as batches: one
 * {@link MessageBatch} per destination per flush, cut early at MAX_BATCH_MESSAGES or
 * MAX_BATCH_LENGTH_BYTES. The engine flushes at the start of its duty cycle (the PREPAREs of
 * proposals made since the last one), before each fsync or WAL write, and at the end. Messages to
 * this core itself go to a loopback queue the engine drains.
 *
 * <p>Per destination, batches leave in order. A batch the network refuses (back pressure) is
 * offered again on the next flushes, up to MAX_SEND_ATTEMPTS, and batches behind it wait; then it
 * is dropped and counted, and the protocol's timeouts and retries recover.
 */
final class Outbox
{
    private static final class Destination
    {
        final int coreId;
        List<TwoPhaseMessage> pending = new ArrayList<>();
        int pendingBytes;
        final ArrayDeque<MessageBatch> ready = new ArrayDeque<>();
        int attempts;
        long batchSequence;

        Destination(final int coreId)
        {
            this.coreId = coreId;
        }
    }

    private final int coreId;
    private final Network network;
    private final int maxBatchMessages;
    private final int maxBatchLengthBytes;
    private final int maxSendAttempts;
    private final BiConsumer<ErrorKind, String> errors;
    private final ArrayDeque<TwoPhaseMessage> loopback = new ArrayDeque<>();
    private final Map<Integer, Destination> destinations = new TreeMap<>();
    private long incarnation;
    /** Messages queued or batches refused since the last flush that sent everything: flush has work. */
    private boolean unsent;

    Outbox(final int coreId, final Network network, final int maxBatchMessages, final int maxBatchLengthBytes,
        final int maxSendAttempts, final BiConsumer<ErrorKind, String> errors)
    {
        this.coreId = coreId;
        this.network = network;
        this.maxBatchMessages = maxBatchMessages;
        this.maxBatchLengthBytes = maxBatchLengthBytes;
        this.maxSendAttempts = maxSendAttempts;
        this.errors = errors;
    }

    void incarnation(final long incarnation)
    {
        this.incarnation = incarnation;
    }

    void send(final int destinationCoreId, final TwoPhaseMessage message)
    {
        if (destinationCoreId == coreId)
        {
            loopback.addLast(message);
            return;
        }
        final Destination destination = destinations.computeIfAbsent(destinationCoreId, Destination::new);
        unsent = true;
        final int bytes = TwoPhaseBatchCodec.encodedLengthUpperBound(message);
        if (!destination.pending.isEmpty() && (destination.pending.size() >= maxBatchMessages ||
            TwoPhaseBatchCodec.BATCH_OVERHEAD_BYTES + destination.pendingBytes + bytes > maxBatchLengthBytes))
        {
            cut(destination);
        }
        destination.pending.add(message);
        destination.pendingBytes += bytes;
    }

    /**
     * @return the next message this core sent itself, or null.
     */
    TwoPhaseMessage pollLoopback()
    {
        return loopback.pollFirst();
    }

    boolean hasLoopback()
    {
        return !loopback.isEmpty();
    }

    /**
     * Offers every collected batch to the network, then has the network push them out.
     *
     * @return batches the network accepted.
     */
    int flush()
    {
        if (!unsent)
        {
            // The engine flushes several times per duty cycle; most find nothing to send.
            return 0;
        }
        int sent = 0;
        boolean backlog = false;
        for (final Destination destination : destinations.values())
        {
            cut(destination);
            MessageBatch batch;
            while (null != (batch = destination.ready.peekFirst()))
            {
                if (network.send(batch))
                {
                    destination.ready.pollFirst();
                    destination.attempts = 0;
                    sent++;
                }
                else if (++destination.attempts >= maxSendAttempts)
                {
                    destination.ready.pollFirst();
                    destination.attempts = 0;
                    errors.accept(ErrorKind.SEND_DROPPED, "dropped a batch of " + batch.messages().size() +
                        " messages to core " + destination.coreId + " after " + maxSendAttempts + " attempts");
                }
                else
                {
                    break;
                }
            }
            backlog |= !destination.ready.isEmpty();
        }
        unsent = backlog;
        if (sent > 0)
        {
            network.flush();
        }
        return sent;
    }

    /**
     * @return true when batches wait for a retry.
     */
    boolean hasBacklog()
    {
        for (final Destination destination : destinations.values())
        {
            if (!destination.ready.isEmpty())
            {
                return true;
            }
        }
        return false;
    }

    private void cut(final Destination destination)
    {
        if (!destination.pending.isEmpty())
        {
            destination.ready.addLast(new MessageBatch(
                coreId, incarnation, destination.coreId, ++destination.batchSequence, destination.pending));
            destination.pending = new ArrayList<>();
            destination.pendingBytes = 0;
        }
    }
}
