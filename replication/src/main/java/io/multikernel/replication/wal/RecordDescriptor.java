package io.multikernel.replication.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Layout of one write-ahead log record, little-endian:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Record Length (header + payload)              |  offset 0
 *  +---------------------------------------------------------------+
 *  |                             CRC32C                            |  offset 4
 *  +---------------------------------------------------------------+
 *  |                  Log Position of this record                  |  offset 8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Record Type                          |  offset 16
 *  +---------------------------------------------------------------+
 *  |                            Payload                           ...  offset 20
 * ...                                                              |
 *  +---------------------------------------------------------------+
 *  |           zero padding to the next multiple of 8 bytes        |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The CRC32C covers bytes 0..3 and 8..length-1: everything but itself and the padding. The log
 * position is the record's distance in bytes from the start of the log (segment base position plus
 * offset in the segment), so a record copied or left over from elsewhere fails the check even when
 * its own checksum is right. Records start on 8-byte boundaries, which lets recovery look for valid
 * records after a bad one cheaply.
 */
public final class RecordDescriptor
{
    public static final int LENGTH_OFFSET = 0;
    public static final int CRC_OFFSET = 4;
    public static final int POSITION_OFFSET = 8;
    public static final int TYPE_OFFSET = 16;
    public static final int HEADER_LENGTH = 20;
    public static final int ALIGNMENT = 8;

    private RecordDescriptor()
    {
    }

    /**
     * @return {@code length} rounded up to {@link #ALIGNMENT}.
     */
    public static int align(final int length)
    {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * Computes the CRC32C of the record starting at {@code offset} in {@code buffer}, whose length
     * field is {@code length}. Leaves the buffer's position and limit as they were.
     */
    public static int checksum(final CRC32C crc, final ByteBuffer buffer, final int offset, final int length)
    {
        crc.reset();
        final ByteBuffer view = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        view.limit(offset + CRC_OFFSET).position(offset + LENGTH_OFFSET);
        crc.update(view);
        view.limit(offset + length).position(offset + POSITION_OFFSET);
        crc.update(view);
        return (int)crc.getValue();
    }

    /**
     * Checks the record at {@code offset} of a segment held in {@code buffer} (bytes 0..size-1).
     *
     * @return the record length when valid, or a negative {@code Invalid} code.
     */
    public static int validate(
        final CRC32C crc,
        final ByteBuffer buffer,
        final int offset,
        final int size,
        final long expectedPosition,
        final int recordLengthMaxBytes)
    {
        if (size - offset < HEADER_LENGTH)
        {
            return INVALID_SHORT_HEADER;
        }
        final int length = buffer.getInt(offset + LENGTH_OFFSET);
        if (length < HEADER_LENGTH || length > recordLengthMaxBytes)
        {
            return INVALID_LENGTH;
        }
        if (length > size - offset)
        {
            return INVALID_PAST_END;
        }
        if (buffer.getLong(offset + POSITION_OFFSET) != expectedPosition)
        {
            return INVALID_POSITION;
        }
        if (buffer.getInt(offset + CRC_OFFSET) != checksum(crc, buffer, offset, length))
        {
            return INVALID_CHECKSUM;
        }
        return length;
    }

    public static final int INVALID_SHORT_HEADER = -1;
    public static final int INVALID_LENGTH = -2;
    public static final int INVALID_PAST_END = -3;
    public static final int INVALID_POSITION = -4;
    public static final int INVALID_CHECKSUM = -5;

    /**
     * @return a sentence for a negative code from {@link #validate}.
     */
    public static String describeInvalid(final int code)
    {
        switch (code)
        {
            case INVALID_SHORT_HEADER: return "record header cut short";
            case INVALID_LENGTH: return "record length out of range";
            case INVALID_PAST_END: return "record runs past the end of the file";
            case INVALID_POSITION: return "record carries the wrong log position";
            case INVALID_CHECKSUM: return "CRC32C mismatch";
            default: return "invalid record (" + code + ")";
        }
    }
}
