package io.multikernel.transport;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.multikernel.common.PeerIncarnations;
import io.multikernel.common.RateLimitedErrorLog;
import io.multikernel.schema.EnvelopeDecoder;
import io.multikernel.schema.MessageHeaderDecoder;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteOrder;

/**
 * Validates every frame that reaches a core's inbox and hands good ones to the dispatch table.
 * Bad input is data: each rejection is counted by reason and logged rate-limited, and nothing
 * thrown by decoding escapes the poll loop.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |          blockLength          |          templateId           |  message header
 *  +---------------------------------------------------------------+
 *  |           schemaId            |            version            |
 *  +---------------------------------------------------------------+
 *  |                         sourceCoreId                          |  envelope: first field
 *  +---------------------------------------------------------------+  of every message
 *  |                       destinationCoreId                       |
 *  +---------------------------------------------------------------+
 *  |                      sourceIncarnation (64)                   |
 *  +---------------------------------------------------------------+
 *  |                        correlationId (64)                     |
 *  +---------------------------------------------------------------+
 *  |        rest of the root block, then groups and var data      ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class InboxAdapter implements FragmentHandler
{
    /** Oldest schema version this build decodes. */
    public static final int SCHEMA_VERSION_MIN = 1;
    /** Bytes every frame has at least: message header plus envelope. */
    public static final int FRAME_LENGTH_MIN_BYTES = MessageHeaderDecoder.ENCODED_LENGTH + EnvelopeDecoder.ENCODED_LENGTH;

    private static final Logger LOGGER = LoggerFactory.getLogger(InboxAdapter.class);

    private final int selfCoreId;
    private final int messageLengthMax;
    private final MessageDispatcher dispatcher;
    private final PeerIncarnations incarnations;
    private final UrpcMetrics metrics;
    private final RateLimitedErrorLog log;
    private final String rejectLogFormat;
    /** Verifies every frame's seal, or {@code null} on an unauthenticated cluster. */
    private final FrameAuthenticator authenticator;
    /** Per sender core id: the incarnation and the highest sequence number of the last frame accepted. */
    private long[] acceptedIncarnationByCore;
    private long[] acceptedSequenceByCore;
    /** The sender and incarnation every message of the frame being dispatched must carry. */
    private int frameSourceCoreId;
    private long frameIncarnation;
    private RuntimeException handlerFailure;

    /**
     * @param selfCoreId       the inbox owner; frames for other cores are rejected.
     * @param messageLengthMax longest acceptable frame, bytes.
     * @param dispatcher       the dispatch table.
     * @param incarnations     the known peers and their current incarnation: this adapter decides it
     *                         for the core, before any handler sees the frame.
     * @param metrics          counters.
     * @param log              rate-limited log; each {@link RejectReason} is a distinct error.
     */
    public InboxAdapter(
        final int selfCoreId,
        final int messageLengthMax,
        final MessageDispatcher dispatcher,
        final PeerIncarnations incarnations,
        final UrpcMetrics metrics,
        final RateLimitedErrorLog log)
    {
        this(selfCoreId, messageLengthMax, dispatcher, incarnations, metrics, log, null);
    }

    /**
     * @param selfCoreId       the inbox owner; frames for other cores are rejected.
     * @param messageLengthMax longest acceptable message, bytes; a sealed frame may be one seal longer.
     * @param dispatcher       the dispatch table.
     * @param incarnations     the known peers and their current incarnation.
     * @param metrics          counters.
     * @param log              rate-limited log; each {@link RejectReason} is a distinct error.
     * @param authenticator    verifies each frame's seal before anything in it is looked at; {@code null}
     *                         accepts frames without seals.
     */
    public InboxAdapter(
        final int selfCoreId,
        final int messageLengthMax,
        final MessageDispatcher dispatcher,
        final PeerIncarnations incarnations,
        final UrpcMetrics metrics,
        final RateLimitedErrorLog log,
        final FrameAuthenticator authenticator)
    {
        this.authenticator = authenticator;
        this.acceptedIncarnationByCore = new long[0];
        this.acceptedSequenceByCore = new long[0];
        this.frameSourceCoreId = -1;
        this.selfCoreId = selfCoreId;
        this.messageLengthMax = messageLengthMax;
        this.dispatcher = dispatcher;
        this.incarnations = incarnations;
        this.metrics = metrics;
        this.log = log;
        this.rejectLogFormat = "core " + selfCoreId + " rejected a frame: reason={}, templateId={}";
    }

    /**
     * A frame holds one message or, from a batching sender, several back to back. Each is validated
     * and dispatched in order; the first one rejected ends the frame, since nothing after it can be
     * located reliably.
     */
    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int sealLength = null == authenticator ? 0 : FrameAuthenticator.SEAL_LENGTH_BYTES;
        if (length > messageLengthMax + sealLength)
        {
            reject(RejectReason.OVERSIZED, buffer, offset, length);
            return;
        }
        if (length < FRAME_LENGTH_MIN_BYTES + sealLength)
        {
            reject(RejectReason.TRUNCATED, buffer, offset, length);
            return;
        }
        frameSourceCoreId = -1;
        if (null != authenticator)
        {
            final RejectReason refused = checkSeal(buffer, offset, length);
            if (null != refused)
            {
                reject(refused, buffer, offset, length);
                return;
            }
        }
        final int frameEnd = offset + length - sealLength;
        int position = offset;
        while (position < frameEnd)
        {
            final int result;
            try
            {
                result = dispatchMessage(buffer, position, frameEnd);
            }
            catch (final RuntimeException ex)
            {
                // Validation never throws; a handler that does has broken an invariant. Aeron would
                // swallow it, so keep it for the endpoint to rethrow from poll() and stop the core.
                if (null == handlerFailure)
                {
                    handlerFailure = ex;
                }
                return;
            }
            if (result < 0)
            {
                reject(MessageHandler.reason(result), buffer, position, frameEnd - position);
                return;
            }
            if (result <= position || result > frameEnd)
            {
                reject(RejectReason.MALFORMED, buffer, position, frameEnd - position);
                return;
            }
            position = result;
        }
    }

    /**
     * A frame is looked at only once its tag proves it was sealed with the cluster's key, for this
     * core, and only when its sequence number is above the last one accepted from that sender's
     * incarnation: a frame captured and sent again is refused. The sender and incarnation read here
     * are the ones every message of the frame must carry.
     *
     * @return why the frame is refused, or {@code null} when it may be dispatched.
     */
    private RejectReason checkSeal(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!authenticator.verify(buffer, offset, length))
        {
            return RejectReason.UNAUTHENTICATED;
        }
        final int blockOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final long cores = buffer.getLong(blockOffset + FrameLayout.CORES_OFFSET, FrameLayout.BYTE_ORDER);
        final int sourceCoreId = FrameLayout.sourceCoreId(cores);
        if (!incarnations.isPeer(sourceCoreId))
        {
            return RejectReason.UNKNOWN_SENDER;
        }
        if (selfCoreId != FrameLayout.destinationCoreId(cores))
        {
            // Sequence numbers count per destination: a frame sealed for another core, published here,
            // must not move this core's floor for its sender (that would make it deaf to the sender).
            return RejectReason.WRONG_DESTINATION;
        }
        final long incarnation = buffer.getLong(blockOffset + FrameLayout.INCARNATION_OFFSET, FrameLayout.BYTE_ORDER);
        final long sequence = FrameAuthenticator.sequence(buffer, offset, length);
        if (sourceCoreId >= acceptedIncarnationByCore.length)
        {
            growSenders(sourceCoreId);
        }
        final long acceptedIncarnation = acceptedIncarnationByCore[sourceCoreId];
        if (incarnation < acceptedIncarnation)
        {
            return RejectReason.STALE_INCARNATION;
        }
        if (incarnation == acceptedIncarnation && sequence <= acceptedSequenceByCore[sourceCoreId])
        {
            return RejectReason.REPLAYED;
        }
        acceptedIncarnationByCore[sourceCoreId] = incarnation;
        acceptedSequenceByCore[sourceCoreId] = sequence;
        frameSourceCoreId = sourceCoreId;
        frameIncarnation = incarnation;
        return null;
    }

    /**
     * Make room for a sender id; peers are checked first, so this happens at most once per peer.
     */
    private void growSenders(final int sourceCoreId)
    {
        final int oldLength = acceptedIncarnationByCore.length;
        final int newLength = Math.max(sourceCoreId + 1, oldLength * 2);
        acceptedIncarnationByCore = java.util.Arrays.copyOf(acceptedIncarnationByCore, newLength);
        acceptedSequenceByCore = java.util.Arrays.copyOf(acceptedSequenceByCore, newLength);
        java.util.Arrays.fill(acceptedIncarnationByCore, oldLength, newLength, Long.MIN_VALUE);
    }

    /**
     * @return the first exception a handler threw since the last call, or {@code null}; clears it.
     */
    RuntimeException takeHandlerFailure()
    {
        final RuntimeException failure = handlerFailure;
        handlerFailure = null;
        return failure;
    }

    /**
     * Validate and dispatch the first message of a frame.
     *
     * @param buffer holding the frame.
     * @param offset of the message header.
     * @param length of the frame.
     * @return {@code null} when the message was dispatched, otherwise why not.
     */
    RejectReason validateAndDispatch(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > messageLengthMax)
        {
            return RejectReason.OVERSIZED;
        }
        frameSourceCoreId = -1;
        final int result = dispatchMessage(buffer, offset, offset + length);
        return result < 0 ? MessageHandler.reason(result) : null;
    }

    /**
     * @param buffer   holding the frame.
     * @param offset   of the message header.
     * @param frameEnd one past the frame's last byte.
     * @return the end of the dispatched message, or a {@link MessageHandler#rejected} code.
     */
    private int dispatchMessage(final DirectBuffer buffer, final int offset, final int frameEnd)
    {
        if (frameEnd - offset < FRAME_LENGTH_MIN_BYTES)
        {
            return MessageHandler.rejected(RejectReason.TRUNCATED);
        }
        // The message header and the envelope's fixed fields in three 8-byte reads (FrameLayout)
        // instead of seven field reads: this runs once per message.
        final long header = buffer.getLong(offset, FrameLayout.BYTE_ORDER);
        if (MessageHeaderDecoder.SCHEMA_ID != FrameLayout.schemaId(header))
        {
            return MessageHandler.rejected(RejectReason.FOREIGN_SCHEMA);
        }
        final int version = FrameLayout.version(header);
        if (version < SCHEMA_VERSION_MIN)
        {
            return MessageHandler.rejected(RejectReason.UNSUPPORTED_VERSION);
        }
        final int templateId = FrameLayout.templateId(header);
        final MessageHandler handler = dispatcher.handler(templateId);
        if (null == handler)
        {
            return MessageHandler.rejected(RejectReason.UNKNOWN_TEMPLATE);
        }
        final int blockLength = FrameLayout.blockLength(header);
        if (blockLength < minBlockLength(templateId, version))
        {
            return MessageHandler.rejected(RejectReason.BAD_BLOCK_LENGTH);
        }
        final int blockOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        if (blockOffset + blockLength > frameEnd)
        {
            return MessageHandler.rejected(RejectReason.TRUNCATED);
        }
        final long cores = buffer.getLong(blockOffset + FrameLayout.CORES_OFFSET, FrameLayout.BYTE_ORDER);
        final int sourceCoreId = FrameLayout.sourceCoreId(cores);
        if (!incarnations.isPeer(sourceCoreId))
        {
            return MessageHandler.rejected(RejectReason.UNKNOWN_SENDER);
        }
        if (selfCoreId != FrameLayout.destinationCoreId(cores))
        {
            return MessageHandler.rejected(RejectReason.WRONG_DESTINATION);
        }
        final long incarnation = buffer.getLong(blockOffset + FrameLayout.INCARNATION_OFFSET, FrameLayout.BYTE_ORDER);
        if (frameSourceCoreId >= 0 && (sourceCoreId != frameSourceCoreId || incarnation != frameIncarnation))
        {
            // The seal vouches for one sender: a message in its frame claiming another is not believed.
            return MessageHandler.rejected(RejectReason.MALFORMED);
        }
        if (PeerIncarnations.STALE == incarnations.observe(sourceCoreId, incarnation))
        {
            return MessageHandler.rejected(RejectReason.STALE_INCARNATION);
        }
        final int result = handler.onMessage(buffer, blockOffset, blockLength, version, frameEnd);
        if (result >= 0)
        {
            metrics.onReceived(templateId, result - offset);
        }
        return result;
    }

    private int minBlockLength(final int templateId, final int version)
    {
        // No message's root block has grown since schema version 1, so every sender, older or newer,
        // sends at least the block this build knows; a shorter one would make the decoder read past
        // it. When a message gains fields, give the dispatcher its block length per version.
        return dispatcher.blockLength(templateId);
    }

    private void reject(final RejectReason reason, final DirectBuffer buffer, final int offset, final int length)
    {
        metrics.onRejected(reason);
        final int templateId = length >= MessageHeaderDecoder.ENCODED_LENGTH ?
            buffer.getShort(offset + MessageHeaderDecoder.templateIdEncodingOffset(), ByteOrder.LITTLE_ENDIAN) & 0xFFFF : -1;
        log.warn(reason, rejectLogFormat, reason.metricTag(), templateId);
    }

    static Logger logger()
    {
        return LOGGER;
    }
}
