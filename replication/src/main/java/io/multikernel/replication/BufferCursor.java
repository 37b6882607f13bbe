package io.multikernel.replication;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Reads or writes little-endian values at a moving position: the one encoding of log record
 * payloads, snapshots and encoded operation lists. Reads check bounds against a limit and throw
 * {@link IllegalArgumentException} with the offset, so a bad payload is reported, never trusted.
 */
final class BufferCursor
{
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private MutableDirectBuffer mutable;
    private int position;
    private int limit;

    /**
     * Starts writing at offset 0 of an expandable buffer.
     */
    BufferCursor forWriting(final ExpandableArrayBuffer buffer)
    {
        this.buffer = buffer;
        this.mutable = buffer;
        this.position = 0;
        this.limit = Integer.MAX_VALUE;
        return this;
    }

    BufferCursor forReading(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.mutable = null;
        this.position = offset;
        this.limit = offset + length;
        return this;
    }

    int position()
    {
        return position;
    }

    int remaining()
    {
        return limit - position;
    }

    BufferCursor putByte(final int value)
    {
        mutable.putByte(position, (byte)value);
        position += 1;
        return this;
    }

    BufferCursor putInt(final int value)
    {
        mutable.putInt(position, value, ORDER);
        position += 4;
        return this;
    }

    BufferCursor putLong(final long value)
    {
        mutable.putLong(position, value, ORDER);
        position += 8;
        return this;
    }

    BufferCursor putBytes(final byte[] bytes)
    {
        putInt(bytes.length);
        mutable.putBytes(position, bytes);
        position += bytes.length;
        return this;
    }

    BufferCursor putId(final TransactionId id)
    {
        return putInt(id.coordinatorCoreId()).putLong(id.coordinatorIncarnation()).putLong(id.sequence());
    }

    BufferCursor putParticipants(final ParticipantSet participants)
    {
        putInt(participants.size());
        for (int i = 0; i < participants.size(); i++)
        {
            putInt(participants.coreId(i));
        }
        return this;
    }

    int getByte()
    {
        need(1);
        final int value = buffer.getByte(position);
        position += 1;
        return value;
    }

    int getInt()
    {
        need(4);
        final int value = buffer.getInt(position, ORDER);
        position += 4;
        return value;
    }

    long getLong()
    {
        need(8);
        final long value = buffer.getLong(position, ORDER);
        position += 8;
        return value;
    }

    byte[] getBytes()
    {
        final int length = getInt();
        if (length < 0)
        {
            throw new IllegalArgumentException("negative length " + length + " at offset " + (position - 4));
        }
        need(length);
        final byte[] bytes = new byte[length];
        buffer.getBytes(position, bytes);
        position += length;
        return bytes;
    }

    TransactionId getId()
    {
        return new TransactionId(getInt(), getLong(), getLong());
    }

    ParticipantSet getParticipants()
    {
        final int count = getInt();
        if (count <= 0 || count > ParticipantSet.MAX_PARTICIPANTS)
        {
            throw new IllegalArgumentException("participant count " + count + " at offset " + (position - 4));
        }
        final int[] coreIds = new int[count];
        for (int i = 0; i < count; i++)
        {
            coreIds[i] = getInt();
        }
        return ParticipantSet.of(coreIds);
    }

    private void need(final int bytes)
    {
        if (bytes > limit - position)
        {
            throw new IllegalArgumentException("needs " + bytes + " bytes at offset " + position + " but only " +
                (limit - position) + " remain");
        }
    }
}
