package io.multikernel.transport;

import org.agrona.DirectBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;

/**
 * A {@link MessageHandler} around a generated SBE decoder: wraps the decoder at the sender's
 * version, walks variable-length data to prove it ends inside the frame, rewinds the decoder to the
 * end of its root block and dispatches it. The decoder is reused, so dispatch allocates nothing.
 *
 * @param <D> the generated decoder type.
 */
public abstract class DecodingHandler<D extends MessageDecoderFlyweight> implements MessageHandler
{
    protected final D decoder;

    protected DecodingHandler(final D decoder)
    {
        this.decoder = decoder;
    }

    /**
     * @return the template id of the decoder.
     */
    public final int templateId()
    {
        return decoder.sbeTemplateId();
    }

    /**
     * @return the decoder's root block length at this build's schema version.
     */
    public final int blockLength()
    {
        return decoder.sbeBlockLength();
    }

    @Override
    public final int onMessage(
        final DirectBuffer buffer, final int blockOffset, final int blockLength, final int version, final int frameEnd)
    {
        decoder.wrap(buffer, blockOffset, blockLength, version);
        final int limit;
        try
        {
            limit = skipToEnd(decoder);
        }
        catch (final IndexOutOfBoundsException ex)
        {
            return MessageHandler.rejected(RejectReason.MALFORMED);
        }
        final int blockEnd = blockOffset + blockLength;
        if (limit < blockEnd || limit > frameEnd)
        {
            return MessageHandler.rejected(RejectReason.MALFORMED);
        }
        // Rewind: the same state a fresh wrap leaves, without repeating it.
        decoder.limit(blockEnd);
        onDecoded(decoder);
        return limit;
    }

    /** What {@link #skipToEnd} returns for a message that cannot be walked: the frame is malformed. */
    protected static final int UNWALKABLE = -1;

    /**
     * The generated decoders step over a group's entries by the block length on the wire but read
     * each entry's fields at fixed offsets: entries shorter than their fields would be read from the
     * bytes after them. An empty group reads nothing, so only a non-empty one is checked.
     *
     * @param count                 entries on the wire.
     * @param actingBlockLength     each entry's block length on the wire.
     * @param entryBlockLength      the fields of an entry at this build's schema.
     * @return true when the entries can be read.
     */
    protected static boolean groupHoldsItsFields(final int count, final int actingBlockLength, final int entryBlockLength)
    {
        return 0 == count || actingBlockLength >= entryBlockLength;
    }

    /**
     * Walk past every variable-length field and group, normally {@code decoder.sbeSkip().limit()};
     * a message whose only variable part is known can skip just that, as the decoder arrives freshly
     * wrapped.
     *
     * @param decoder wrapped at the frame, its limit at the end of the root block.
     * @return the offset one past the message's last byte, or {@link #UNWALKABLE} for a message whose
     *         groups cannot be read (rejected as malformed).
     */
    protected abstract int skipToEnd(D decoder);

    /**
     * Called with the decoder wrapped at a frame that passed every check.
     *
     * @param decoder to read the message from; valid only during the call.
     */
    protected abstract void onDecoded(D decoder);
}
