package io.multikernel.node.lrpc;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.multikernel.common.Bounds;
import io.multikernel.common.RateLimitedErrorLog;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The kernel side of a core's LRPC channel, polled by the kernel loop ({@link #doWork()}). Takes at
 * most {@code requestsPerDutyCycleMax} requests per duty cycle from the request ring, checks each,
 * and dispatches it by operation code to the registered {@link LrpcHandler}, which answers at once or
 * defers the answer with a token. Also keeps the header's liveness timestamp current and frees the
 * client slots of apps that died.
 * <p>
 * Bad input never stops the core: a request too short to name its client, from an unknown slot or
 * token, too long, or for an unknown operation (any code the handler table has no entry for, below 1
 * included) is counted by {@link LrpcRejectReason}, logged at most once per 10 s per reason, and
 * answered with an error where there is a client to answer. {@code LrpcRequestFuzzTest} holds it to
 * that with a million mutated requests. A handler
 * that neither answers nor defers has broken an invariant and the exception stops the core.
 * <p>
 * Not thread-safe: the kernel loop's thread owns it.
 */
public final class LrpcServer implements MessageHandler, AutoCloseable
{
    /** Returned by {@link #defer()} when no token could be given (the request was answered UNAVAILABLE). */
    public static final long NO_TOKEN = 0;

    private static final Logger LOGGER = LoggerFactory.getLogger(LrpcServer.class);
    private static final int ERROR_LINE_LENGTH_MAX_CHARS = 200;

    private final LrpcChannel channel;
    private final LrpcLayout layout;
    private final EpochClock epochClock;
    private final LrpcMetrics metrics;
    private final RateLimitedErrorLog log;
    private final int requestsPerDutyCycleMax;
    private final long clientLivenessTimeoutMs;
    private final long selfPid;
    private final ManyToOneRingBuffer requestRing;
    private final OneToOneRingBuffer[] replyRings;
    private final LrpcHandler[] handlers = new LrpcHandler[LrpcOperations.OPERATION_CODE_MAX + 1];
    private final String[] operationNames = new String[LrpcOperations.OPERATION_CODE_MAX + 1];
    private final UnsafeBuffer errorBuffer;
    private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);

    // Deferred replies: a bounded table with a free-index stack; a token is (generation << 32 | index).
    private final int[] deferredSlot;
    private final long[] deferredClientToken;
    private final long[] deferredCorrelationId;
    private final int[] deferredOperation;
    private final int[] deferredGeneration;
    private final int[] freeDeferred;
    private int freeDeferredCount;

    // The request being dispatched.
    private int currentSlot = -1;
    private long currentClientToken;
    private long currentCorrelationId;
    private int currentOperation;
    private boolean currentAnswered;

    private long lastLivenessMs;
    private long lastConsumerPosition = -1;
    private long consumerStalledSinceMs;
    private long nextSlotCheckMs;
    private boolean closed;

    /**
     * Configuration of a server.
     */
    public static final class Context
    {
        private LrpcChannel channel;
        private EpochClock epochClock = SystemEpochClock.INSTANCE;
        private NanoClock nanoClock = SystemNanoClock.INSTANCE;
        private MeterRegistry meterRegistry;
        private int requestsPerDutyCycleMax = LrpcConfiguration.requestsPerDutyCycleMax();
        private long clientLivenessTimeoutMs = LrpcConfiguration.clientLivenessTimeoutMs();
        private long selfPid = ProcessHandle.current().pid();

        /**
         * @return this, checked.
         * @throws IllegalArgumentException naming the bad value.
         */
        public Context conclude()
        {
            Objects.requireNonNull(channel, "channel");
            Bounds.check(LrpcConfiguration.REQUESTS_PER_DUTY_CYCLE_MAX_PROP, requestsPerDutyCycleMax, 1,
                LrpcConfiguration.REQUESTS_PER_DUTY_CYCLE_LIMIT);
            LrpcConfiguration.checkTimeoutMs(LrpcConfiguration.CLIENT_LIVENESS_TIMEOUT_PROP, clientLivenessTimeoutMs);
            if (null == meterRegistry)
            {
                meterRegistry = new SimpleMeterRegistry();
            }
            return this;
        }

        public Context channel(final LrpcChannel channel)
        {
            this.channel = channel;
            return this;
        }

        public Context epochClock(final EpochClock epochClock)
        {
            this.epochClock = epochClock;
            return this;
        }

        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public Context meterRegistry(final MeterRegistry meterRegistry)
        {
            this.meterRegistry = meterRegistry;
            return this;
        }

        public Context requestsPerDutyCycleMax(final int requestsPerDutyCycleMax)
        {
            this.requestsPerDutyCycleMax = requestsPerDutyCycleMax;
            return this;
        }

        public Context clientLivenessTimeoutMs(final long clientLivenessTimeoutMs)
        {
            this.clientLivenessTimeoutMs = clientLivenessTimeoutMs;
            return this;
        }

        /** The pid whose clients are never reclaimed by pid (apps in the core's own process). */
        public Context selfPid(final long selfPid)
        {
            this.selfPid = selfPid;
            return this;
        }
    }

    /**
     * @param ctx configuration, concluded here.
     */
    public LrpcServer(final Context ctx)
    {
        ctx.conclude();
        this.channel = ctx.channel;
        this.layout = channel.layout();
        this.epochClock = ctx.epochClock;
        this.metrics = new LrpcMetrics(ctx.meterRegistry);
        this.log = new RateLimitedErrorLog(LOGGER, ctx.nanoClock, RateLimitedErrorLog.INTERVAL_DEFAULT_NS,
            LrpcRejectReason.values().length);
        this.requestsPerDutyCycleMax = ctx.requestsPerDutyCycleMax;
        this.clientLivenessTimeoutMs = ctx.clientLivenessTimeoutMs;
        this.selfPid = ctx.selfPid;
        this.requestRing = channel.requestRing();
        this.replyRings = new OneToOneRingBuffer[layout.clientSlots()];
        for (int slot = 0; slot < replyRings.length; slot++)
        {
            replyRings[slot] = channel.replyRing(slot);
        }
        this.errorBuffer = new UnsafeBuffer(new byte[layout.messageLengthMax()]);
        final int deferredMax = (int)Math.min(65_536L, (long)layout.clientSlots() * layout.outstandingMax());
        this.deferredSlot = new int[deferredMax];
        this.deferredClientToken = new long[deferredMax];
        this.deferredCorrelationId = new long[deferredMax];
        this.deferredOperation = new int[deferredMax];
        this.deferredGeneration = new int[deferredMax];
        this.freeDeferred = new int[deferredMax];
        Arrays.fill(deferredSlot, -1);
        for (int i = 0; i < deferredMax; i++)
        {
            freeDeferred[i] = deferredMax - 1 - i;
        }
        this.freeDeferredCount = deferredMax;
        this.nextSlotCheckMs = epochClock.time();
    }

    /**
     * Registers the handler of an operation; call before the first {@link #doWork()}.
     *
     * @param operation code, 1..{@value LrpcOperations#OPERATION_CODE_MAX}, not yet registered.
     * @param name      label for metrics, e.g. {@code echo}.
     * @param handler   serves it on the kernel loop's thread.
     * @return this.
     */
    public LrpcServer register(final int operation, final String name, final LrpcHandler handler)
    {
        LrpcOperations.checkOperation(operation);
        Objects.requireNonNull(handler, "handler");
        if (null != handlers[operation])
        {
            throw new IllegalArgumentException("LRPC operation " + operation + " is already registered as '" +
                operationNames[operation] + "'");
        }
        handlers[operation] = handler;
        operationNames[operation] = name;
        metrics.registerOperation(operation, name);
        return this;
    }

    /**
     * One duty cycle's share: liveness, up to {@code requestsPerDutyCycleMax} requests, and on its
     * interval the check for slots of dead apps.
     *
     * @return requests handled (0 when idle).
     */
    public int doWork()
    {
        if (closed)
        {
            return 0;
        }
        final long nowMs = epochClock.time();
        if (nowMs != lastLivenessMs)
        {
            lastLivenessMs = nowMs;
            channel.livenessTimestampMs(nowMs);
        }
        final int requests = readRequests();
        if (nowMs - nextSlotCheckMs >= 0)
        {
            nextSlotCheckMs = nowMs + LrpcConfiguration.SLOT_CHECK_INTERVAL_MS;
            checkSlots(nowMs);
        }
        return requests;
    }

    /**
     * Reads up to a duty cycle's requests. The ring's reader trusts each record's length; one that
     * lies (an app wrote the shared memory itself) makes it fail past the ring's end, every time it
     * reads. Then the requests waiting are dropped and the ring reset, so the core keeps serving.
     */
    private int readRequests()
    {
        try
        {
            return requestRing.read(this, requestsPerDutyCycleMax);
        }
        catch (final IndexOutOfBoundsException | IllegalArgumentException ex)
        {
            if (handling)
            {
                throw ex; // from a handler: a bug, not the ring
            }
            final AtomicBuffer ring = requestRing.buffer();
            final int capacity = requestRing.capacity();
            final long head = requestRing.consumerPosition();
            final long tail = requestRing.producerPosition();
            final int headIndex = (int)head & (capacity - 1);
            final int bytes = (int)Math.min(Math.max(0, tail - head), capacity);
            final int first = Math.min(bytes, capacity - headIndex);
            ring.setMemory(headIndex, first, (byte)0);
            ring.setMemory(0, bytes - first, (byte)0);
            ring.putLongOrdered(capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET, head + bytes);
            reject(LrpcRejectReason.REQUEST_RING_CORRUPT, "LRPC request ring held a record whose length it cannot " +
                "hold ({}); the {} bytes of requests waiting were dropped, their calls time out", ex.getMessage(), bytes);
            return 0;
        }
    }

    /** A handler runs: an exception now is the handler's, not the ring's. */
    private boolean handling;

    @Override
    public void onMessage(final int operation, final MutableDirectBuffer buffer, final int index, final int length)
    {
        handling = true;
        try
        {
            onRequest(operation, buffer, index, length);
        }
        finally
        {
            handling = false;
        }
    }

    private void onRequest(final int operation, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (length < LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES)
        {
            reject(LrpcRejectReason.MALFORMED, "LRPC request of {} bytes is shorter than the header ({} bytes); dropped",
                length, LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES);
            return;
        }
        final int slot = buffer.getInt(index + LrpcRecordDescriptor.REQUEST_CLIENT_SLOT_OFFSET);
        final long token = buffer.getLong(index + LrpcRecordDescriptor.REQUEST_CLIENT_TOKEN_OFFSET);
        if (slot < 0 || slot >= layout.clientSlots() || 0 == token || channel.slotOwnerToken(slot) != token)
        {
            reject(LrpcRejectReason.UNKNOWN_CLIENT_SLOT, "LRPC request from client slot {} with token {} that does " +
                "not hold it; dropped", slot, token);
            return;
        }
        if (operation < 1)
        {
            // No ring writer sends such a code (tryClaim refuses it), but an app writing the shared memory can; and
            // a reply carries the request's code as its record type, which must be positive: nobody to answer.
            reject(LrpcRejectReason.UNKNOWN_OPERATION, "LRPC request with operation code {} from slot {} cannot be " +
                "answered (a ring record's type is positive); dropped", operation, slot);
            return;
        }
        currentSlot = slot;
        currentClientToken = token;
        currentCorrelationId = buffer.getLong(index + LrpcRecordDescriptor.REQUEST_CORRELATION_ID_OFFSET);
        currentOperation = operation;
        currentAnswered = false;
        try
        {
            dispatch(operation, buffer, index, length);
        }
        finally
        {
            currentSlot = -1;
        }
    }

    private void dispatch(final int operation, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (length > layout.messageLengthMax())
        {
            reject(LrpcRejectReason.TOO_LARGE, "LRPC request of {} bytes exceeds messageLengthMax={}", length,
                layout.messageLengthMax());
            replyError(LrpcStatus.TOO_LARGE, "request of " + length + " bytes exceeds messageLengthMax=" +
                layout.messageLengthMax());
            return;
        }
        final LrpcHandler handler = operation <= LrpcOperations.OPERATION_CODE_MAX ? handlers[operation] : null;
        if (null == handler)
        {
            reject(LrpcRejectReason.UNKNOWN_OPERATION, "LRPC request for unknown operation {} from slot {}", operation,
                currentSlot);
            replyError(LrpcStatus.UNKNOWN_OPERATION, "operation " + operation + " is not served by core " +
                channel.coreId());
            return;
        }
        metrics.request(operation);
        payloadView.wrap(buffer, index + LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES,
            length - LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES);
        handler.onRequest(this, payloadView, 0, payloadView.capacity());
        if (!currentAnswered)
        {
            throw new IllegalStateException("LRPC handler of operation '" + operationNames[operation] +
                "' neither replied nor deferred its reply");
        }
    }

    /**
     * Answers the request being dispatched with success.
     */
    public void reply(final DirectBuffer result, final int offset, final int length)
    {
        answerCurrent();
        writeReply(currentSlot, currentClientToken, currentCorrelationId, currentOperation, LrpcStatus.OK,
            result, offset, length);
    }

    /**
     * Answers the request being dispatched with an error.
     *
     * @param status  an {@link LrpcStatus} other than OK.
     * @param message one line for the app.
     */
    public void replyError(final int status, final String message)
    {
        answerCurrent();
        final int length = encodeError(status, message);
        writeReply(currentSlot, currentClientToken, currentCorrelationId, currentOperation, status,
            errorBuffer, 0, length);
    }

    /**
     * Defers the answer to the request being dispatched.
     *
     * @return a token for {@link #replyDeferred}, or {@link #NO_TOKEN} when too many answers are
     * deferred already (the request has then been answered UNAVAILABLE: just return).
     */
    public long defer()
    {
        if (0 == freeDeferredCount)
        {
            reject(LrpcRejectReason.DEFERRED_REPLIES_FULL, "LRPC request from slot {} refused: {} replies deferred",
                currentSlot, deferredSlot.length);
            replyError(LrpcStatus.UNAVAILABLE, "core " + channel.coreId() + " has " + deferredSlot.length +
                " calls in progress; retry later");
            return NO_TOKEN;
        }
        answerCurrent();
        final int entry = freeDeferred[--freeDeferredCount];
        deferredSlot[entry] = currentSlot;
        deferredClientToken[entry] = currentClientToken;
        deferredCorrelationId[entry] = currentCorrelationId;
        deferredOperation[entry] = currentOperation;
        final int generation = ++deferredGeneration[entry] & Integer.MAX_VALUE;
        deferredGeneration[entry] = 0 == generation ? 1 : generation;
        metrics.deferred(deferredSlot.length - freeDeferredCount);
        return ((long)deferredGeneration[entry] << 32) | entry;
    }

    /**
     * Answers a deferred request.
     *
     * @param token  from {@link #defer()}, used once.
     * @param status {@link LrpcStatus}.
     * @return true if the reply reached the client's ring (false: counted, the client left or overran).
     * @throws IllegalStateException when the token is not outstanding (answered twice, or never given).
     */
    public boolean replyDeferred(final long token, final int status, final DirectBuffer result, final int offset,
        final int length)
    {
        final int entry = deferredEntry(token);
        final int slot = deferredSlot[entry];
        deferredSlot[entry] = -1;
        freeDeferred[freeDeferredCount++] = entry;
        metrics.deferred(deferredSlot.length - freeDeferredCount);
        return writeReply(slot, deferredClientToken[entry], deferredCorrelationId[entry], deferredOperation[entry],
            status, result, offset, length);
    }

    /**
     * Answers a deferred request with an error line.
     */
    public boolean replyDeferredError(final long token, final int status, final String message)
    {
        final int length = encodeError(status, message);
        return replyDeferred(token, status, errorBuffer, 0, length);
    }

    /** @return the correlation id of the request being dispatched. */
    public long currentCorrelationId()
    {
        return currentCorrelationId;
    }

    /** @return the client slot of the request being dispatched. */
    public int currentClientSlot()
    {
        return currentSlot;
    }

    /** @return the core this channel serves. */
    public int coreId()
    {
        return channel.coreId();
    }

    public LrpcChannel channel()
    {
        return channel;
    }

    /** @return replies deferred and not yet answered. */
    public int deferredCount()
    {
        return deferredSlot.length - freeDeferredCount;
    }

    long rejectedCount(final LrpcRejectReason reason)
    {
        return metrics.rejectedCount(reason);
    }

    long requestCount(final int operation)
    {
        return metrics.requestCount(operation);
    }

    long errorCount(final int status)
    {
        return metrics.errorCount(status);
    }

    /**
     * Marks the channel closed (apps see the core gone), removes its file and unmaps it.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            channel.coreState(LrpcLayout.CORE_STATE_CLOSED);
            try
            {
                channel.delete();
            }
            finally
            {
                channel.close();
            }
        }
    }

    private void answerCurrent()
    {
        if (currentSlot < 0)
        {
            throw new IllegalStateException("no LRPC request is being dispatched: answer deferred requests by token");
        }
        if (currentAnswered)
        {
            throw new IllegalStateException("LRPC request " + currentCorrelationId + " of operation '" +
                operationNames[currentOperation] + "' was answered twice");
        }
        currentAnswered = true;
    }

    private int deferredEntry(final long token)
    {
        final int entry = (int)token;
        final int generation = (int)(token >>> 32);
        if (entry < 0 || entry >= deferredSlot.length || generation != deferredGeneration[entry] ||
            deferredSlot[entry] < 0)
        {
            throw new IllegalStateException("LRPC reply token " + token + " is not outstanding (answered twice?)");
        }
        return entry;
    }

    private int encodeError(final int status, final String message)
    {
        if (LrpcStatus.OK == status)
        {
            throw new IllegalArgumentException("an error reply needs a status other than OK");
        }
        final String line = message.length() > ERROR_LINE_LENGTH_MAX_CHARS ?
            message.substring(0, ERROR_LINE_LENGTH_MAX_CHARS) + "..." : message;
        final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        final int length = Math.min(bytes.length, layout.messageLengthMax() - LrpcRecordDescriptor.REPLY_HEADER_LENGTH_BYTES);
        errorBuffer.putBytes(0, bytes, 0, length);
        metrics.error(status);
        return length;
    }

    private boolean writeReply(final int slot, final long clientToken, final long correlationId, final int operation,
        final int status, final DirectBuffer result, final int offset, final int length)
    {
        final int bodyLength = LrpcRecordDescriptor.REPLY_HEADER_LENGTH_BYTES + length;
        if (bodyLength > layout.messageLengthMax())
        {
            throw new IllegalStateException("LRPC reply of operation '" + operationNames[operation] + "' is " +
                bodyLength + " bytes, over messageLengthMax=" + layout.messageLengthMax());
        }
        if (channel.slotOwnerToken(slot) != clientToken)
        {
            reject(LrpcRejectReason.CLIENT_GONE, "LRPC reply {} for client slot {} dropped: the client left",
                correlationId, slot);
            return false;
        }
        final OneToOneRingBuffer ring = replyRings[slot];
        final int index = ring.tryClaim(operation, bodyLength);
        if (index <= 0)
        {
            reject(LrpcRejectReason.REPLY_RING_FULL, "LRPC reply {} for client slot {} dropped: its reply ring is " +
                "full (the client exceeds its outstanding limit or stopped reading)", correlationId, slot);
            return false;
        }
        final AtomicBuffer out = ring.buffer();
        out.putLong(index + LrpcRecordDescriptor.REPLY_CORRELATION_ID_OFFSET, correlationId);
        out.putInt(index + LrpcRecordDescriptor.REPLY_STATUS_OFFSET, status);
        out.putInt(index + LrpcRecordDescriptor.REPLY_STATUS_OFFSET + 4, 0);
        out.putBytes(index + LrpcRecordDescriptor.REPLY_HEADER_LENGTH_BYTES, result, offset, length);
        ring.commit(index);
        return true;
    }

    private void checkSlots(final long nowMs)
    {
        metrics.requestRingFull(channel.requestRingFullCount());
        unblockIfStalled(nowMs);
        int clients = 0;
        for (int slot = 0; slot < layout.clientSlots(); slot++)
        {
            final long token = channel.slotOwnerToken(slot);
            if (0 == token)
            {
                continue;
            }
            final long pid = channel.slotClientPid(slot);
            if (nowMs - channel.slotHeartbeatMs(slot) > clientLivenessTimeoutMs && pid != selfPid &&
                !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) &&
                channel.casSlotOwnerToken(slot, token, 0))
            {
                metrics.slotReclaimed();
                LOGGER.info("LRPC client slot {} freed: its app (pid {}) is gone", slot, pid);
                continue;
            }
            clients++;
        }
        metrics.clients(clients);
    }

    /**
     * An app that died between claiming space on the request ring and committing it leaves a hole
     * the ring cannot read past. When the ring has not moved for the client liveness timeout while
     * holding data, the hole is padded (as Aeron's driver does for its command ring).
     */
    private void unblockIfStalled(final long nowMs)
    {
        final long consumer = requestRing.consumerPosition();
        if (consumer != lastConsumerPosition || requestRing.producerPosition() <= consumer)
        {
            lastConsumerPosition = consumer;
            consumerStalledSinceMs = nowMs;
        }
        else if (nowMs - consumerStalledSinceMs > clientLivenessTimeoutMs && requestRing.unblock())
        {
            consumerStalledSinceMs = nowMs;
            reject(LrpcRejectReason.REQUEST_RING_UNBLOCKED, "LRPC request ring unblocked at position {}: an app " +
                "died while writing a request ({} ms without progress)", consumer, clientLivenessTimeoutMs);
        }
    }

    private void reject(final LrpcRejectReason reason, final String message, final Object arg1, final Object arg2)
    {
        metrics.rejected(reason);
        log.warn(reason, message, arg1, arg2);
    }

    /** For tests: the request ring as a writer sees it. */
    RingBuffer requestRing()
    {
        return requestRing;
    }
}
