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
     * @return {@code null} when the message was dispatched, otherwise why it was rejected.
     */
    RejectReason onMessage(DirectBuffer buffer, int blockOffset, int blockLength, int version, int frameEnd);
}
