package io.multikernel.node.lrpc;

import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.node.util.CounterSlots;


/**
 * The kernel side's LRPC counters. Written only by the kernel loop (ordered stores, no CAS), read by
 * Micrometer at scrape time:
 * <ul>
 *   <li>{@code mk_lrpc_requests_total{op}}: requests dispatched to an operation's handler;</li>
 *   <li>{@code mk_lrpc_rejected_total{reason}}: requests not dispatched and replies not delivered;</li>
 *   <li>{@code mk_lrpc_errors_total{status}}: error replies sent;</li>
 *   <li>{@code mk_lrpc_queue_full_total{ring}}: a client found the request ring full, or the core a
 *       reply ring;</li>
 *   <li>{@code mk_lrpc_client_slots_reclaimed_total}, gauges {@code mk_lrpc_clients},
 *       {@code mk_lrpc_deferred_replies}.</li>
 * </ul>
 */
final class LrpcMetrics
{
    static final int STATUS_SLOTS = 16;

    private static final int REJECTED_BASE = 0;
    private static final int ERRORS_BASE = REJECTED_BASE + LrpcRejectReason.values().length;
    private static final int REQUEST_RING_FULL = ERRORS_BASE + STATUS_SLOTS;
    private static final int SLOTS_RECLAIMED = REQUEST_RING_FULL + 1;
    private static final int CLIENTS = SLOTS_RECLAIMED + 1;
    private static final int DEFERRED = CLIENTS + 1;
    private static final int REQUESTS_BASE = DEFERRED + 1;

    private final MeterRegistry registry;
    private final CounterSlots values = new CounterSlots(REQUESTS_BASE + LrpcOperations.OPERATION_CODE_MAX + 1);

    LrpcMetrics(final MeterRegistry registry)
    {
        this.registry = registry;
        for (final LrpcRejectReason reason : LrpcRejectReason.values())
        {
            counter("mk.lrpc.rejected", "LRPC requests not dispatched or replies not delivered", "reason", reason.label(),
                REJECTED_BASE + reason.ordinal());
        }
        for (int status = 1; status < STATUS_SLOTS; status++)
        {
            if (!LrpcStatus.name(status).startsWith("status_"))
            {
                counter("mk.lrpc.errors", "LRPC error replies sent", "status", LrpcStatus.name(status), ERRORS_BASE + status);
            }
        }
        counter("mk.lrpc.queue.full", "LRPC ring full events", "ring", "request", REQUEST_RING_FULL);
        counter("mk.lrpc.queue.full", "LRPC ring full events", "ring", "reply",
            REJECTED_BASE + LrpcRejectReason.REPLY_RING_FULL.ordinal());
        counter("mk.lrpc.client.slots.reclaimed", "LRPC client slots freed after their app died", null, null,
            SLOTS_RECLAIMED);
        values.gauge(registry, "mk.lrpc.clients", "LRPC clients attached", CLIENTS);
        values.gauge(registry, "mk.lrpc.deferred.replies", "LRPC replies deferred, awaiting an outcome", DEFERRED);
    }

    void registerOperation(final int operation, final String name)
    {
        counter("mk.lrpc.requests", "LRPC requests dispatched by operation", "op", name, REQUESTS_BASE + operation);
    }

    void request(final int operation)
    {
        increment(REQUESTS_BASE + operation);
    }

    void rejected(final LrpcRejectReason reason)
    {
        increment(REJECTED_BASE + reason.ordinal());
    }

    long rejectedCount(final LrpcRejectReason reason)
    {
        return values.get(REJECTED_BASE + reason.ordinal());
    }

    long requestCount(final int operation)
    {
        return values.get(REQUESTS_BASE + operation);
    }

    void error(final int status)
    {
        if (status > 0 && status < STATUS_SLOTS)
        {
            increment(ERRORS_BASE + status);
        }
    }

    long errorCount(final int status)
    {
        return values.get(ERRORS_BASE + status);
    }

    void requestRingFull(final long total)
    {
        values.set(REQUEST_RING_FULL, total);
    }

    void slotReclaimed()
    {
        increment(SLOTS_RECLAIMED);
    }

    void clients(final int count)
    {
        values.set(CLIENTS, count);
    }

    void deferred(final int count)
    {
        values.set(DEFERRED, count);
    }

    private void increment(final int index)
    {
        values.increment(index);
    }

    private void counter(final String name, final String description, final String tagKey, final String tagValue,
        final int index)
    {
        values.counter(registry, name, description, index, null == tagKey ? new String[0] : new String[]{ tagKey, tagValue });
    }
}
