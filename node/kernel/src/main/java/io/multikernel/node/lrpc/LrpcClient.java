package io.multikernel.node.lrpc;

import io.multikernel.transport.DoorbellRinger;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The app side of a core's LRPC channel: attaches to the core (in process, or by its file), holds one
 * client slot, and makes calls.
 * <p>
 * Calls are asynchronous and may be pipelined up to the channel's {@code outstandingMax}:
 * {@link #send} writes the request and returns its correlation id (or a negative
 * {@link LrpcOutcome#code()} when it was not sent: nothing is ever dropped silently), and
 * {@link #poll()} delivers replies, timeouts and a dead core's outcome to each call's
 * {@link LrpcReplyHandler}. {@link #call} is the blocking convenience. Sending and polling allocate
 * nothing; {@link #call} allocates its result.
 * <p>
 * Every call ends in exactly one {@link LrpcOutcome}: definite (SUCCESS, REJECTED, and the not-sent
 * ones) or indefinite (TIMED_OUT, CORE_DIED, ABANDONED: the core may have done it).
 * <p>
 * Not thread-safe: one app thread sends and polls.
 */
public final class LrpcClient implements AutoCloseable
{
    private final LrpcChannel channel;
    private final boolean ownsChannel;
    private final LrpcLayout layout;
    private final int coreId;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final IdleStrategy idleStrategy;
    /**
     * While {@link #call} waits, how many idle turns only read the reply ring before one also reads
     * the clock (call timeouts, heartbeat): the wait is a loop of short turns, and reading the clock
     * on each was a fifth of the waiting app's CPU time.
     */
    static final int BLOCKING_POLLS_PER_CLOCK_READ = 16;

    private final long callTimeoutNs;
    private final long coreLivenessTimeoutMs;
    private final long pid;
    private final int slot;
    private final long clientToken;
    private final ManyToOneRingBuffer requestRing;
    private final OneToOneRingBuffer replyRing;
    private final MessageHandler replyReader = this::onReplyRecord;
    private final int mask;
    private final long[] pendingCorrelationId;
    private final long[] pendingDeadlineNs;
    private final LrpcReplyHandler[] pendingHandler;
    private final UnsafeBuffer localMessage = new UnsafeBuffer(new byte[512]);
    private final BlockingCall blockingCall = new BlockingCall();
    /** Rings the core's doorbell when a request finds it dozing. */
    private final DoorbellRinger doorbellRinger = new DoorbellRinger();
    private InetSocketAddress doorbell;
    private long doorbellRings;
    private long doorbellRingFailures;

    private int outstanding;
    private long nextCorrelationId = 1;
    private long nextTimeoutCheckNs;
    private long nextHeartbeatNs;
    private String coreProblem;
    private long unmatchedReplies;
    private boolean closed;

    /**
     * Configuration of a client.
     */
    public static final class Context
    {
        private LrpcChannel channel;
        private Path file;
        private int coreId = -1;
        private NanoClock nanoClock = SystemNanoClock.INSTANCE;
        private EpochClock epochClock = SystemEpochClock.INSTANCE;
        private IdleStrategy idleStrategy = new YieldingIdleStrategy();
        private long callTimeoutNs = LrpcConfiguration.callTimeoutNs();
        private long coreLivenessTimeoutMs = LrpcConfiguration.coreLivenessTimeoutMs();
        private long pid = ProcessHandle.current().pid();
        private long clientToken;

        /**
         * @return this, checked.
         * @throws IllegalArgumentException naming the bad value.
         */
        public Context conclude()
        {
            if ((null == channel) == (null == file))
            {
                throw new IllegalArgumentException("an LRPC client needs exactly one of channel (in process) or file");
            }
            LrpcConfiguration.checkTimeoutMs(LrpcConfiguration.CALL_TIMEOUT_PROP, TimeUnit.NANOSECONDS.toMillis(callTimeoutNs));
            LrpcConfiguration.checkTimeoutMs(LrpcConfiguration.CORE_LIVENESS_TIMEOUT_PROP, coreLivenessTimeoutMs);
            Objects.requireNonNull(nanoClock, "nanoClock");
            Objects.requireNonNull(epochClock, "epochClock");
            Objects.requireNonNull(idleStrategy, "idleStrategy");
            if (0 == clientToken)
            {
                clientToken = (pid << 40) ^ System.nanoTime() ^ System.identityHashCode(this);
                clientToken = 0 == clientToken ? 1 : clientToken;
            }
            return this;
        }

        /** Attach in process to the core's own channel. */
        public Context channel(final LrpcChannel channel)
        {
            this.channel = channel;
            return this;
        }

        /** Attach by the core's file ({@link LrpcChannel#fileOf}). */
        public Context file(final Path file)
        {
            this.file = file;
            return this;
        }

        /** The core the app expects, for messages (default: the one in the header). */
        public Context coreId(final int coreId)
        {
            this.coreId = coreId;
            return this;
        }

        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public Context epochClock(final EpochClock epochClock)
        {
            this.epochClock = epochClock;
            return this;
        }

        /** How {@link LrpcClient#call} waits between polls. */
        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        public Context callTimeoutNs(final long callTimeoutNs)
        {
            this.callTimeoutNs = callTimeoutNs;
            return this;
        }

        public Context coreLivenessTimeoutMs(final long coreLivenessTimeoutMs)
        {
            this.coreLivenessTimeoutMs = coreLivenessTimeoutMs;
            return this;
        }

        /** This app's pid as recorded in its slot (tests pretend to be other processes). */
        public Context pid(final long pid)
        {
            this.pid = pid;
            return this;
        }

        /** The token that proves slot ownership; random by default. */
        public Context clientToken(final long clientToken)
        {
            this.clientToken = clientToken;
            return this;
        }
    }

    private LrpcClient(final Context ctx, final LrpcChannel channel, final boolean ownsChannel, final int slot)
    {
        this.channel = channel;
        this.ownsChannel = ownsChannel;
        this.layout = channel.layout();
        this.coreId = channel.coreId();
        this.nanoClock = ctx.nanoClock;
        this.epochClock = ctx.epochClock;
        this.idleStrategy = ctx.idleStrategy;
        this.callTimeoutNs = ctx.callTimeoutNs;
        this.coreLivenessTimeoutMs = ctx.coreLivenessTimeoutMs;
        this.pid = ctx.pid;
        this.slot = slot;
        this.clientToken = ctx.clientToken;
        this.requestRing = channel.requestRing();
        this.replyRing = channel.replyRing(slot);
        this.mask = layout.outstandingMax() - 1;
        this.pendingCorrelationId = new long[layout.outstandingMax()];
        this.pendingDeadlineNs = new long[layout.outstandingMax()];
        this.pendingHandler = new LrpcReplyHandler[layout.outstandingMax()];
        final long nowNs = nanoClock.nanoTime();
        this.nextTimeoutCheckNs = nowNs;
        this.nextHeartbeatNs = nowNs;
    }

    /**
     * Attaches to a core: checks that it runs, takes a free client slot and discards any replies left
     * in that slot's ring by an earlier app.
     *
     * @param ctx configuration, concluded here.
     * @return the client.
     * @throws LrpcException saying in one sentence why not (core not running, stale file, no free slot).
     */
    public static LrpcClient attach(final Context ctx)
    {
        ctx.conclude();
        final boolean ownsChannel = null != ctx.file;
        final LrpcChannel channel = ownsChannel ? LrpcChannel.mapFile(ctx.file, ctx.coreId) :
            LrpcChannel.wrap(ctx.channel.buffer());
        try
        {
            if (ctx.coreId >= 0 && channel.coreId() != ctx.coreId)
            {
                throw new LrpcException("the LRPC file " + ctx.file + " belongs to core " + channel.coreId() + ", not core " +
                    ctx.coreId);
            }
            final String problem = coreProblem(channel, ctx.epochClock.time(), ctx.coreLivenessTimeoutMs);
            if (null != problem)
            {
                throw new LrpcException(problem);
            }
            final int slot = claimSlot(channel, ctx.clientToken, ctx.pid, ctx.epochClock.time());
            final LrpcClient client = new LrpcClient(ctx, channel, ownsChannel, slot);
            client.discardStaleReplies();
            return client;
        }
        catch (final RuntimeException ex)
        {
            if (ownsChannel)
            {
                channel.close();
            }
            throw ex;
        }
    }

    /**
     * @return null when the channel's core looks alive, else one sentence saying why it is not.
     */
    static String coreProblem(final LrpcChannel channel, final long nowMs, final long livenessTimeoutMs)
    {
        final String core = "core " + channel.coreId() + " (incarnation " + channel.incarnation() + ", pid " +
            channel.pid() + ")";
        if (LrpcLayout.CORE_STATE_CLOSED == channel.coreState())
        {
            return core + " is not running: it closed its LRPC channel";
        }
        if (!ProcessHandle.of(channel.pid()).map(ProcessHandle::isAlive).orElse(false))
        {
            return core + " is not running: its process has exited" +
                (null == channel.file() ? "" : " and left a stale LRPC file " + channel.file());
        }
        final long silentMs = nowMs - channel.livenessTimestampMs();
        if (silentMs > livenessTimeoutMs)
        {
            return core + " is not running: its kernel loop has not updated its LRPC liveness for " + silentMs +
                " ms (limit " + livenessTimeoutMs + " ms); it is stopped or stalled";
        }
        return null;
    }

    /**
     * Claims a free slot. Its pid and heartbeat are written before the token that makes it this app's:
     * the core reads the token first, so it never sees this app's token beside an earlier app's dead
     * pid and stale heartbeat (and frees the slot under it). They are written again once it is ours,
     * over any app that lost the race for it and wrote its own in between.
     */
    private static int claimSlot(final LrpcChannel channel, final long clientToken, final long pid, final long nowMs)
    {
        final int slots = channel.layout().clientSlots();
        for (int slot = 0; slot < slots; slot++)
        {
            if (0 != channel.slotOwnerToken(slot))
            {
                continue;
            }
            channel.slotClientPid(slot, pid);
            channel.slotHeartbeatMs(slot, nowMs);
            if (channel.casSlotOwnerToken(slot, 0, clientToken))
            {
                channel.slotClientPid(slot, pid);
                channel.slotHeartbeatMs(slot, nowMs);
                return slot;
            }
        }
        throw new LrpcException("core " + channel.coreId() + " has no free LRPC client slot: all " + slots +
            " are taken (raise " + LrpcConfiguration.CLIENT_SLOTS_PROP + " on the core)");
    }

    private void discardStaleReplies()
    {
        while (replyRing.read((type, buffer, index, length) -> unmatchedReplies++) > 0)
        {
            // A previous holder of the slot left replies behind.
        }
    }

    /**
     * Sends a call.
     *
     * @param operation an {@link LrpcOperations} code.
     * @param payload   the request payload.
     * @param offset    where it starts.
     * @param length    its length.
     * @param handler   gets the outcome from {@link #poll()}; not called when the call was not sent.
     * @return the correlation id (positive), or a negative {@link LrpcOutcome#code()} when not sent:
     * {@code BACK_PRESSURED}, {@code TOO_LARGE}, {@code CORE_NOT_RUNNING} or {@code CLIENT_CLOSED}.
     */
    public long send(final int operation, final DirectBuffer payload, final int offset, final int length,
        final LrpcReplyHandler handler)
    {
        LrpcOperations.checkOperation(operation);
        if (closed)
        {
            return LrpcOutcome.CLIENT_CLOSED.code();
        }
        if (null != coreProblem)
        {
            return LrpcOutcome.CORE_NOT_RUNNING.code();
        }
        if (length < 0 || length > layout.messageLengthMax() - LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES)
        {
            return LrpcOutcome.TOO_LARGE.code();
        }
        final int bodyLength = LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES + length;
        if (outstanding >= pendingHandler.length)
        {
            return LrpcOutcome.BACK_PRESSURED.code();
        }
        final int index = requestRing.tryClaim(operation, bodyLength);
        if (index <= 0)
        {
            channel.countRequestRingFull();
            return LrpcOutcome.BACK_PRESSURED.code();
        }
        long correlationId = nextCorrelationId;
        while (null != pendingHandler[(int)(correlationId & mask)])
        {
            correlationId++;
        }
        nextCorrelationId = correlationId + 1;
        final AtomicBuffer out = requestRing.buffer();
        try
        {
            out.putBytes(index + LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES, payload, offset, length);
        }
        catch (final RuntimeException ex)
        {
            // A claim left open would block the ring for every app.
            requestRing.abort(index);
            throw ex;
        }
        out.putInt(index + LrpcRecordDescriptor.REQUEST_CLIENT_SLOT_OFFSET, slot);
        out.putInt(index + LrpcRecordDescriptor.REQUEST_CLIENT_SLOT_OFFSET + 4, 0);
        out.putLong(index + LrpcRecordDescriptor.REQUEST_CLIENT_TOKEN_OFFSET, clientToken);
        out.putLong(index + LrpcRecordDescriptor.REQUEST_CORRELATION_ID_OFFSET, correlationId);
        final int entry = (int)(correlationId & mask);
        pendingCorrelationId[entry] = correlationId;
        pendingDeadlineNs[entry] = nanoClock.nanoTime() + callTimeoutNs;
        pendingHandler[entry] = null == handler ? (c, o, s, b, i, l) -> { } : handler;
        outstanding++;
        requestRing.commit(index);
        ringIfDozing();
        return correlationId;
    }

    /**
     * The request is committed; a dozing core has to be told. The full fence keeps the read of the
     * flag after the commit (a store then a load may otherwise pass each other): the core raises the
     * flag before its last look at the ring, so either it sees this request or this read sees the flag.
     */
    private void ringIfDozing()
    {
        VarHandle.fullFence();
        if (!channel.dozing())
        {
            return;
        }
        final int port = channel.doorbellPort();
        if (0 == port)
        {
            return;
        }
        if (port < 0 || port > LrpcLayout.DOORBELL_PORT_MAX)
        {
            // Not a port the core wrote: the file is damaged. The call still went; it waits for the tick.
            doorbellRingFailures++;
            return;
        }
        if (null == doorbell || doorbell.getPort() != port)
        {
            doorbell = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }
        if (doorbellRinger.ring(doorbell))
        {
            doorbellRings++;
        }
        else
        {
            doorbellRingFailures++;
        }
    }

    /** @return doorbell rings this client sent to its dozing core. */
    public long doorbellRings()
    {
        return doorbellRings;
    }

    /** @return rings that could not be sent (the call waits for the core's next timer tick instead). */
    public long doorbellRingFailures()
    {
        return doorbellRingFailures;
    }

    /**
     * Delivers replies that arrived, times out overdue calls, heartbeats the slot and checks the core.
     *
     * @return outcomes delivered (0 when idle).
     */
    public int poll()
    {
        if (closed)
        {
            return 0;
        }
        // Read even with nothing in flight: late replies to timed-out calls must not fill the ring.
        int work = readReplies();
        final long nowNs = nanoClock.nanoTime();
        if (nowNs - nextHeartbeatNs >= 0)
        {
            nextHeartbeatNs = nowNs + TimeUnit.MILLISECONDS.toNanos(LrpcConfiguration.CLIENT_HEARTBEAT_INTERVAL_MS);
            work += heartbeat();
        }
        if (outstanding > 0 && nowNs - nextTimeoutCheckNs >= 0)
        {
            nextTimeoutCheckNs = nowNs + TimeUnit.MILLISECONDS.toNanos(1);
            work += timeOut(nowNs);
        }
        return work;
    }

    private int readReplies()
    {
        return replyRing.read(replyReader, pendingHandler.length);
    }

    /**
     * Makes a call and waits for its outcome, polling (other calls' outcomes are delivered too).
     *
     * @return the outcome; its payload is a copy.
     */
    public LrpcResult call(final int operation, final DirectBuffer payload, final int offset, final int length)
    {
        final long correlationId = send(operation, payload, offset, length, blockingCall);
        if (correlationId < 0)
        {
            final LrpcOutcome outcome = LrpcOutcome.fromCode(correlationId);
            return new LrpcResult(outcome, -1, new byte[0], notSentMessage(outcome, length));
        }
        blockingCall.awaiting = correlationId;
        blockingCall.result = null;
        idleStrategy.reset();
        int pollsWithoutClock = 0;
        while (null == blockingCall.result)
        {
            // Most turns only look for the reply: the clock (timeouts, heartbeat) every few turns.
            int work = closed ? 0 : readReplies();
            if (0 == work && ++pollsWithoutClock >= BLOCKING_POLLS_PER_CLOCK_READ)
            {
                pollsWithoutClock = 0;
                work = poll();
            }
            idleStrategy.idle(work);
        }
        final LrpcResult result = blockingCall.result;
        blockingCall.result = null;
        return result;
    }

    /**
     * @return why new calls fail with CORE_NOT_RUNNING, or null while the core looks alive.
     */
    public String coreProblem()
    {
        return coreProblem;
    }

    /** @return the client slot this app holds. */
    public int slot()
    {
        return slot;
    }

    /** @return calls in flight. */
    public int outstanding()
    {
        return outstanding;
    }

    /** @return most calls in flight at once. */
    public int outstandingMax()
    {
        return pendingHandler.length;
    }

    /** @return the core's incarnation as its channel header says. */
    public long coreIncarnation()
    {
        return channel.incarnation();
    }

    public int coreId()
    {
        return coreId;
    }

    /** @return replies that matched no call in flight (left by a timed-out call or an earlier app). */
    public long unmatchedReplies()
    {
        return unmatchedReplies;
    }

    /**
     * Ends every call in flight as ABANDONED, frees the slot and unmaps the file.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            failAll(LrpcOutcome.ABANDONED, "the LRPC client was closed while the call was in flight; core " + coreId +
                " may still do it");
            closed = true;
            if (LrpcLayout.CORE_STATE_CLOSED != channel.coreState())
            {
                channel.casSlotOwnerToken(slot, clientToken, 0);
            }
        }
        finally
        {
            closed = true;
            doorbellRinger.close();
            if (ownsChannel)
            {
                channel.close();
            }
        }
    }

    private void onReplyRecord(final int operation, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (length < LrpcRecordDescriptor.REPLY_HEADER_LENGTH_BYTES)
        {
            unmatchedReplies++;
            return;
        }
        final long correlationId = buffer.getLong(index + LrpcRecordDescriptor.REPLY_CORRELATION_ID_OFFSET);
        final int entry = (int)(correlationId & mask);
        final LrpcReplyHandler handler = pendingHandler[entry];
        if (null == handler || pendingCorrelationId[entry] != correlationId)
        {
            unmatchedReplies++;
            return;
        }
        release(entry);
        final int status = buffer.getInt(index + LrpcRecordDescriptor.REPLY_STATUS_OFFSET);
        final LrpcOutcome outcome = LrpcStatus.OK == status ? LrpcOutcome.SUCCESS :
            LrpcStatus.INDEFINITE == status ? LrpcOutcome.INDEFINITE : LrpcOutcome.REJECTED;
        handler.onReply(correlationId, outcome, status,
            buffer, index + LrpcRecordDescriptor.REPLY_HEADER_LENGTH_BYTES,
            length - LrpcRecordDescriptor.REPLY_HEADER_LENGTH_BYTES);
    }

    private int heartbeat()
    {
        channel.slotHeartbeatMs(slot, epochClock.time());
        if (null != coreProblem)
        {
            return 0;
        }
        final String problem = channel.slotOwnerToken(slot) != clientToken ? "core " + coreId + " freed this app's " +
            "LRPC client slot " + slot + " (it took the app for gone); attach again" :
            coreProblem(channel, epochClock.time(), coreLivenessTimeoutMs);
        if (null == problem)
        {
            return 0;
        }
        coreProblem = problem;
        // Replies the core wrote before it went are still delivered first.
        final int delivered = replyRing.read(replyReader, pendingHandler.length);
        return delivered + failAll(LrpcOutcome.CORE_DIED, problem + "; a call in flight may or may not have been done");
    }

    private int timeOut(final long nowNs)
    {
        int timedOut = 0;
        for (int entry = 0; entry < pendingHandler.length; entry++)
        {
            final LrpcReplyHandler handler = pendingHandler[entry];
            if (null != handler && nowNs - pendingDeadlineNs[entry] >= 0)
            {
                final long correlationId = pendingCorrelationId[entry];
                release(entry);
                final int length = localMessage("no reply from core " + coreId + " within " +
                    TimeUnit.NANOSECONDS.toMillis(callTimeoutNs) + " ms; it may still do the call");
                handler.onReply(correlationId, LrpcOutcome.TIMED_OUT, -1, localMessage, 0, length);
                timedOut++;
            }
        }
        return timedOut;
    }

    private int failAll(final LrpcOutcome outcome, final String message)
    {
        int failed = 0;
        if (outstanding > 0)
        {
            final int length = localMessage(message);
            for (int entry = 0; entry < pendingHandler.length; entry++)
            {
                final LrpcReplyHandler handler = pendingHandler[entry];
                if (null != handler)
                {
                    final long correlationId = pendingCorrelationId[entry];
                    release(entry);
                    handler.onReply(correlationId, outcome, -1, localMessage, 0, length);
                    failed++;
                }
            }
        }
        return failed;
    }

    private void release(final int entry)
    {
        pendingHandler[entry] = null;
        outstanding--;
    }

    private int localMessage(final String message)
    {
        final byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        final int length = Math.min(bytes.length, localMessage.capacity());
        localMessage.putBytes(0, bytes, 0, length);
        return length;
    }

    private String notSentMessage(final LrpcOutcome outcome, final int length)
    {
        return switch (outcome)
        {
            case BACK_PRESSURED -> "core " + coreId + " is back-pressured: " + outstanding + " calls in flight (limit " +
                pendingHandler.length + ") or its request ring is full; nothing was sent, retry later";
            case TOO_LARGE -> "the request payload of " + length + " bytes exceeds the channel's limit of " +
                (layout.messageLengthMax() - LrpcRecordDescriptor.REQUEST_HEADER_LENGTH_BYTES) + " bytes";
            case CORE_NOT_RUNNING -> coreProblem;
            case CLIENT_CLOSED -> "the LRPC client is closed";
            default -> outcome.name();
        };
    }

    /** For tests: the request ring as this client writes it. */
    RingBuffer requestRing()
    {
        return requestRing;
    }

    private final class BlockingCall implements LrpcReplyHandler
    {
        long awaiting;
        LrpcResult result;

        @Override
        public void onReply(final long correlationId, final LrpcOutcome outcome, final int status,
            final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            final String message = LrpcOutcome.SUCCESS == outcome ? null : new String(bytes, StandardCharsets.UTF_8);
            if (correlationId == awaiting)
            {
                result = new LrpcResult(outcome, status, bytes, message);
            }
        }
    }
}
