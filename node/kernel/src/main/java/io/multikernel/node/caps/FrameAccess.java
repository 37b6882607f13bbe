package io.multikernel.node.caps;

import io.multikernel.node.caps.CapabilityMetrics.Operation;
import io.multikernel.node.caps.CapabilityResult.Outcome;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Frame bytes for this core's apps, wherever the frame is: a frame in this host's memory is read or
 * written here at once; a frame on another host through a FrameRequest over URPC to a core of that
 * host, which checks the request against its own replica (the capability held by this core, the
 * right, the range, no transaction prepared on it) and answers with a FrameReply. Kernel loop only.
 *
 * <p>Bounds: at most {@link #REMOTE_REQUESTS_MAX} requests await replies or a fence; one that waits
 * longer than {@link #REMOTE_TIMEOUT_NS} is answered UNAVAILABLE (a read) or INDEFINITE (a write: it
 * may have reached the frame), and a late reply to it is dropped.
 *
 * <p><b>Settled.</b> An access may be given a second hook, told once the request can no longer take
 * effect: at its reply, or for a write that timed out, once the same core answers anything sent after
 * it. Frames from one core to another arrive, and are handled, in the order they were sent, so any
 * reply from that core to a later request means the write was done or will never be (a paused host
 * may otherwise apply it long after the caller was told INDEFINITE). To get such a reply a core sends
 * a fence, a read of {@link #FENCE_CAP_ID} with no length that every core answers at once, again every
 * {@link #REMOTE_TIMEOUT_NS}, and at once when the destination comes back as a new incarnation. A
 * write still unsettled after {@link #UNSETTLED_MAX_NS} is given up on (settled, counted and logged):
 * its slot is one of {@link #REMOTE_REQUESTS_MAX}. A load or store through a mapping counts as in
 * flight for TLB shootdowns until settled.
 */
public final class FrameAccess
{
    /** REMOTE_REQUESTS_MAX: frame requests to other hosts awaiting their reply. */
    public static final int REMOTE_REQUESTS_MAX = 256;
    /** REMOTE_TIMEOUT_NS: longest wait for a reply from the frame's host, and between two fences. */
    public static final long REMOTE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    /** The capability id a fence names; no capability has it (ids start at 1). */
    public static final long FENCE_CAP_ID = 0;
    /** UNSETTLED_MAX_NS: longest a timed-out write waits for its destination to answer a fence. */
    public static final long UNSETTLED_MAX_NS = TimeUnit.SECONDS.toNanos(30);

    private static final Logger LOGGER = LoggerFactory.getLogger(FrameAccess.class);

    /** Sends the two messages; {@link FramePublisher} over URPC in a core. */
    public interface Sender
    {
        /** @return true when handed to the interconnect. */
        boolean sendRequest(int destination, long correlationId, int holderCore, long capId, long offset, int readLength,
            boolean write, DirectBuffer data, int dataOffset, int dataLength);

        /** @return true when handed to the interconnect. */
        boolean sendReply(int destination, long correlationId, int outcomeOrdinal, DirectBuffer data, int dataOffset,
            int dataLength, String message);
    }

    /** Told once how a read or write ended; {@code data} (a read's bytes) is valid only during the call. */
    @FunctionalInterface
    public interface Callback
    {
        void onResult(CapabilityResult result, DirectBuffer data, int offset, int length);
    }

    private record Pending(int destination, boolean write, long deadlineNs, Callback callback, Runnable settled)
    {
    }

    /** A write that timed out and may still reach the frame: settled by a reply to anything sent after it. */
    private record Unsettled(Runnable settled, long giveUpNs)
    {
    }

    /** The fence in flight to a core: its correlation id and when to send another. */
    private record Fence(long correlationId, long resendNs)
    {
    }

    private final CapabilityService service;
    private final Sender sender;
    private final IntFunction<List<Integer>> coresOnHost;
    private final NanoClock clock;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[CapabilityService.FRAME_IO_LENGTH_MAX_BYTES]);
    private final Map<Long, Pending> pending = new HashMap<>();
    /** Per destination core, by correlation id: the order they were sent. */
    private final Map<Integer, java.util.TreeMap<Long, Unsettled>> unsettled = new HashMap<>();
    private final Map<Integer, Fence> fences = new HashMap<>();
    private int unsettledCount;
    private long nextCorrelationId;
    private long lateReplies;
    private long fencesSent;
    private long writesGivenUp;

    /**
     * @param service     this core's capability service.
     * @param sender      to the cores of other hosts.
     * @param coresOnHost the cores of a host, in the order to try them.
     * @param clock       the core's clock.
     */
    public FrameAccess(final CapabilityService service, final Sender sender, final IntFunction<List<Integer>> coresOnHost,
        final NanoClock clock)
    {
        this.service = service;
        this.sender = sender;
        this.coresOnHost = coresOnHost;
        this.clock = clock;
    }

    /** Reads {@code length} bytes at {@code offset} of a Frame this core holds. */
    public void read(final long capId, final long offset, final int length, final Callback callback)
    {
        access(service.coreId(), capId, offset, length, false, null, 0, callback);
    }

    /** Writes the bytes at {@code offset} of a Frame this core holds. */
    public void write(final long capId, final long offset, final DirectBuffer data, final int dataOffset,
        final int length, final Callback callback)
    {
        access(service.coreId(), capId, offset, length, true, data, dataOffset, callback);
    }

    /**
     * Reads or writes a Frame that {@code holderCore} holds, for a load or store through a mapping
     * made with that capability: the mapping's authority is the frame capability, checked against
     * the replica (here, or on the frame's host) as if its holder asked.
     *
     * @param write  true to write {@code length} bytes of {@code data}; false to read them.
     * @param data   the bytes to write; ignored for a read.
     */
    public void access(final int holderCore, final long capId, final long offset, final int length, final boolean write,
        final DirectBuffer data, final int dataOffset, final Callback callback)
    {
        access(holderCore, capId, offset, length, write, data, dataOffset, callback, null);
    }

    /**
     * {@link #access(int, long, long, int, boolean, DirectBuffer, int, Callback)}, and {@code settled} is
     * told once the request can no longer take effect (see the class comment): after the callback for
     * an access answered here or at its reply, later for a write whose reply did not come in time.
     *
     * @param settled run once; null for none.
     */
    public void access(final int holderCore, final long capId, final long offset, final int length, final boolean write,
        final DirectBuffer data, final int dataOffset, final Callback callback, final Runnable settled)
    {
        final int host;
        try
        {
            host = service.frameHost(holderCore, capId, write, offset, length);
            if (service.isThisHost(host))
            {
                if (write)
                {
                    service.write(holderCore, capId, offset, data, dataOffset, length);
                    callback.onResult(done(), scratch, 0, 0);
                }
                else
                {
                    service.read(holderCore, capId, offset, length, scratch, 0);
                    callback.onResult(done(), scratch, 0, length);
                }
                settle(settled);
                return;
            }
        }
        catch (final CapabilityException ex)
        {
            callback.onResult(ex.result(), scratch, 0, 0);
            settle(settled);
            return;
        }
        final Operation operation = write ? Operation.WRITE : Operation.READ;
        if (pending.size() + unsettledCount >= REMOTE_REQUESTS_MAX)
        {
            refuse(operation, callback, "core " + service.coreId() + " has REMOTE_REQUESTS_MAX=" + REMOTE_REQUESTS_MAX +
                " frame requests to other hosts awaiting replies or a fence; retry shortly");
            settle(settled);
            return;
        }
        final long correlationId = ++nextCorrelationId;
        for (final int core : coresOnHost.apply(host))
        {
            if (sender.sendRequest(core, correlationId, holderCore, capId, offset, write ? 0 : length, write,
                write ? data : scratch, dataOffset, write ? length : 0))
            {
                pending.put(correlationId, new Pending(core, write, clock.nanoTime() + REMOTE_TIMEOUT_NS, callback,
                    settled));
                return;
            }
        }
        refuse(operation, callback, "frame " + capId + " is in the memory of host " + host +
            ", and no core of that host took the request; nothing was " + (write ? "written" : "read"));
        settle(settled);
    }

    private static void settle(final Runnable settled)
    {
        if (null != settled)
        {
            settled.run();
        }
    }

    private void refuse(final Operation operation, final Callback callback, final String message)
    {
        service.count(operation, Outcome.UNAVAILABLE);
        callback.onResult(CapabilityResult.refused(Outcome.UNAVAILABLE, message), scratch, 0, 0);
    }

    private static CapabilityResult done()
    {
        return new CapabilityResult(Outcome.DONE, null, null, List.of());
    }

    /**
     * A core of another host asks for a frame of this host, for an app of {@code source} (directly,
     * or through a mapping made with {@code holderCore}'s capability): checked against this replica
     * as if {@code holderCore} asked, then done and answered to {@code source}.
     */
    public void onRequest(final int source, final long correlationId, final int holderCore, final long capId,
        final long offset, final int readLength, final boolean write, final DirectBuffer data, final int dataOffset,
        final int dataLength)
    {
        if (FENCE_CAP_ID == capId && !write && 0 == readLength)
        {
            // Every earlier request of the source was handled before this one: say so.
            if (!sender.sendReply(source, correlationId, Outcome.DONE.ordinal(), scratch, 0, 0, ""))
            {
                LOGGER.debug("core {}: fence reply to core {} did not go out; it asks again", service.coreId(), source);
            }
            return;
        }
        CapabilityResult result = done();
        int length = 0;
        try
        {
            if (write)
            {
                service.write(holderCore, capId, offset, data, dataOffset, dataLength);
            }
            else
            {
                service.read(holderCore, capId, offset, readLength, scratch, 0);
                length = readLength;
            }
        }
        catch (final CapabilityException ex)
        {
            result = ex.result();
        }
        if (!sender.sendReply(source, correlationId, result.outcome().ordinal(), scratch, 0, length,
            null == result.message() ? "" : result.message()))
        {
            LOGGER.debug("core {}: frame reply to core {} did not go out; it times out there", service.coreId(), source);
        }
    }

    /** The answer of a core of the frame's host. */
    public void onReply(final int source, final long correlationId, final int outcomeOrdinal, final DirectBuffer data,
        final int dataOffset, final int dataLength, final String message)
    {
        final Pending request = pending.get(correlationId);
        if (null == request || request.destination() != source)
        {
            final Fence fence = fences.get(source);
            if (null != fence && fence.correlationId() == correlationId)
            {
                fences.remove(source);
            }
            else
            {
                lateReplies++;
            }
            // A late reply, or the answer to any fence, old or new: the source has handled everything before it.
            settleUpTo(source, correlationId);
            return;
        }
        pending.remove(correlationId);
        settleUpTo(source, correlationId);
        final Outcome[] outcomes = Outcome.values();
        final Outcome outcome = outcomeOrdinal >= 0 && outcomeOrdinal < outcomes.length ? outcomes[outcomeOrdinal] :
            Outcome.INDEFINITE;
        final Operation operation = request.write() ? Operation.WRITE : Operation.READ;
        service.count(operation, outcome);
        final CapabilityResult result = Outcome.DONE == outcome ? done() :
            CapabilityResult.refused(outcome, Outcome.INDEFINITE == outcome && message.isEmpty() ?
                "core " + source + " answered with unknown outcome " + outcomeOrdinal : message);
        request.callback().onResult(result, data, dataOffset, Outcome.DONE == outcome ? dataLength : 0);
        settle(request.settled());
    }

    /**
     * Settles the writes that timed out on their way to {@code destination} and were sent up to
     * {@code answeredId}, which that core has answered.
     */
    private void settleUpTo(final int destination, final long answeredId)
    {
        final java.util.TreeMap<Long, Unsettled> writes = unsettled.get(destination);
        if (null == writes)
        {
            return;
        }
        final java.util.NavigableMap<Long, Unsettled> answered = writes.headMap(answeredId, true);
        while (!answered.isEmpty())
        {
            unsettledCount--;
            answered.pollFirstEntry().getValue().settled().run();
        }
        if (writes.isEmpty())
        {
            unsettled.remove(destination);
            fences.remove(destination);
        }
    }

    /**
     * A core came back as a new incarnation. A write that timed out may have gone to either one, so a
     * fence goes to the new one at once, rather than at the old fence's next resend.
     */
    public void onPeerRestarted(final int coreId)
    {
        fences.remove(coreId);
    }

    /**
     * Expires requests whose reply did not come in time.
     *
     * @return requests expired.
     */
    public int doWork(final long nowNs)
    {
        if (pending.isEmpty() && unsettled.isEmpty())
        {
            return 0;
        }
        int expired = 0;
        final Iterator<Map.Entry<Long, Pending>> entries = pending.entrySet().iterator();
        while (entries.hasNext())
        {
            final Map.Entry<Long, Pending> entry = entries.next();
            final Pending request = entry.getValue();
            if (nowNs - request.deadlineNs() >= 0)
            {
                final long correlationId = entry.getKey();
                entries.remove();
                expired++;
                final long waitedMs = TimeUnit.NANOSECONDS.toMillis(REMOTE_TIMEOUT_NS);
                final Outcome outcome = request.write() ? Outcome.INDEFINITE : Outcome.UNAVAILABLE;
                service.count(request.write() ? Operation.WRITE : Operation.READ, outcome);
                request.callback().onResult(CapabilityResult.refused(outcome, "core " + request.destination() +
                    " did not answer within " + waitedMs + " ms; " + (request.write() ?
                    "the write may have happened" : "nothing was read")), scratch, 0, 0);
                if (request.write() && null != request.settled())
                {
                    unsettled.computeIfAbsent(request.destination(), core -> new java.util.TreeMap<>())
                        .put(correlationId, new Unsettled(request.settled(), nowNs + UNSETTLED_MAX_NS));
                    unsettledCount++;
                }
                else
                {
                    settle(request.settled());
                }
            }
        }
        return expired + giveUp(nowNs) + sendFences(nowNs);
    }

    /**
     * Settles the writes whose destination has not answered a fence for {@link #UNSETTLED_MAX_NS}: it is
     * gone, or cut off for that long. Should it come back and handle them, they land after all.
     *
     * @return writes given up on.
     */
    private int giveUp(final long nowNs)
    {
        int givenUp = 0;
        final Iterator<Map.Entry<Integer, java.util.TreeMap<Long, Unsettled>>> byCore = unsettled.entrySet().iterator();
        while (byCore.hasNext())
        {
            final Map.Entry<Integer, java.util.TreeMap<Long, Unsettled>> entry = byCore.next();
            final Iterator<Unsettled> writes = entry.getValue().values().iterator();
            while (writes.hasNext())
            {
                final Unsettled write = writes.next();
                if (nowNs - write.giveUpNs() >= 0)
                {
                    writes.remove();
                    unsettledCount--;
                    givenUp++;
                    write.settled().run();
                }
            }
            if (entry.getValue().isEmpty())
            {
                byCore.remove();
                fences.remove(entry.getKey());
            }
        }
        if (givenUp > 0)
        {
            writesGivenUp += givenUp;
            LOGGER.warn("core {}: {} write(s) to other hosts' frames unconfirmed after {} s (no answer to a fence); " +
                "no longer waited for, though they land if their host handles them later", service.coreId(), givenUp,
                TimeUnit.NANOSECONDS.toSeconds(UNSETTLED_MAX_NS));
        }
        return givenUp;
    }

    /**
     * Sends a fence to each core with unsettled writes that has none in flight, or whose fence went
     * unanswered for {@link #REMOTE_TIMEOUT_NS}.
     *
     * @return fences sent.
     */
    private int sendFences(final long nowNs)
    {
        int sent = 0;
        for (final Integer destination : unsettled.keySet())
        {
            final Fence fence = fences.get(destination);
            if (null != fence && nowNs - fence.resendNs() < 0)
            {
                continue;
            }
            final long correlationId = ++nextCorrelationId;
            // Sent or not, the next try comes after the timeout: a bounded rate to a core that does not answer.
            fences.put(destination, new Fence(correlationId, nowNs + REMOTE_TIMEOUT_NS));
            if (sender.sendRequest(destination, correlationId, service.coreId(), FENCE_CAP_ID, 0, 0, false, scratch, 0, 0))
            {
                fencesSent++;
                sent++;
            }
        }
        return sent;
    }

    /** @return requests awaiting replies. */
    public int pendingCount()
    {
        return pending.size();
    }

    /** @return writes that timed out and await a fence's answer. */
    public int unsettledCount()
    {
        return unsettledCount;
    }

    /** @return fences handed to the interconnect. */
    public long fencesSent()
    {
        return fencesSent;
    }

    /** @return writes no longer waited for after {@link #UNSETTLED_MAX_NS}. */
    public long writesGivenUp()
    {
        return writesGivenUp;
    }

    /** @return replies that matched no request (late, or from the wrong core). */
    public long lateReplies()
    {
        return lateReplies;
    }
}
