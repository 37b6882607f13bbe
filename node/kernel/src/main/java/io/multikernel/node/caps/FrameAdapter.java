package io.multikernel.node.caps;

import io.multikernel.schema.BooleanType;
import io.multikernel.schema.FrameReplyDecoder;
import io.multikernel.schema.FrameRequestDecoder;
import io.multikernel.transport.DecodingHandler;
import io.multikernel.transport.MessageDispatcher;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Decodes inbound FrameRequest and FrameReply frames (validated by the inbox, their var data proven
 * to end inside the frame) and hands their fields to {@link FrameAccess}.
 */
public final class FrameAdapter
{
    private final FrameAccess access;
    private final UnsafeBuffer data = new UnsafeBuffer(0, 0);

    public FrameAdapter(final FrameAccess access)
    {
        this.access = access;
    }

    /** @param dispatcher the core's inbox dispatch table. */
    public void registerWith(final MessageDispatcher dispatcher)
    {
        dispatcher.register("frame_request", new RequestHandler());
        dispatcher.register("frame_reply", new ReplyHandler());
    }

    private final class RequestHandler extends DecodingHandler<FrameRequestDecoder>
    {
        RequestHandler()
        {
            super(new FrameRequestDecoder());
        }

        @Override
        protected int skipToEnd(final FrameRequestDecoder decoder)
        {
            decoder.skipData();
            return decoder.limit();
        }

        @Override
        protected void onDecoded(final FrameRequestDecoder decoder)
        {
            final int source = decoder.envelope().sourceCoreId();
            final long correlationId = decoder.envelope().correlationId();
            final long capId = decoder.capId();
            final long offset = decoder.frameOffset();
            final int readLength = decoder.readLength();
            // The raw byte: the typed accessor throws on a value that is neither TRUE nor FALSE, which
            // would stop this core on one bad frame. Only TRUE is a write, as with Hello's reply flag.
            final boolean write = BooleanType.TRUE.value() == decoder.writeRaw();
            final int holder = decoder.actingVersion() >= 4 ? decoder.holderCoreId() : source;
            decoder.wrapData(data);
            access.onRequest(source, correlationId, holder, capId, offset, readLength, write, data, 0, data.capacity());
        }
    }

    private final class ReplyHandler extends DecodingHandler<FrameReplyDecoder>
    {
        ReplyHandler()
        {
            super(new FrameReplyDecoder());
        }

        @Override
        protected int skipToEnd(final FrameReplyDecoder decoder)
        {
            decoder.skipData();
            decoder.skipMessage();
            return decoder.limit();
        }

        @Override
        protected void onDecoded(final FrameReplyDecoder decoder)
        {
            final int source = decoder.envelope().sourceCoreId();
            final long correlationId = decoder.envelope().correlationId();
            final int outcome = decoder.outcome();
            decoder.wrapData(data);
            final String message = decoder.message();
            access.onReply(source, correlationId, outcome, data, 0, data.capacity(), message);
        }
    }
}
