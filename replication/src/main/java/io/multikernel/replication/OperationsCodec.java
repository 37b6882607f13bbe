package io.multikernel.replication;

import java.util.ArrayList;
import java.util.List;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes a transaction's operation list once, for the PREPARE messages and the PREPARED record:
 * {@code count:int32} then, per operation, {@code length:int32} and the state machine's bytes.
 *
 * @param <O> the operation type.
 */
final class OperationsCodec<O>
{
    private final StateMachine<O> stateMachine;
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(256);
    private final UnsafeBuffer readView = new UnsafeBuffer(new byte[0]);

    OperationsCodec(final StateMachine<O> stateMachine)
    {
        this.stateMachine = stateMachine;
    }

    byte[] encode(final List<O> operations)
    {
        int offset = 4;
        for (final O operation : operations)
        {
            final int length = stateMachine.encodedLength(operation);
            scratch.putInt(offset, length, java.nio.ByteOrder.LITTLE_ENDIAN);
            scratch.checkLimit(offset + 4 + length);
            stateMachine.encode(operation, scratch, offset + 4);
            offset += 4 + length;
        }
        scratch.putInt(0, operations.size(), java.nio.ByteOrder.LITTLE_ENDIAN);
        final byte[] bytes = new byte[offset];
        scratch.getBytes(0, bytes);
        return bytes;
    }

    /**
     * @throws IllegalArgumentException when the bytes are not an operation list.
     */
    List<O> decode(final byte[] bytes)
    {
        readView.wrap(bytes);
        final BufferCursor cursor = new BufferCursor().forReading(readView, 0, bytes.length);
        final int count = cursor.getInt();
        if (count <= 0 || count > bytes.length)
        {
            throw new IllegalArgumentException("operation count " + count + " is out of range");
        }
        final List<O> operations = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final int length = cursor.getInt();
            if (length < 0 || length > cursor.remaining())
            {
                throw new IllegalArgumentException("operation " + i + " claims " + length + " bytes, " +
                    cursor.remaining() + " remain");
            }
            final O operation;
            try
            {
                operation = stateMachine.decode(readView, cursor.position(), length);
            }
            catch (final IndexOutOfBoundsException ex)
            {
                throw new IllegalArgumentException("operation " + i + " is malformed: " + ex.getMessage(), ex);
            }
            operations.add(operation);
            cursor.forReading(readView, cursor.position() + length, cursor.remaining() - length);
        }
        if (cursor.remaining() != 0)
        {
            throw new IllegalArgumentException(cursor.remaining() + " bytes follow the last operation");
        }
        return operations;
    }
}
