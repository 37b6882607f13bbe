package io.multikernel.transport;

import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.multikernel.schema.EnvelopeEncoder;
import io.multikernel.schema.GoodbyeEncoder;
import io.multikernel.schema.HeartbeatEncoder;
import io.multikernel.schema.HelloEncoder;
import io.multikernel.schema.MessageHeaderEncoder;
import io.multikernel.schema.PingEncoder;
import io.multikernel.schema.PongEncoder;
import io.multikernel.schema.BooleanType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Sends URPC messages from one core to the inboxes of its peers. Every send has an explicit
 * {@link SendOutcome}. A message that fits one Aeron frame is encoded straight into the log buffer
 * ({@code tryClaim}); a longer one is encoded into a reused scratch buffer and offered (Aeron
 * fragments it). Back pressure is retried up to {@code sendRetryAttempts} times, yielding the CPU
 * between attempts so the receiver can drain, and then reported.
 * <p>
 * <b>Batching</b> (on by default): a message that fits one frame is appended to a per-destination
 * batch instead of claiming a frame of its own; {@link #flush()} offers every pending batch as one
 * frame, and the receiver unpacks its messages in order. This amortises Aeron's per-frame cost the
 * way the multikernel pipelines and batches URPC messages. {@link SendOutcome#SENT} then means the
 * message is queued in order behind everything sent before it to that core; a batch that can no
 * longer be delivered because its destination went away is counted as failed sends, as messages
 * already in a dead core's inbox are lost. The core's agent flushes once per duty cycle
 * ({@link UrpcEndpoint#poll()} flushes after dispatching), so batching adds no latency beyond the
 * cycle. A message to a core with a pending batch never overtakes it: the batch is flushed first.
 * <p>
 * <b>Link faults</b> (chaos only, see {@link LinkFaults}): every frame is offered through one place
 * after it is sealed, where a faulted link may drop it (the sender is told {@link SendOutcome#SENT}, as
 * a frame lost on the wire) or hold it and offer the same sealed bytes after the link's delay, from
 * {@link #flush()}. A message to a faulted link is never claimed in the log, so the link sees it too.
 * <p>
 * Typed senders cover the transport's own messages. Other layers use the two-step form:
 * {@link #begin(int, int, int, int, long)} writes the header and envelope and exposes
 * {@link #buffer()} and {@link #blockOffset()} for the rest of the message; {@link #commit()} sends.
 * Not thread safe: one publisher per core agent.
 */
public final class UrpcPublisher
{
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    /** Largest var-data field: its length is a uint16. */
    public static final int PAYLOAD_LENGTH_MAX_BYTES = 65_534;

    private final int selfCoreId;
    private final long selfIncarnation;
    private final int sendRetryAttempts;
    private final int messageLengthMax;
    private final Publication[] publicationByCore;
    private final UrpcMetrics metrics;
    /** Seals every frame, or {@code null} on an unauthenticated cluster. */
    private final FrameAuthenticator authenticator;
    /** Bytes after each frame's messages: {@link FrameAuthenticator#SEAL_LENGTH_BYTES} or 0. */
    private final int sealLength;
    /** Last sequence number sealed into a frame to each core; the next frame gets one more. */
    private final long[] sequenceByCore;
    /** Chaos: drops or holds sealed frames per destination; {@code null} (no filter) unless enabled. */
    private final LinkFaults linkFaults;
    /** Where {@link #linkFaults} hands held frames when their delay is over. */
    private final LinkFaults.FrameSink heldFrames = this::sendHeld;

    private final BufferClaim bufferClaim = new BufferClaim();
    private final UnsafeBuffer scratch;
    private final HelloEncoder helloEncoder = new HelloEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final PingEncoder pingEncoder = new PingEncoder();
    private final PongEncoder pongEncoder = new PongEncoder();
    private final GoodbyeEncoder goodbyeEncoder = new GoodbyeEncoder();

    /** Bytes a destination's batch buffer starts with (it grows when batches fill it; {@link #growBatch}). */
    static final int BATCH_BUFFER_INITIAL_BYTES = 1024;

    private final boolean batching;
    private final UnsafeBuffer[] batchBuffers;
    private final int[] batchLengths;
    private final int[] batchMessages;
    /**
     * Per destination: the batch length its seal was written for, or -1. A batch that met back
     * pressure is offered again with the same seal unless a message was begun in it since (which
     * writes over the seal): nothing left with that sequence number, and a 32 KiB batch costs about
     * 6 us to tag.
     */
    private final int[] sealedBatchLength;
    private final int[] pendingDestinations;
    /** Longest message that goes into a batch, per destination; 0 with batching off. */
    private final int[] batchCapacityByCore;
    private int pendingCount;
    /** @return the longest message this publisher sends, bytes (from its term length). */
    public int messageLengthMax()
    {
        return messageLengthMax;
    }

    /** Told of every message sent; {@code null} for none. */
    private SendObserver sendObserver;

    private Publication current;
    private int currentDestination;
    private boolean claimed;
    private boolean batched;
    private MutableDirectBuffer frameBuffer;
    private int frameOffset;
    private int frameLength;
    private int frameTemplateId;

    UrpcPublisher(
        final int selfCoreId,
        final long selfIncarnation,
        final int sendRetryAttempts,
        final int messageLengthMax,
        final Publication[] publicationByCore,
        final UrpcMetrics metrics,
        final boolean batching,
        final FrameAuthenticator authenticator,
        final LinkFaults linkFaults)
    {
        this.selfCoreId = selfCoreId;
        this.selfIncarnation = selfIncarnation;
        this.sendRetryAttempts = sendRetryAttempts;
        this.messageLengthMax = messageLengthMax;
        this.publicationByCore = publicationByCore;
        this.metrics = metrics;
        this.authenticator = authenticator;
        this.linkFaults = linkFaults;
        this.sealLength = null == authenticator ? 0 : FrameAuthenticator.SEAL_LENGTH_BYTES;
        this.sequenceByCore = new long[publicationByCore.length];
        this.scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(messageLengthMax + sealLength));
        this.batching = batching;
        this.batchBuffers = new UnsafeBuffer[publicationByCore.length];
        this.batchLengths = new int[publicationByCore.length];
        this.batchMessages = new int[publicationByCore.length];
        this.sealedBatchLength = new int[publicationByCore.length];
        java.util.Arrays.fill(sealedBatchLength, -1);
        this.pendingDestinations = new int[publicationByCore.length];
        this.batchCapacityByCore = new int[publicationByCore.length];
        for (int i = 0; i < publicationByCore.length; i++)
        {
            batchCapacityByCore[i] = batchCapacity(publicationByCore[i]);
        }
    }

    public SendOutcome sendHello(
        final int destination, final long correlationId, final int hostId, final long timestampNs, final boolean reply)
    {
        final SendOutcome outcome = begin(destination, HelloEncoder.TEMPLATE_ID, HelloEncoder.BLOCK_LENGTH,
            HEADER_LENGTH + HelloEncoder.BLOCK_LENGTH, correlationId);
        if (SendOutcome.SENT != outcome)
        {
            return outcome;
        }
        helloEncoder.wrap(frameBuffer, blockOffset())
            .schemaVersion(HelloEncoder.SCHEMA_VERSION)
            .hostId(hostId)
            .timestampNs(timestampNs)
            .reply(reply ? BooleanType.TRUE : BooleanType.FALSE);
        return commitChecked(helloEncoder.limit());
    }

    public SendOutcome sendHeartbeat(final int destination, final long correlationId, final long timestampNs)
    {
        final SendOutcome outcome = begin(destination, HeartbeatEncoder.TEMPLATE_ID, HeartbeatEncoder.BLOCK_LENGTH,
            HEADER_LENGTH + HeartbeatEncoder.BLOCK_LENGTH, correlationId);
        if (SendOutcome.SENT != outcome)
        {
            return outcome;
        }
        heartbeatEncoder.wrap(frameBuffer, blockOffset()).timestampNs(timestampNs);
        return commitChecked(heartbeatEncoder.limit());
    }

    public SendOutcome sendPing(
        final int destination,
        final long correlationId,
        final long timestampNs,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        final SendOutcome outcome = beginWithPayload(destination, PingEncoder.TEMPLATE_ID, PingEncoder.BLOCK_LENGTH,
            PingEncoder.payloadHeaderLength(), payloadLength, correlationId);
        if (SendOutcome.SENT != outcome)
        {
            return outcome;
        }
        pingEncoder.wrap(frameBuffer, blockOffset())
            .timestampNs(timestampNs)
            .putPayload(payload, payloadOffset, payloadLength);
        return commitChecked(pingEncoder.limit());
    }

    public SendOutcome sendPong(
        final int destination,
        final long correlationId,
        final long pingTimestampNs,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        final SendOutcome outcome = beginWithPayload(destination, PongEncoder.TEMPLATE_ID, PongEncoder.BLOCK_LENGTH,
            PongEncoder.payloadHeaderLength(), payloadLength, correlationId);
        if (SendOutcome.SENT != outcome)
        {
            return outcome;
        }
        pongEncoder.wrap(frameBuffer, blockOffset())
            .pingTimestampNs(pingTimestampNs)
            .putPayload(payload, payloadOffset, payloadLength);
        return commitChecked(pongEncoder.limit());
    }

    public SendOutcome sendGoodbye(final int destination, final short reason)
    {
        final SendOutcome outcome = begin(destination, GoodbyeEncoder.TEMPLATE_ID, GoodbyeEncoder.BLOCK_LENGTH,
            HEADER_LENGTH + GoodbyeEncoder.BLOCK_LENGTH, 0);
        if (SendOutcome.SENT != outcome)
        {
            return outcome;
        }
        goodbyeEncoder.wrap(frameBuffer, blockOffset()).reason(reason);
        return commitChecked(goodbyeEncoder.limit());
    }

    /**
     * Reserve a frame for a message to {@code destination} and write its header and envelope. On
     * {@link SendOutcome#SENT} the caller encodes the rest of the root block at {@link #blockOffset()}
     * (its encoder's {@code wrap}, not {@code wrapAndApplyHeader}, leaving the envelope alone) and then
     * calls {@link #commit()} or {@link #abort()}. Any other outcome reserved nothing.
     *
     * @param destination   core id.
     * @param templateId    of the message.
     * @param blockLength   of its root block.
     * @param messageLength header, block, groups and var data, bytes.
     * @param correlationId for the envelope.
     * @return {@link SendOutcome#SENT} when a frame is reserved, otherwise why not.
     */
    public SendOutcome begin(
        final int destination, final int templateId, final int blockLength, final int messageLength, final long correlationId)
    {
        if (null != frameBuffer)
        {
            throw new IllegalStateException("begin() while a frame for templateId=" + frameTemplateId + " is open");
        }
        if (messageLength < HEADER_LENGTH + blockLength || blockLength < EnvelopeEncoder.ENCODED_LENGTH)
        {
            throw new IllegalArgumentException("messageLength=" + messageLength + " cannot hold header and blockLength=" +
                blockLength);
        }
        final Publication publication = publication(destination);
        if (null == publication)
        {
            return failed(SendOutcome.UNKNOWN_DESTINATION);
        }
        if (messageLength > messageLengthMax)
        {
            return failed(SendOutcome.TOO_LARGE);
        }
        final SendOutcome outcome = messageLength <= batchCapacityByCore[destination] ?
            reserveInBatch(destination, publication, messageLength) : reserveFrame(destination, publication, messageLength);
        if (SendOutcome.SENT != outcome)
        {
            return failed(outcome);
        }
        current = publication;
        currentDestination = destination;
        frameLength = messageLength;
        frameTemplateId = templateId;
        // Header and envelope a word at a time (FrameLayout): this runs once per message.
        final MutableDirectBuffer buffer = frameBuffer;
        final int blockOffset = frameOffset + HEADER_LENGTH;
        buffer.putLong(frameOffset, FrameLayout.header(blockLength, templateId), FrameLayout.BYTE_ORDER);
        buffer.putLong(blockOffset + FrameLayout.CORES_OFFSET, FrameLayout.cores(selfCoreId, destination), FrameLayout.BYTE_ORDER);
        buffer.putLong(blockOffset + FrameLayout.INCARNATION_OFFSET, selfIncarnation, FrameLayout.BYTE_ORDER);
        buffer.putLong(blockOffset + FrameLayout.CORRELATION_OFFSET, correlationId, FrameLayout.BYTE_ORDER);
        return SendOutcome.SENT;
    }

    /**
     * @return the buffer of the frame opened by {@link #begin}.
     */
    public MutableDirectBuffer buffer()
    {
        return frameBuffer;
    }

    /**
     * @return offset of the open frame's root block, where the envelope starts.
     */
    public int blockOffset()
    {
        return frameOffset + HEADER_LENGTH;
    }

    /**
     * Send the frame opened by {@link #begin}.
     *
     * @return {@link SendOutcome#SENT}, or why the message did not go out.
     */
    public SendOutcome commit()
    {
        if (null == frameBuffer)
        {
            throw new IllegalStateException("commit() without begin()");
        }
        SendOutcome outcome = SendOutcome.SENT;
        if (batched)
        {
            appendToBatch(currentDestination, frameLength);
        }
        else if (claimed)
        {
            seal(frameBuffer, frameOffset, frameLength, currentDestination);
            bufferClaim.commit();
        }
        else
        {
            seal(frameBuffer, frameOffset, frameLength, currentDestination);
            outcome = send(currentDestination, current, scratch, 0, frameLength + sealLength);
        }
        final int templateId = frameTemplateId;
        final int length = frameLength;
        final int destination = currentDestination;
        clear();
        if (SendOutcome.SENT == outcome)
        {
            metrics.onSent(templateId, length);
            if (null != sendObserver)
            {
                sendObserver.onSent(destination, templateId);
            }
            return outcome;
        }
        return failed(outcome);
    }

    /**
     * Told of each message this publisher accepted for a destination (typed senders and
     * {@link #commit()}; not {@link #sendRaw} relays), and of each frame a chaos delay held when it
     * leaves. A batched message is still in its batch when the observer hears of it: it leaves at
     * the next {@link #flush()}.
     */
    @FunctionalInterface
    public interface SendObserver
    {
        /** The template id given for a frame a chaos delay held, when it finally leaves. */
        int HELD_FRAME = -1;

        /**
         * @param destination core id.
         * @param templateId  of the message.
         */
        void onSent(int destination, int templateId);
    }

    /**
     * @param sendObserver told of every message sent from now on; {@code null} for none.
     */
    public void sendObserver(final SendObserver sendObserver)
    {
        this.sendObserver = sendObserver;
    }

    /**
     * Give up the frame opened by {@link #begin}; a claimed frame becomes padding the receiver skips.
     */
    public void abort()
    {
        if (claimed && null != frameBuffer)
        {
            bufferClaim.abort();
        }
        clear();
    }

    /**
     * Send a frame encoded elsewhere, as is. For relays and for tests that need frames the typed
     * senders would never produce.
     *
     * @param destination core id.
     * @param frame       buffer holding the frame.
     * @param offset      of the frame.
     * @param length      of the frame.
     * @return the outcome.
     */
    public SendOutcome sendRaw(final int destination, final DirectBuffer frame, final int offset, final int length)
    {
        final Publication publication = publication(destination);
        if (null == publication)
        {
            return failed(SendOutcome.UNKNOWN_DESTINATION);
        }
        if (length > messageLengthMax)
        {
            return failed(SendOutcome.TOO_LARGE);
        }
        final SendOutcome flushed = flushBatch(destination);
        if (SendOutcome.SENT != flushed)
        {
            return failed(flushed);
        }
        final SendOutcome outcome;
        if (null == authenticator)
        {
            outcome = send(destination, publication, frame, offset, length);
        }
        else
        {
            scratch.putBytes(0, frame, offset, length);
            seal(scratch, 0, length, destination);
            outcome = send(destination, publication, scratch, 0, length + sealLength);
        }
        return SendOutcome.SENT == outcome ? outcome : failed(outcome);
    }

    /**
     * Offer every pending batch. A batch that meets back pressure stays pending for the next flush;
     * one whose destination is gone is dropped and its messages counted as failed sends. With link
     * faults, the frames they held whose delay is over leave first.
     *
     * @return batches (and held frames) sent.
     */
    public int flush()
    {
        int sent = null == linkFaults ? 0 : linkFaults.release(LinkFaults.Direction.OUTBOUND, heldFrames);
        for (int i = pendingCount - 1; i >= 0; i--)
        {
            if (SendOutcome.SENT == flushBatch(pendingDestinations[i]))
            {
                sent++;
            }
        }
        return sent;
    }

    /**
     * Give up every pending batch, counting its messages as back-pressured sends; on close only.
     */
    void dropPendingBatches()
    {
        while (pendingCount > 0)
        {
            final int destination = pendingDestinations[--pendingCount];
            metrics.onSendFailed(SendOutcome.BACK_PRESSURED, batchMessages[destination]);
            batchLengths[destination] = 0;
            batchMessages[destination] = 0;
            sealedBatchLength[destination] = -1;
        }
    }

    /**
     * @return destinations with messages queued in a batch.
     */
    public int pendingBatches()
    {
        return pendingCount;
    }

    private SendOutcome reserveInBatch(final int destination, final Publication publication, final int messageLength)
    {
        if (!publication.isConnected())
        {
            return SendOutcome.NOT_CONNECTED;
        }
        if (batchLengths[destination] + messageLength > batchCapacityByCore[destination])
        {
            final SendOutcome outcome = flushBatch(destination);
            if (SendOutcome.SENT != outcome)
            {
                return outcome;
            }
        }
        UnsafeBuffer batch = batchBuffers[destination];
        final int batchLength = batchLengths[destination] + messageLength;
        if (null == batch || batch.capacity() - sealLength < batchLength)
        {
            batch = growBatch(destination, batchLength);
        }
        // The message is written where the seal was: whether it is committed or aborted, seal again.
        sealedBatchLength[destination] = -1;
        batched = true;
        claimed = false;
        frameBuffer = batch;
        frameOffset = batchLengths[destination];
        return SendOutcome.SENT;
    }

    /**
     * A destination's batch buffer starts at {@link #BATCH_BUFFER_INITIAL_BYTES} and doubles when a batch
     * outgrows it, up to the destination's frame limit: a peer sent only heartbeats keeps a small
     * buffer, one streamed to gets frames of up to the limit.
     *
     * @param batchLength bytes the batch is about to hold.
     * @return the destination's buffer, holding the batch so far.
     */
    private UnsafeBuffer growBatch(final int destination, final int batchLength)
    {
        final UnsafeBuffer old = batchBuffers[destination];
        final int oldCapacity = null == old ? 0 : old.capacity() - sealLength;
        final int capacity = Math.min(batchCapacityByCore[destination],
            Math.max(batchLength, Math.max(BATCH_BUFFER_INITIAL_BYTES, 2 * oldCapacity)));
        final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + sealLength));
        if (null != old)
        {
            batch.putBytes(0, old, 0, batchLengths[destination]);
        }
        batchBuffers[destination] = batch;
        return batch;
    }

    /** A destination's publication was added after this publisher was made (its host name resolved late). */
    void onPublicationAdded(final int destination)
    {
        batchCapacityByCore[destination] = batchCapacity(publicationByCore[destination]);
    }

    /**
     * A batch is one unfragmented frame, and never longer than the receiver accepts a frame to be.
     *
     * @return bytes, or 0 when batching is off or there is no such publication.
     */
    private int batchCapacity(final Publication publication)
    {
        return batching && null != publication ?
            Math.min(publication.maxPayloadLength() - sealLength, messageLengthMax) : 0;
    }

    /**
     * A frame of its own: claimed in the log when it fits one frame, else encoded into the scratch
     * buffer and offered (fragmented) on commit. A pending batch to the same core goes first.
     */
    private SendOutcome reserveFrame(final int destination, final Publication publication, final int messageLength)
    {
        final SendOutcome flushed = flushBatch(destination);
        if (SendOutcome.SENT != flushed)
        {
            return flushed;
        }
        // A faulted link must see the sealed frame before it leaves, so it is never claimed in the log.
        if (messageLength + sealLength <= publication.maxPayloadLength() &&
            (null == linkFaults || !linkFaults.isActive(destination, LinkFaults.Direction.OUTBOUND)))
        {
            final SendOutcome outcome = claim(publication, messageLength + sealLength);
            if (SendOutcome.SENT != outcome)
            {
                return outcome;
            }
            claimed = true;
            frameBuffer = bufferClaim.buffer();
            frameOffset = bufferClaim.offset();
        }
        else
        {
            claimed = false;
            frameBuffer = scratch;
            frameOffset = 0;
        }
        return SendOutcome.SENT;
    }

    private void appendToBatch(final int destination, final int length)
    {
        if (0 == batchLengths[destination])
        {
            pendingDestinations[pendingCount++] = destination;
        }
        batchLengths[destination] += length;
        batchMessages[destination]++;
    }

    private SendOutcome flushBatch(final int destination)
    {
        final int length = batchLengths[destination];
        if (0 == length)
        {
            return SendOutcome.SENT;
        }
        // Sealed once for its messages: a batch that met back pressure and gained no message since
        // goes again as it was (its sequence number never left); one that grew gets a fresh number,
        // the old one just a gap.
        if (sealedBatchLength[destination] != length)
        {
            seal(batchBuffers[destination], 0, length, destination);
            sealedBatchLength[destination] = length;
        }
        final SendOutcome outcome = send(destination, publicationByCore[destination], batchBuffers[destination], 0,
            length + sealLength);
        if (SendOutcome.BACK_PRESSURED == outcome)
        {
            return outcome;
        }
        sealedBatchLength[destination] = -1;
        if (SendOutcome.SENT != outcome)
        {
            metrics.onSendFailed(outcome, batchMessages[destination]);
        }
        batchLengths[destination] = 0;
        batchMessages[destination] = 0;
        for (int i = 0; i < pendingCount; i++)
        {
            if (pendingDestinations[i] == destination)
            {
                pendingDestinations[i] = pendingDestinations[--pendingCount];
                break;
            }
        }
        return outcome;
    }

    private void seal(final MutableDirectBuffer buffer, final int offset, final int messagesLength, final int destination)
    {
        if (null != authenticator)
        {
            authenticator.seal(buffer, offset, messagesLength, ++sequenceByCore[destination]);
        }
    }

    private Publication publication(final int destination)
    {
        return destination >= 0 && destination < publicationByCore.length ? publicationByCore[destination] : null;
    }

    /**
     * Send the frame opened by {@link #begin} after checking that the encoder wrote exactly the
     * length reserved: a mismatch is a bug that would corrupt the inbox, so it stops the core.
     *
     * @param encoderLimit the message encoder's {@code limit()} after the last field.
     * @return as {@link #commit()}.
     */
    public SendOutcome commit(final int encoderLimit)
    {
        return commitChecked(encoderLimit);
    }

    /**
     * {@link #begin} for a message whose only variable part is one var-data field: refuses a payload
     * its uint16 length cannot describe before anything is reserved.
     */
    private SendOutcome beginWithPayload(
        final int destination, final int templateId, final int blockLength, final int payloadHeaderLength,
        final int payloadLength, final long correlationId)
    {
        if (payloadLength < 0)
        {
            throw new IllegalArgumentException("payloadLength=" + payloadLength + " is negative");
        }
        if (payloadLength > PAYLOAD_LENGTH_MAX_BYTES)
        {
            return failed(SendOutcome.TOO_LARGE);
        }
        return begin(destination, templateId, blockLength,
            HEADER_LENGTH + blockLength + payloadHeaderLength + payloadLength, correlationId);
    }

    private SendOutcome commitChecked(final int encoderLimit)
    {
        // The length promised to begin() and the bytes written must agree: a mismatch is a bug that
        // would corrupt the inbox, so it stops the core.
        if (encoderLimit != frameOffset + frameLength)
        {
            abort();
            throw new IllegalStateException("encoded " + (encoderLimit - frameOffset) + " bytes but reserved " + frameLength);
        }
        return commit();
    }

    private SendOutcome claim(final Publication publication, final int length)
    {
        return retry(publication, null, 0, length, true);
    }

    /**
     * Offer a sealed frame, unless a faulted link takes it: then it is lost as on a lossy wire, or
     * held and sent later as these same bytes, and the sender is told it went ({@link SendOutcome#SENT}).
     */
    private SendOutcome send(
        final int destination, final Publication publication, final DirectBuffer buffer, final int offset, final int length)
    {
        if (null != linkFaults && !linkFaults.admit(destination, LinkFaults.Direction.OUTBOUND, buffer, offset, length))
        {
            return SendOutcome.SENT;
        }
        return retry(publication, buffer, offset, length, false);
    }

    /**
     * A frame {@link #linkFaults} held whose delay is over. Back pressure keeps it (and the frames
     * behind it) for the next flush; any other failure loses it, counted as a failed send.
     */
    private boolean sendHeld(final int destination, final DirectBuffer buffer, final int offset, final int length)
    {
        final SendOutcome outcome = retry(publicationByCore[destination], buffer, offset, length, false);
        if (SendOutcome.BACK_PRESSURED == outcome)
        {
            return false;
        }
        if (SendOutcome.SENT != outcome)
        {
            metrics.onSendFailed(outcome);
        }
        else if (null != sendObserver)
        {
            sendObserver.onSent(destination, SendObserver.HELD_FRAME);
        }
        return true;
    }

    private SendOutcome retry(
        final Publication publication, final DirectBuffer buffer, final int offset, final int length, final boolean claim)
    {
        if (null == publication)
        {
            // Its peer's host name stopped resolving after the frame was queued: no inbox to reach now.
            return SendOutcome.NOT_CONNECTED;
        }
        boolean backPressured = false;
        for (int attempt = 0; attempt <= sendRetryAttempts; attempt++)
        {
            final long result = claim ?
                publication.tryClaim(length, bufferClaim) : publication.offer(buffer, offset, length);
            if (result > 0)
            {
                return SendOutcome.SENT;
            }
            if (Publication.NOT_CONNECTED == result)
            {
                return SendOutcome.NOT_CONNECTED;
            }
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                return SendOutcome.CLOSED;
            }
            if (Publication.ADMIN_ACTION == result)
            {
                // The log rotated to its next term: not back pressure, and the next attempt goes through.
                continue;
            }
            if (!backPressured)
            {
                backPressured = true;
                metrics.onBackPressure();
            }
            Thread.yield();
        }
        return SendOutcome.BACK_PRESSURED;
    }

    private SendOutcome failed(final SendOutcome outcome)
    {
        metrics.onSendFailed(outcome);
        return outcome;
    }

    private void clear()
    {
        current = null;
        currentDestination = -1;
        batched = false;
        frameBuffer = null;
        claimed = false;
        frameOffset = 0;
        frameLength = 0;
        frameTemplateId = 0;
    }
}
