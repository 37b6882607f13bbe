package io.multikernel.node.bench;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The service each Aeron Cluster member runs for {@code mk bench 2pc}: a key-value map that every
 * committed write puts into, answering the writer with the write's correlation id. The consensus
 * module hands a write to the service once a quorum of members has appended it to their log, so
 * the answer means what our commit means. Followers run the same writes; their answers go nowhere.
 *
 * <p>A write on the log, and one entry of a snapshot (the same layout without the correlation id),
 * little-endian:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    correlation id (64 bits)                   |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    key length in bytes                        |
 *  +---------------------------------------------------------------+
 *  |                    key (US-ASCII) ...                         |
 *  +---------------------------------------------------------------+
 *  |                    value ... to the end of the message        |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The answer is the 8-byte correlation id alone.
 */
final class AeronClusterKeyValueService implements ClusteredService
{
    /** Offset of the correlation id in a write, bytes. */
    static final int CORRELATION_ID_OFFSET = 0;
    /** Offset of the key length in a write, bytes. */
    static final int KEY_LENGTH_OFFSET = CORRELATION_ID_OFFSET + Long.BYTES;
    /** Offset of the key in a write, bytes. */
    static final int KEY_OFFSET = KEY_LENGTH_OFFSET + Integer.BYTES;
    /** Length of an answer, bytes. */
    static final int ANSWER_LENGTH_BYTES = Long.BYTES;
    /** Longest key, bytes. */
    static final int KEY_LENGTH_MAX_BYTES = 256;
    /** How many times an answer or snapshot entry is offered before it is given up, each after an idle. */
    static final int OFFER_ATTEMPTS_MAX = 10_000;

    private final Map<String, byte[]> values = new HashMap<>();
    private final UnsafeBuffer answer = new UnsafeBuffer(new byte[ANSWER_LENGTH_BYTES]);
    private Cluster cluster;
    private long writesApplied;
    private long answersDropped;

    /**
     * Encodes a write.
     *
     * @param buffer        to write into, at offset 0.
     * @param correlationId echoed back in the answer.
     * @param key           US-ASCII key, at most {@link #KEY_LENGTH_MAX_BYTES}.
     * @param value         the value.
     * @return the write's length, bytes.
     */
    static int encodeWrite(final MutableDirectBuffer buffer, final long correlationId, final String key, final byte[] value)
    {
        final byte[] keyBytes = key.getBytes(StandardCharsets.US_ASCII);
        if (keyBytes.length > KEY_LENGTH_MAX_BYTES)
        {
            throw new IllegalArgumentException("key length " + keyBytes.length + " is over " + KEY_LENGTH_MAX_BYTES);
        }
        buffer.putLong(CORRELATION_ID_OFFSET, correlationId, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(KEY_LENGTH_OFFSET, keyBytes.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(KEY_OFFSET, keyBytes);
        buffer.putBytes(KEY_OFFSET + keyBytes.length, value);
        return KEY_OFFSET + keyBytes.length + value.length;
    }

    /**
     * Applies a write to the map; what every member does with every committed write.
     *
     * @return the write's correlation id.
     * @throws IllegalArgumentException when the write is malformed.
     */
    long apply(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < KEY_OFFSET)
        {
            throw new IllegalArgumentException("write of " + length + " bytes is shorter than its " + KEY_OFFSET +
                "-byte header");
        }
        final long correlationId = buffer.getLong(offset + CORRELATION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int keyLength = buffer.getInt(offset + KEY_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (keyLength < 0 || keyLength > KEY_LENGTH_MAX_BYTES || KEY_OFFSET + keyLength > length)
        {
            throw new IllegalArgumentException("key length " + keyLength + " does not fit a " + length + "-byte write");
        }
        final String key = buffer.getStringWithoutLengthAscii(offset + KEY_OFFSET, keyLength);
        final byte[] value = new byte[length - KEY_OFFSET - keyLength];
        buffer.getBytes(offset + KEY_OFFSET + keyLength, value);
        values.put(key, value);
        writesApplied++;
        return correlationId;
    }

    /** @return the value last written to {@code key}, or null. */
    byte[] value(final String key)
    {
        return values.get(key);
    }

    /** @return how many keys hold a value. */
    int size()
    {
        return values.size();
    }

    /** @return writes applied since this service started (snapshot entries not counted). */
    long writesApplied()
    {
        return writesApplied;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        if (null != snapshotImage)
        {
            final IdleStrategy idle = cluster.idleStrategy();
            while (!snapshotImage.isEndOfStream())
            {
                idle.idle(snapshotImage.poll(this::onSnapshotEntry, Integer.MAX_VALUE));
            }
            writesApplied = 0;
        }
    }

    private void onSnapshotEntry(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        apply(buffer, offset, length);
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
    }

    @Override
    public void onSessionMessage(final ClientSession session, final long timestamp, final DirectBuffer buffer,
        final int offset, final int length, final Header header)
    {
        final long correlationId = apply(buffer, offset, length);
        answer.putLong(0, correlationId, ByteOrder.LITTLE_ENDIAN);
        final IdleStrategy idle = cluster.idleStrategy();
        idle.reset();
        for (int attempt = 0; attempt < OFFER_ATTEMPTS_MAX; attempt++)
        {
            // On a follower offer() answers at once without sending.
            if (session.offer(answer, 0, ANSWER_LENGTH_BYTES) > 0)
            {
                return;
            }
            idle.idle();
        }
        // The client times the write out; the map already holds it.
        answersDropped++;
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    /**
     * Writes one entry per key, in the write layout with correlation id 0.
     */
    @Override
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        final UnsafeBuffer entry = new UnsafeBuffer(new byte[KEY_OFFSET + KEY_LENGTH_MAX_BYTES]);
        final IdleStrategy idle = cluster.idleStrategy();
        for (final Map.Entry<String, byte[]> keyValue : values.entrySet())
        {
            final UnsafeBuffer buffer = entry.capacity() >= KEY_OFFSET + KEY_LENGTH_MAX_BYTES + keyValue.getValue().length ?
                entry : new UnsafeBuffer(new byte[KEY_OFFSET + KEY_LENGTH_MAX_BYTES + keyValue.getValue().length]);
            final int length = encodeWrite(buffer, 0, keyValue.getKey(), keyValue.getValue());
            idle.reset();
            int attempt = 0;
            while (snapshotPublication.offer(buffer, 0, length) < 0)
            {
                if (++attempt >= OFFER_ATTEMPTS_MAX)
                {
                    throw new IllegalStateException("snapshot entry of key " + keyValue.getKey() + " not accepted after " +
                        OFFER_ATTEMPTS_MAX + " attempts");
                }
                idle.idle();
            }
        }
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
        if (answersDropped > 0)
        {
            System.err.println(answersDropped + " answers to writers were dropped under back pressure");
        }
    }
}
