package io.multikernel.node.replication;

import io.multikernel.common.Bounds;
import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.replication.ParticipantSet;
import io.multikernel.replication.TransactionId;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Payloads of the LRPC operation {@code kv.put} (a replicated put coordinated by the core). Integers
 * are little-endian, as everything on the LRPC channel.
 * <pre>
 * Request:
 *  0               4                               4 + 4n          8 + 4n
 *  +---------------+-------------------------------+---------------+----------------+-----------------+
 *  | replica count | replica core ids, int32 x n   |  key length   | key (UTF-8)    | value (UTF-8,   |
 *  |  n, int32     |                               |  k, int32     | k bytes        | to the end)     |
 *  +---------------+-------------------------------+---------------+----------------+-----------------+
 *
 * Reply (OK: committed): the transaction id, 20 bytes
 *  0                    4                                   12                                  20
 *  +--------------------+-----------------------------------+-----------------------------------+
 *  | coordinator core   | coordinator incarnation, int64    | sequence, int64                   |
 *  +--------------------+-----------------------------------+-----------------------------------+
 * </pre>
 * Other replies carry one UTF-8 line: {@code ABORTED} (nothing changed), {@code UNAVAILABLE} (not
 * proposed: nothing changed), {@code INDEFINITE} (it may have committed), {@code INVALID_ARGUMENT} or
 * {@code MALFORMED} (nothing done).
 */
public final class KvPutCodec
{
    /** Bytes of the replica count and of the key length. */
    public static final int INT_LENGTH_BYTES = Integer.BYTES;
    /** Bytes of a committed put's reply. */
    public static final int REPLY_LENGTH_BYTES = TransactionId.ENCODED_LENGTH;
    /** Most replicas one put may name. */
    public static final int REPLICAS_MAX = ParticipantSet.MAX_PARTICIPANTS;

    private KvPutCodec()
    {
    }

    /**
     * Encodes a request.
     *
     * @param buffer   to write into, from {@code offset}.
     * @param offset   where the payload starts.
     * @param replicas core ids of the replicas.
     * @param key      the key.
     * @param value    the value.
     * @return the payload's length.
     */
    public static int encodeRequest(
        final MutableDirectBuffer buffer, final int offset, final int[] replicas, final String key, final String value)
    {
        int position = offset;
        buffer.putInt(position, replicas.length);
        position += INT_LENGTH_BYTES;
        for (final int replica : replicas)
        {
            buffer.putInt(position, replica);
            position += INT_LENGTH_BYTES;
        }
        final int keyLength = buffer.putStringWithoutLengthUtf8(position + INT_LENGTH_BYTES, key);
        buffer.putInt(position, keyLength);
        position += INT_LENGTH_BYTES + keyLength;
        position += buffer.putStringWithoutLengthUtf8(position, value);
        return position - offset;
    }

    /**
     * @param buffer holding a committed put's reply.
     * @param offset where it starts.
     * @param length its length.
     * @return the transaction id.
     * @throws IllegalArgumentException when the reply is not {@link #REPLY_LENGTH_BYTES} long.
     */
    public static TransactionId decodeReply(final DirectBuffer buffer, final int offset, final int length)
    {
        if (REPLY_LENGTH_BYTES != length)
        {
            throw new IllegalArgumentException("a kv.put reply of " + length + " bytes is not " + REPLY_LENGTH_BYTES +
                " bytes");
        }
        return new TransactionId(buffer.getInt(offset), buffer.getLong(offset + 4), buffer.getLong(offset + 12));
    }

    static void encodeReply(final MutableDirectBuffer buffer, final int offset, final TransactionId id)
    {
        buffer.putInt(offset, id.coordinatorCoreId());
        buffer.putLong(offset + 4, id.coordinatorIncarnation());
        buffer.putLong(offset + 12, id.sequence());
    }

    /**
     * Decodes requests into reused fields; for the kernel loop only.
     */
    public static final class Decoder
    {
        private int[] replicas = new int[0];
        private String key;
        private String value;
        private int status;
        private String problem;

        /**
         * @return true when the payload is a well-formed request (read {@link #replicas()}, {@link #key()},
         *         {@link #value()}); false with {@link #status()} and {@link #problem()} otherwise.
         */
        public boolean decode(final DirectBuffer buffer, final int offset, final int length)
        {
            key = null;
            value = null;
            problem = null;
            if (length < 2 * INT_LENGTH_BYTES)
            {
                return fail(LrpcStatus.MALFORMED, "kv.put needs at least " + 2 * INT_LENGTH_BYTES + " bytes, got " + length);
            }
            final int count = buffer.getInt(offset);
            if (count < 1 || count > REPLICAS_MAX)
            {
                return fail(LrpcStatus.INVALID_ARGUMENT, Bounds.message("kv.put replica count", count, 1, REPLICAS_MAX, ""));
            }
            final int keyLengthAt = INT_LENGTH_BYTES + count * INT_LENGTH_BYTES;
            if (keyLengthAt + INT_LENGTH_BYTES > length)
            {
                return fail(LrpcStatus.MALFORMED, "kv.put names " + count + " replicas but holds only " + length + " bytes");
            }
            final int keyLength = buffer.getInt(offset + keyLengthAt);
            final int keyAt = keyLengthAt + INT_LENGTH_BYTES;
            if (keyLength < 0 || keyLength > length - keyAt)
            {
                return fail(LrpcStatus.MALFORMED, "kv.put key length=" + keyLength + " runs past the " + length +
                    "-byte payload");
            }
            if (0 == keyLength)
            {
                return fail(LrpcStatus.INVALID_ARGUMENT, "kv.put key is empty");
            }
            if (replicas.length != count)
            {
                replicas = new int[count];
            }
            for (int i = 0; i < count; i++)
            {
                replicas[i] = buffer.getInt(offset + INT_LENGTH_BYTES + i * INT_LENGTH_BYTES);
            }
            key = utf8(buffer, offset + keyAt, keyLength);
            value = utf8(buffer, offset + keyAt + keyLength, length - keyAt - keyLength);
            status = LrpcStatus.OK;
            return true;
        }

        private boolean fail(final int status, final String problem)
        {
            this.status = status;
            this.problem = problem;
            return false;
        }

        private static String utf8(final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** @return the replicas of the last request decoded (reused array: copy to keep). */
        public int[] replicas()
        {
            return replicas;
        }

        public String key()
        {
            return key;
        }

        public String value()
        {
            return value;
        }

        /** @return the {@link LrpcStatus} to refuse the last request with, when it did not decode. */
        public int status()
        {
            return status;
        }

        /** @return why the last request did not decode. */
        public String problem()
        {
            return problem;
        }
    }
}
