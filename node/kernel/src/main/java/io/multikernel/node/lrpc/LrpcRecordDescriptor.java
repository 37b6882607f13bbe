package io.multikernel.node.lrpc;

import org.agrona.BitUtil;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;

/**
 * The body of the records on an LRPC channel's rings. The ring's own record header carries the
 * length and the type; the type is the operation code ({@link LrpcOperations}).
 * <p>
 * Why a fixed layout and not SBE: records never leave the host, both ends check
 * {@link LrpcLayout#LAYOUT_VERSION} when a client attaches (so there is no schema evolution to
 * support on the wire), the ring's header already holds the length and type an SBE message header
 * would repeat, and the request header is what the kernel loop reads before it knows whether the
 * record is even well formed. Operation payloads are small fixed fields or a string and are
 * described next to their operation.
 * <pre>
 *   Request (app -> core), type = operation code
 *   0                   4                   8                                     16
 *   +-------------------+-------------------+-------------------------------------+
 *   |  client slot      |  reserved (0)     |  client token (slot owner)          |
 *   +-------------------+-------------------+-------------------------------------+
 *   |  correlation id                       |  payload ...                        |
 *   +---------------------------------------+-------------------------------------+
 *   16                                      24
 *
 *   Reply (core -> app), type = operation code of the request
 *   0                                       8                   12               16
 *   +---------------------------------------+-------------------+----------------+
 *   |  correlation id                       |  status           |  reserved (0)  |
 *   +---------------------------------------+-------------------+----------------+
 *   |  payload: the operation's result, or for status != OK a UTF-8 error line   |
 *   +----------------------------------------------------------------------------+
 * </pre>
 */
public final class LrpcRecordDescriptor
{
    public static final int REQUEST_CLIENT_SLOT_OFFSET = 0;
    public static final int REQUEST_CLIENT_TOKEN_OFFSET = 8;
    public static final int REQUEST_CORRELATION_ID_OFFSET = 16;
    public static final int REQUEST_HEADER_LENGTH_BYTES = 24;

    public static final int REPLY_CORRELATION_ID_OFFSET = 0;
    public static final int REPLY_STATUS_OFFSET = 8;
    public static final int REPLY_HEADER_LENGTH_BYTES = 16;

    private LrpcRecordDescriptor()
    {
    }

    /**
     * @param bodyLength bytes of a record body.
     * @return bytes it takes on a ring, with the ring's record header and alignment.
     */
    public static int recordLength(final int bodyLength)
    {
        return BitUtil.align(RecordDescriptor.HEADER_LENGTH + bodyLength, RecordDescriptor.ALIGNMENT);
    }
}
