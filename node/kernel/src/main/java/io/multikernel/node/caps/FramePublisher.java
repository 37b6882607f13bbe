package io.multikernel.node.caps;

import io.multikernel.schema.BooleanType;
import io.multikernel.schema.FrameReplyEncoder;
import io.multikernel.schema.FrameRequestEncoder;
import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.transport.SendOutcome;
import io.multikernel.transport.UrpcPublisher;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Encodes FrameRequest (203) and FrameReply (204) straight into the URPC publisher's frame; the
 * request's correlation id is the envelope's. Reuses its encoders.
 */
public final class FramePublisher implements FrameAccess.Sender
{
    /** MESSAGE_LENGTH_MAX_CHARS: longest refusal sentence a reply carries; longer ones are cut. */
    static final int MESSAGE_LENGTH_MAX_CHARS = 1024;

    private final UrpcPublisher publisher;
    private final FrameRequestEncoder requestEncoder = new FrameRequestEncoder();
    private final FrameReplyEncoder replyEncoder = new FrameReplyEncoder();

    public FramePublisher(final UrpcPublisher publisher)
    {
        this.publisher = publisher;
    }

    @Override
    public boolean sendRequest(final int destination, final long correlationId, final int holderCore, final long capId,
        final long offset, final int readLength, final boolean write, final DirectBuffer data, final int dataOffset,
        final int dataLength)
    {
        final int messageLength = MessageHeaderEncoder.ENCODED_LENGTH + FrameRequestEncoder.BLOCK_LENGTH +
            FrameRequestEncoder.dataHeaderLength() + dataLength;
        if (SendOutcome.SENT != publisher.begin(destination, FrameRequestEncoder.TEMPLATE_ID, FrameRequestEncoder.BLOCK_LENGTH,
            messageLength, correlationId))
        {
            return false;
        }
        requestEncoder.wrap(publisher.buffer(), publisher.blockOffset())
            .capId(capId)
            .frameOffset(offset)
            .readLength(readLength)
            .write(write ? BooleanType.TRUE : BooleanType.FALSE)
            .holderCoreId(holderCore)
            .putData(data, dataOffset, dataLength);
        return SendOutcome.SENT == publisher.commit(requestEncoder.limit());
    }

    @Override
    public boolean sendReply(final int destination, final long correlationId, final int outcomeOrdinal,
        final DirectBuffer data, final int dataOffset, final int dataLength, final String message)
    {
        final String cut = message.length() > MESSAGE_LENGTH_MAX_CHARS ? message.substring(0, MESSAGE_LENGTH_MAX_CHARS) :
            message;
        final byte[] text = cut.getBytes(StandardCharsets.UTF_8);
        final int messageLength = MessageHeaderEncoder.ENCODED_LENGTH + FrameReplyEncoder.BLOCK_LENGTH +
            FrameReplyEncoder.dataHeaderLength() + dataLength + FrameReplyEncoder.messageHeaderLength() + text.length;
        if (SendOutcome.SENT != publisher.begin(destination, FrameReplyEncoder.TEMPLATE_ID, FrameReplyEncoder.BLOCK_LENGTH,
            messageLength, correlationId))
        {
            return false;
        }
        replyEncoder.wrap(publisher.buffer(), publisher.blockOffset())
            .outcome((short)outcomeOrdinal)
            .putData(data, dataOffset, dataLength)
            .putMessage(text, 0, text.length);
        return SendOutcome.SENT == publisher.commit(replyEncoder.limit());
    }
}
