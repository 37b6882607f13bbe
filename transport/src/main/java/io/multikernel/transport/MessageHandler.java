package io.multikernel.transport;

import org.agrona.DirectBuffer;

/**
 * One row of the dispatch table: handles every inbound message of one template id. The inbox has
 * already checked the header, the envelope, the sender and the block length; the handler checks what
 * only it can see (variable-length data and groups fit inside the frame) and then dispatches.
 */
@FunctionalInterface
public interface MessageHandler
{
    /**
     * @param buffer      holding the frame.
     * @param blockOffset offset of the message's root block (after the message header).
     * @param blockLength of the root block, from the header.
     * @param version     schema version the sender encoded with.
     * @param frameEnd    offset one past the frame's last byte; nothing may be read at or past it.
     * @return the offset one past the message's last byte when it was dispatched (a frame may hold
     *         several messages back to back), or {@link #rejected(RejectReason)} when it was not.
     */
    int onMessage(DirectBuffer buffer, int blockOffset, int blockLength, int version, int frameEnd);

    /**
     * @param reason why a message was not dispatched.
     * @return the negative code {@link #onMessage} returns for it.
     */
    static int rejected(final RejectReason reason)
    {
        return -1 - reason.ordinal();
    }

    /**
     * @param result of {@link #onMessage}.
     * @return the rejection it encodes, or {@code null} when the message was dispatched.
     */
    static RejectReason reason(final int result)
    {
        return result >= 0 ? null : RejectReason.values()[-1 - result];
    }
}
