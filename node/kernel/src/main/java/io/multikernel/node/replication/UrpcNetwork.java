package io.multikernel.node.replication;

import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.multikernel.common.PeerIncarnations;
import io.multikernel.replication.Network;
import io.multikernel.replication.protocol.MessageBatch;
import io.multikernel.replication.protocol.TwoPhaseBatchCodec;
import io.multikernel.schema.EnvelopeEncoder;
import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.schema.TwoPhaseBatchEncoder;
import io.multikernel.transport.SendOutcome;
import io.multikernel.transport.UrpcPublisher;
import org.agrona.ExpandableArrayBuffer;

/**
 * The engine's {@link Network} over URPC: each {@link MessageBatch} becomes one SBE
 * {@code TwoPhaseBatch} message (template {@value TwoPhaseBatchCodec#TEMPLATE_ID}) in the core's URPC
 * publisher. The batch is encoded into a reused scratch buffer, then everything after the envelope is
 * copied into the frame the publisher reserved, whose envelope the publisher writes itself (source,
 * destination, this core's incarnation and the batch sequence as correlation id).
 * <p>
 * Any send outcome but {@link SendOutcome#SENT} is counted in
 * {@code mk_2pc_network_send_failures_total{reason}} and reported to the engine as {@code false}, so
 * it retries on its next duty cycles. Kernel loop only.
 */
public final class UrpcNetwork implements Network
{
    /** Bytes of the message header and envelope, which the publisher writes. */
    static final int PREFIX_LENGTH_BYTES = MessageHeaderEncoder.ENCODED_LENGTH + EnvelopeEncoder.ENCODED_LENGTH;

    private final UrpcPublisher publisher;
    private final PeerIncarnations incarnations;
    private final ChaosFreeze chaos;
    private final TwoPhaseBatchCodec codec = new TwoPhaseBatchCodec();
    private final ExpandableArrayBuffer scratch;
    private final Map<SendOutcome, Counter> failures = new EnumMap<>(SendOutcome.class);
    private final Counter chaosDropped;
    private long sentBatches;

    /**
     * @param publisher     the core's URPC publisher.
     * @param incarnations  the core's table of peer incarnations, which its URPC inbox decides.
     * @param chaos         the chaos hook (told about sent batches; may stop sends).
     * @param registry      the core's registry.
     * @param initialLength of the scratch buffer, bytes; it grows if a batch needs more.
     */
    public UrpcNetwork(
        final UrpcPublisher publisher,
        final PeerIncarnations incarnations,
        final ChaosFreeze chaos,
        final MeterRegistry registry,
        final int initialLength)
    {
        this.publisher = publisher;
        this.incarnations = incarnations;
        this.chaos = chaos;
        this.scratch = new ExpandableArrayBuffer(initialLength);
        for (final SendOutcome outcome : SendOutcome.values())
        {
            if (SendOutcome.SENT != outcome)
            {
                failures.put(outcome, Counter.builder("mk.2pc.network.send.failures")
                    .description("2PC batches URPC did not accept, by reason; the engine retries a bounded number of times")
                    .tags(Tags.of("reason", outcome.metricTag()))
                    .register(registry));
            }
        }
        chaosDropped = Counter.builder("mk.2pc.network.chaos.dropped")
            .description("2PC batches dropped by the chaos freeze hook")
            .register(registry);
    }

    @Override
    public boolean send(final MessageBatch batch)
    {
        if (chaos.stopSending())
        {
            chaosDropped.increment();
            return true;
        }
        final int length = codec.encode(batch, scratch, 0);
        SendOutcome outcome = publisher.begin(batch.destinationCoreId(), TwoPhaseBatchCodec.TEMPLATE_ID,
            TwoPhaseBatchEncoder.BLOCK_LENGTH, length, batch.batchSequence());
        if (SendOutcome.SENT == outcome)
        {
            publisher.buffer().putBytes(publisher.blockOffset() + EnvelopeEncoder.ENCODED_LENGTH,
                scratch, PREFIX_LENGTH_BYTES, length - PREFIX_LENGTH_BYTES);
            outcome = publisher.commit();
        }
        if (SendOutcome.SENT != outcome)
        {
            failures.get(outcome).increment();
            return false;
        }
        sentBatches++;
        chaos.onBatchSent(batch);
        return true;
    }

    /**
     * Offers the publisher's pending batches (every destination's, other layers' messages
     * included) instead of waiting for the kernel loop's flush at the end of the duty cycle: the
     * engine flushes before its fsync or write, so peers start on what it sent meanwhile.
     */
    @Override
    public void flush()
    {
        publisher.flush();
    }

    /**
     * @return the URPC inbox's table: the engine drops nothing the inbox let through, and hears of a
     *         peer's restart from the first frame of its new incarnation, whatever message it carries.
     */
    @Override
    public PeerIncarnations incarnations()
    {
        return incarnations;
    }

    /**
     * @return batches URPC accepted.
     */
    public long sentBatches()
    {
        return sentBatches;
    }

    /**
     * @param outcome a failed outcome.
     * @return batches refused with it.
     */
    public long failures(final SendOutcome outcome)
    {
        final Counter counter = failures.get(outcome);
        return null == counter ? 0 : (long)counter.count();
    }
}
