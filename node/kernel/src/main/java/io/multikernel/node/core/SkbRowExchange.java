package io.multikernel.node.core;

import io.multikernel.node.skb.RttMatrix;
import io.multikernel.node.skb.Topology;
import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.schema.SkbRowDecoder;
import io.multikernel.schema.SkbRowEncoder;
import io.multikernel.transport.DecodingHandler;
import io.multikernel.transport.SendOutcome;
import io.multikernel.transport.UrpcEndpoint;

import java.util.Arrays;

/**
 * Keeps every core's copy of the RTT matrix converging: each core sends its own row to every peer
 * on a timer (so a peer that was away catches up), and merges the rows it receives. The matrix's
 * merge is deterministic, so all cores end with the same matrix from the same rows.
 */
final class SkbRowExchange extends DecodingHandler<SkbRowDecoder>
{
    private final UrpcEndpoint endpoint;
    private final Topology topology;
    private final RttMatrix matrix;
    private final int selfCoreId;
    private final long selfIncarnation;
    private final SkbRowEncoder encoder = new SkbRowEncoder();
    private final long[] ownRow;
    private final long[] receivedRow;
    private long rejectedRows;

    SkbRowExchange(final UrpcEndpoint endpoint, final Topology topology, final RttMatrix matrix, final int selfCoreId,
        final long selfIncarnation)
    {
        super(new SkbRowDecoder());
        this.endpoint = endpoint;
        this.topology = topology;
        this.matrix = matrix;
        this.selfCoreId = selfCoreId;
        this.selfIncarnation = selfIncarnation;
        this.ownRow = new long[topology.coreCount()];
        this.receivedRow = new long[topology.coreCount()];
        endpoint.dispatcher().register("skb_row", this);
    }

    /**
     * Record this core's current row in its own matrix and send it to every other core.
     *
     * @param probe this core's RTT measurements.
     * @return rows sent.
     */
    int publishOwnRow(final RttProbe probe)
    {
        probe.copyRow(ownRow);
        final long sequence = matrix.publishOwnRow(selfCoreId, selfIncarnation, ownRow);
        int sent = 0;
        for (int index = 0; index < topology.coreCount(); index++)
        {
            final int peer = topology.coreId(index);
            if (peer != selfCoreId && SendOutcome.SENT == send(peer, sequence))
            {
                sent++;
            }
        }
        return sent;
    }

    private SendOutcome send(final int peer, final long sequence)
    {
        final int entries = topology.coreCount();
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + SkbRowEncoder.BLOCK_LENGTH +
            SkbRowEncoder.EntriesEncoder.sbeHeaderSize() + entries * SkbRowEncoder.EntriesEncoder.sbeBlockLength();
        final SendOutcome outcome = endpoint.publisher().begin(peer, SkbRowEncoder.TEMPLATE_ID, SkbRowEncoder.BLOCK_LENGTH,
            length, sequence);
        if (SendOutcome.SENT != outcome)
        {
            return outcome;
        }
        encoder.wrap(endpoint.publisher().buffer(), endpoint.publisher().blockOffset())
            .ownerCoreId(selfCoreId)
            .ownerIncarnation(selfIncarnation)
            .sequence(sequence);
        final SkbRowEncoder.EntriesEncoder group = encoder.entriesCount(entries);
        for (int index = 0; index < entries; index++)
        {
            group.next().coreId(topology.coreId(index)).rttNs(ownRow[index]);
        }
        return endpoint.publisher().commit(encoder.limit());
    }

    @Override
    protected int skipToEnd(final SkbRowDecoder decoder)
    {
        final SkbRowDecoder.EntriesDecoder entries = decoder.entries();
        if (!groupHoldsItsFields(entries.count(), entries.actingBlockLength(), SkbRowDecoder.EntriesDecoder.sbeBlockLength()))
        {
            return UNWALKABLE;
        }
        return decoder.sbeSkip().limit();
    }

    @Override
    protected void onDecoded(final SkbRowDecoder decoder)
    {
        Arrays.fill(receivedRow, RttMatrix.RTT_UNKNOWN_NS);
        final int owner = decoder.ownerCoreId();
        final long incarnation = decoder.ownerIncarnation();
        final long sequence = decoder.sequence();
        for (final SkbRowDecoder.EntriesDecoder entry : decoder.entries())
        {
            final int index = topology.indexOf(entry.coreId());
            if (Topology.NO_INDEX != index)
            {
                receivedRow[index] = entry.rttNs();
            }
        }
        if (RttMatrix.MergeOutcome.REJECTED == matrix.mergeRow(owner, incarnation, sequence, receivedRow))
        {
            rejectedRows++;
        }
    }

    long rejectedRows()
    {
        return rejectedRows;
    }
}
