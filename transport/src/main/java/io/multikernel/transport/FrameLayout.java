package io.multikernel.transport;

import io.multikernel.schema.EnvelopeDecoder;
import io.multikernel.schema.EnvelopeEncoder;
import io.multikernel.schema.MessageHeaderDecoder;
import io.multikernel.schema.MessageHeaderEncoder;

import java.nio.ByteOrder;

/**
 * The first 32 bytes of every URPC message as three or four 8-byte words, for the per-message hot
 * paths ({@link UrpcPublisher#begin}, {@link InboxAdapter}). Every access to an Agrona buffer pays a
 * bounds check and reloads of the buffer's fields, so writing and reading the SBE message header and
 * the envelope a word at a time instead of field by field roughly halves the cost of a small
 * message. The generated codecs stay the definition: the class checks, once when it loads, that
 * they still lay the fields out as drawn, and refuses to load otherwise.
 *
 * <pre>
 *   word 0  | blockLength u16 | templateId u16 | schemaId u16 | version u16 |   message header
 *   word 1  | sourceCoreId i32               | destinationCoreId i32       |   envelope
 *   word 2  | sourceIncarnation i64                                        |
 *   word 3  | correlationId i64                                            |
 *           (little endian: the first field is the low-order bits of its word)
 * </pre>
 */
final class FrameLayout
{
    static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    /** Offsets within the envelope, i.e. from the start of the root block. */
    static final int CORES_OFFSET = 0;
    static final int INCARNATION_OFFSET = 8;
    static final int CORRELATION_OFFSET = 16;

    private static final long SCHEMA_BITS =
        ((long)MessageHeaderEncoder.SCHEMA_ID << 32) | ((long)MessageHeaderEncoder.SCHEMA_VERSION << 48);

    static
    {
        checkLayout();
    }

    private FrameLayout()
    {
    }

    /**
     * @param blockLength of the root block.
     * @param templateId  of the message.
     * @return the message header word this build's schema writes.
     */
    static long header(final int blockLength, final int templateId)
    {
        return (blockLength & 0xFFFFL) | ((templateId & 0xFFFFL) << 16) | SCHEMA_BITS;
    }

    static int blockLength(final long header)
    {
        return (int)header & 0xFFFF;
    }

    static int templateId(final long header)
    {
        return (int)(header >>> 16) & 0xFFFF;
    }

    static int schemaId(final long header)
    {
        return (int)(header >>> 32) & 0xFFFF;
    }

    static int version(final long header)
    {
        return (int)(header >>> 48);
    }

    /**
     * @param sourceCoreId      sender.
     * @param destinationCoreId receiver.
     * @return the envelope's first word.
     */
    static long cores(final int sourceCoreId, final int destinationCoreId)
    {
        return (sourceCoreId & 0xFFFF_FFFFL) | ((long)destinationCoreId << 32);
    }

    static int sourceCoreId(final long cores)
    {
        return (int)cores;
    }

    static int destinationCoreId(final long cores)
    {
        return (int)(cores >>> 32);
    }

    private static void checkLayout()
    {
        final boolean matches = HEADER_LENGTH == 8 &&
            MessageHeaderDecoder.ENCODED_LENGTH == HEADER_LENGTH &&
            MessageHeaderEncoder.blockLengthEncodingOffset() == 0 && MessageHeaderEncoder.blockLengthEncodingLength() == 2 &&
            MessageHeaderEncoder.templateIdEncodingOffset() == 2 && MessageHeaderEncoder.templateIdEncodingLength() == 2 &&
            MessageHeaderEncoder.schemaIdEncodingOffset() == 4 && MessageHeaderEncoder.schemaIdEncodingLength() == 2 &&
            MessageHeaderEncoder.versionEncodingOffset() == 6 && MessageHeaderEncoder.versionEncodingLength() == 2 &&
            EnvelopeEncoder.sourceCoreIdEncodingOffset() == CORES_OFFSET && EnvelopeEncoder.sourceCoreIdEncodingLength() == 4 &&
            EnvelopeEncoder.destinationCoreIdEncodingOffset() == CORES_OFFSET + 4 &&
            EnvelopeEncoder.destinationCoreIdEncodingLength() == 4 &&
            EnvelopeEncoder.sourceIncarnationEncodingOffset() == INCARNATION_OFFSET &&
            EnvelopeEncoder.sourceIncarnationEncodingLength() == 8 &&
            EnvelopeEncoder.correlationIdEncodingOffset() == CORRELATION_OFFSET &&
            EnvelopeEncoder.correlationIdEncodingLength() == 8 &&
            EnvelopeDecoder.ENCODED_LENGTH == EnvelopeEncoder.ENCODED_LENGTH &&
            MessageHeaderEncoder.BYTE_ORDER == BYTE_ORDER && EnvelopeEncoder.BYTE_ORDER == BYTE_ORDER;
        if (!matches)
        {
            throw new IllegalStateException("the SBE message header or envelope no longer has the layout FrameLayout draws");
        }
    }
}
