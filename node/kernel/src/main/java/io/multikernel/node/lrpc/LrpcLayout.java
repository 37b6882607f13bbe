package io.multikernel.node.lrpc;

import io.multikernel.common.Bounds;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Where everything lives in an LRPC channel's buffer: a header, a table of client slots, one
 * many-to-one request ring (apps to the core) and one one-to-one reply ring per client slot (the
 * core to that app). The same layout is used in process (a direct buffer) and across processes
 * (a memory-mapped file, {@code <run dir>/lrpc/core-N.lrpc}).
 * <pre>
 *   0                   4                   8                  12                  16
 *   +-------------------+-------------------+-------------------+-------------------+
 *   |  magic 'MKLR'     |  layout version   |  core id          |  client slots     |  written once,
 *   +-------------------+-------------------+-------------------+-------------------+  before magic
 *   |              core incarnation         |              core pid                 |  is published
 *   +-------------------+-------------------+-------------------+-------------------+
 *   | request ring cap. | reply ring cap.   | message len. max  | outstanding max   |
 *   +-------------------+-------------------+-------------------+-------------------+
 *   |  ... padding to 128 ...                                                       |
 *   +-------------------------------------------------------------------------------+ 128
 *   |       liveness timestamp (epoch ms)   |  core state       |  dozing (0 or 1)  |  written by the
 *   +-------------------+-----------------------------------------------------------+  kernel loop
 *   |  doorbell port    |                                                           |
 *   |  ... padding to 256 ...                                                       |
 *   +-------------------------------------------------------------------------------+ 256
 *   |    request ring full events (clients add atomically)  ... padding to 384 ...  |
 *   +-------------------------------------------------------------------------------+ 384
 *   |  client slot 0: owner token (8) | client pid (8) | client heartbeat ms (8)    |  64 bytes each
 *   |  client slot 1 ...                                                            |
 *   +-------------------------------------------------------------------------------+ aligned 128
 *   |  request ring: ManyToOneRingBuffer, capacity + trailer                        |
 *   +-------------------------------------------------------------------------------+ aligned 128
 *   |  reply ring of slot 0: OneToOneRingBuffer, capacity + trailer                 |
 *   |  reply ring of slot 1 ...                                                     |
 *   +-------------------------------------------------------------------------------+
 * </pre>
 * A dozing core (its flag up) blocks until rung: a client that committed a request then reads the flag
 * and, when it is up, sends one datagram to 127.0.0.1 at the doorbell port (0: the core has no doorbell).
 * <p>
 * The fields the kernel loop writes all the time (liveness) and the ones clients write (the full
 * counter, the slots) sit on their own cache lines, away from the read-mostly constants.
 * <p>
 * A reply ring holds {@link #outstandingMax()} replies of the largest length (plus one for the padding
 * at the wrap), so a client that keeps
 * within its outstanding limit can never find its reply ring full: the core never has to drop a reply.
 */
public final class LrpcLayout
{
    /** 'MKLR' little-endian: marks a fully initialised LRPC file. */
    public static final int MAGIC = 0x524C4B4D;
    /** Bumped on any change to this layout or to {@link LrpcRecordDescriptor}. */
    public static final int LAYOUT_VERSION = 2;

    public static final int MAGIC_OFFSET = 0;
    public static final int LAYOUT_VERSION_OFFSET = 4;
    public static final int CORE_ID_OFFSET = 8;
    public static final int CLIENT_SLOTS_OFFSET = 12;
    public static final int INCARNATION_OFFSET = 16;
    public static final int PID_OFFSET = 24;
    public static final int REQUEST_RING_CAPACITY_OFFSET = 32;
    public static final int REPLY_RING_CAPACITY_OFFSET = 36;
    public static final int MESSAGE_LENGTH_MAX_OFFSET = 40;
    public static final int OUTSTANDING_MAX_OFFSET = 44;
    public static final int LIVENESS_TIMESTAMP_OFFSET = 128;
    public static final int CORE_STATE_OFFSET = 136;
    public static final int DOZING_OFFSET = 140;
    public static final int DOORBELL_PORT_OFFSET = 144;
    /** Largest doorbell port a client rings; anything else in the header is damage, not a port. */
    public static final int DOORBELL_PORT_MAX = 65_535;
    public static final int REQUEST_RING_FULL_COUNT_OFFSET = 256;
    public static final int HEADER_LENGTH_BYTES = 384;

    public static final int SLOT_OWNER_TOKEN_OFFSET = 0;
    public static final int SLOT_CLIENT_PID_OFFSET = 8;
    public static final int SLOT_HEARTBEAT_OFFSET = 16;
    public static final int SLOT_LENGTH_BYTES = 64;
    /** Alignment of each ring: two cache lines, as Agrona pads its ring trailers. */
    public static final int REGION_ALIGNMENT_BYTES = 128;

    /** Core states in the header. */
    public static final int CORE_STATE_ACTIVE = 1;
    public static final int CORE_STATE_CLOSED = 2;

    /** Bounds of the configurable sizes. */
    public static final int CLIENT_SLOTS_MAX = 256;
    public static final int RING_CAPACITY_MIN_BYTES = 4 * 1024;
    public static final int RING_CAPACITY_MAX_BYTES = 64 * 1024 * 1024;
    public static final int MESSAGE_LENGTH_MIN_BYTES = 64;
    public static final int MESSAGE_LENGTH_MAX_BYTES = 64 * 1024;
    public static final int OUTSTANDING_MAX_LIMIT = 65_536;
    /** Largest channel this code maps, bytes. */
    public static final long FILE_LENGTH_MAX_BYTES = 1L << 30;

    private final int clientSlots;
    private final int requestRingCapacity;
    private final int replyRingCapacity;
    private final int messageLengthMax;
    private final int outstandingMax;
    private final int requestRingOffset;
    private final int replyRingsOffset;
    private final int replyRingStride;
    private final long totalLength;

    private LrpcLayout(
        final int clientSlots,
        final int requestRingCapacity,
        final int replyRingCapacity,
        final int messageLengthMax,
        final int outstandingMax)
    {
        this.clientSlots = clientSlots;
        this.requestRingCapacity = requestRingCapacity;
        this.replyRingCapacity = replyRingCapacity;
        this.messageLengthMax = messageLengthMax;
        this.outstandingMax = outstandingMax;
        this.requestRingOffset = BitUtil.align(HEADER_LENGTH_BYTES + clientSlots * SLOT_LENGTH_BYTES, REGION_ALIGNMENT_BYTES);
        final long requestEnd = requestRingOffset + (long)requestRingCapacity + RingBufferDescriptor.TRAILER_LENGTH;
        this.replyRingsOffset = (int)BitUtil.align(requestEnd, REGION_ALIGNMENT_BYTES);
        this.replyRingStride = BitUtil.align(replyRingCapacity + RingBufferDescriptor.TRAILER_LENGTH, REGION_ALIGNMENT_BYTES);
        this.totalLength = replyRingsOffset + (long)replyRingStride * clientSlots;
    }

    /**
     * Computes a layout; the reply ring capacity is derived so that a reply ring holds
     * {@code outstandingMax} replies of {@code messageLengthMax} bytes.
     *
     * @param clientSlots         apps that can attach at once, 1..{@value #CLIENT_SLOTS_MAX}.
     * @param requestRingCapacity bytes, a power of two.
     * @param messageLengthMax    largest request or reply record body, bytes.
     * @param outstandingMax      requests one client may have in flight, a power of two.
     * @return the layout.
     * @throws IllegalArgumentException naming the value and its limit.
     */
    public static LrpcLayout of(
        final int clientSlots, final int requestRingCapacity, final int messageLengthMax, final int outstandingMax)
    {
        check("clientSlots", clientSlots, 1, CLIENT_SLOTS_MAX, false);
        check("requestRingCapacity", requestRingCapacity, RING_CAPACITY_MIN_BYTES, RING_CAPACITY_MAX_BYTES, true);
        check("messageLengthMax", messageLengthMax, MESSAGE_LENGTH_MIN_BYTES, MESSAGE_LENGTH_MAX_BYTES, false);
        check("outstandingMax", outstandingMax, 1, OUTSTANDING_MAX_LIMIT, true);
        if (LrpcRecordDescriptor.recordLength(messageLengthMax) > requestRingCapacity / 8)
        {
            throw new IllegalArgumentException("messageLengthMax=" + messageLengthMax + " does not fit the request ring: " +
                "requestRingCapacity=" + requestRingCapacity + " takes records up to " + (requestRingCapacity / 8) +
                " bytes (one eighth)");
        }
        // One record more than the limit: a record that does not fit before the end of the ring is
        // preceded by padding up to the end, which can take almost one record's length.
        // At least eight records: a ring takes records up to an eighth of its capacity.
        final long replyBytes = Math.max(outstandingMax + 1L, 8) * LrpcRecordDescriptor.recordLength(messageLengthMax);
        if (replyBytes > RING_CAPACITY_MAX_BYTES / 2)
        {
            throw new IllegalArgumentException("outstandingMax=" + outstandingMax + " x messageLengthMax=" +
                messageLengthMax + " needs reply rings larger than " + RING_CAPACITY_MAX_BYTES + " bytes");
        }
        final int replyRingCapacity = Math.max(RING_CAPACITY_MIN_BYTES, BitUtil.findNextPositivePowerOfTwo((int)replyBytes));
        final LrpcLayout layout = new LrpcLayout(clientSlots, requestRingCapacity, replyRingCapacity, messageLengthMax,
            outstandingMax);
        if (layout.totalLength > FILE_LENGTH_MAX_BYTES)
        {
            throw new IllegalArgumentException("an LRPC channel of " + clientSlots + " slots needs " + layout.totalLength +
                " bytes, more than FILE_LENGTH_MAX_BYTES=" + FILE_LENGTH_MAX_BYTES);
        }
        return layout;
    }

    /**
     * Reads and checks the layout a published header describes.
     *
     * @param buffer       the whole channel.
     * @param bufferLength bytes available.
     * @return the layout.
     * @throws IllegalStateException saying what is wrong with the header.
     */
    public static LrpcLayout read(final AtomicBuffer buffer, final long bufferLength)
    {
        if (bufferLength < HEADER_LENGTH_BYTES)
        {
            throw new IllegalStateException("it is " + bufferLength + " bytes, shorter than the " + HEADER_LENGTH_BYTES +
                "-byte header");
        }
        final int magic = buffer.getIntVolatile(MAGIC_OFFSET);
        if (MAGIC != magic)
        {
            throw new IllegalStateException("it does not start with the LRPC magic (found 0x" + Integer.toHexString(magic) +
                "): not an LRPC file, or not yet initialised");
        }
        final int version = buffer.getInt(LAYOUT_VERSION_OFFSET);
        if (LAYOUT_VERSION != version)
        {
            throw new IllegalStateException("its layout version is " + version + ", this build reads version " +
                LAYOUT_VERSION + ": use the same build for the core and the client");
        }
        final LrpcLayout layout;
        try
        {
            layout = of(buffer.getInt(CLIENT_SLOTS_OFFSET), buffer.getInt(REQUEST_RING_CAPACITY_OFFSET),
                buffer.getInt(MESSAGE_LENGTH_MAX_OFFSET), buffer.getInt(OUTSTANDING_MAX_OFFSET));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalStateException("its header is inconsistent: " + ex.getMessage());
        }
        if (layout.replyRingCapacity != buffer.getInt(REPLY_RING_CAPACITY_OFFSET))
        {
            throw new IllegalStateException("its header is inconsistent: reply ring capacity " +
                buffer.getInt(REPLY_RING_CAPACITY_OFFSET) + " should be " + layout.replyRingCapacity);
        }
        if (layout.totalLength != bufferLength)
        {
            throw new IllegalStateException("it is " + bufferLength + " bytes but its header describes " +
                layout.totalLength);
        }
        return layout;
    }

    private static void check(final String name, final int value, final int min, final int max, final boolean powerOfTwo)
    {
        if (powerOfTwo)
        {
            Bounds.checkPowerOfTwo(name, value, min, max, "");
        }
        else
        {
            Bounds.check(name, value, min, max);
        }
    }

    public int clientSlots()
    {
        return clientSlots;
    }

    public int requestRingCapacity()
    {
        return requestRingCapacity;
    }

    public int replyRingCapacity()
    {
        return replyRingCapacity;
    }

    public int messageLengthMax()
    {
        return messageLengthMax;
    }

    public int outstandingMax()
    {
        return outstandingMax;
    }

    public long totalLength()
    {
        return totalLength;
    }

    public int slotOffset(final int slot)
    {
        return HEADER_LENGTH_BYTES + slot * SLOT_LENGTH_BYTES;
    }

    public int requestRingOffset()
    {
        return requestRingOffset;
    }

    /** @return bytes of the request ring including its trailer. */
    public int requestRingLength()
    {
        return requestRingCapacity + RingBufferDescriptor.TRAILER_LENGTH;
    }

    public int replyRingOffset(final int slot)
    {
        return replyRingsOffset + slot * replyRingStride;
    }

    /** @return bytes of one reply ring including its trailer. */
    public int replyRingLength()
    {
        return replyRingCapacity + RingBufferDescriptor.TRAILER_LENGTH;
    }

    @Override
    public String toString()
    {
        return "LrpcLayout{clientSlots=" + clientSlots + ", requestRingCapacity=" + requestRingCapacity +
            ", replyRingCapacity=" + replyRingCapacity + ", messageLengthMax=" + messageLengthMax +
            ", outstandingMax=" + outstandingMax + ", totalLength=" + totalLength + '}';
    }
}
