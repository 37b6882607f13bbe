package io.multikernel.node.replication;

import io.multikernel.replication.ReplicationEngine;
import io.multikernel.schema.MessageHeaderDecoder;
import io.multikernel.schema.TwoPhaseBatchDecoder;
import io.multikernel.transport.DecodingHandler;

/**
 * The inbound path of 2PC: the dispatch-table row for template {@code TwoPhaseBatch}. URPC has
 * already checked the header, the envelope, the sender and its incarnation; this walks the groups
 * to prove the message ends inside the frame, then hands the whole message (header included) to
 * {@link ReplicationEngine#onMessage(org.agrona.DirectBuffer, int, int)}, which decodes it and counts
 * what it finds malformed. Kernel loop only.
 */
final class TwoPhaseBatchHandler extends DecodingHandler<TwoPhaseBatchDecoder>
{
    private final ReplicationEngine<?> engine;
    private int limit;
    private long received;

    TwoPhaseBatchHandler(final ReplicationEngine<?> engine)
    {
        super(new TwoPhaseBatchDecoder());
        this.engine = engine;
    }

    @Override
    protected int skipToEnd(final TwoPhaseBatchDecoder decoder)
    {
        limit = decoder.sbeSkip().limit();
        return limit;
    }

    @Override
    protected void onDecoded(final TwoPhaseBatchDecoder decoder)
    {
        final int headerOffset = decoder.offset() - MessageHeaderDecoder.ENCODED_LENGTH;
        received++;
        engine.onMessage(decoder.buffer(), headerOffset, limit - headerOffset);
    }

    long received()
    {
        return received;
    }
}
