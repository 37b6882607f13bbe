package io.multikernel.transport;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.multikernel.common.Bounds;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * URPC counters of one core. The core's agent is the only writer. Per-message counts (messages and
 * bytes sent and received, by type) are plain increments of the agent's own array, and
 * {@link #publish()} copies the ones that changed, with ordered writes, to the array Micrometer
 * reads through {@link FunctionCounter}s when it is scraped; the endpoint publishes at the end of
 * every {@link UrpcEndpoint#poll()} and {@link UrpcEndpoint#flush()}, so a scrape sees every message
 * up to the agent's last duty cycle, exactly. Rare counts (rejections, send failures, back pressure)
 * are published as they happen. The accessors ({@link #receivedCount(int)} and the like) give the
 * agent's own, always current, view. Meters are registered up front or on first use of a template,
 * and label cardinality is bounded by the schema (message types) and the enums (reasons).
 *
 * <pre>
 *   mk_urpc_messages_received_total{type}   mk_urpc_received_bytes_total{type}
 *   mk_urpc_messages_sent_total{type}       mk_urpc_sent_bytes_total{type}
 *   mk_urpc_send_failures_total{reason}     mk_urpc_back_pressure_events_total
 *   mk_urpc_rejected_total{reason}          mk_urpc_aeron_reconnects_total
 *   mk_urpc_inbox_images_lost_total         mk_urpc_inbox_gap_bytes_total
 * </pre>
 */
public final class UrpcMetrics
{
    /** Highest template id the metric tables hold; the schema allots ids well below it. */
    public static final int TEMPLATE_ID_MAX = 1023;

    private static final int TEMPLATES = TEMPLATE_ID_MAX + 1;
    private static final int RECEIVED_MESSAGES = 0;
    private static final int RECEIVED_BYTES = TEMPLATES;
    private static final int SENT_MESSAGES = 2 * TEMPLATES;
    private static final int SENT_BYTES = 3 * TEMPLATES;
    private static final int REJECTED = 4 * TEMPLATES;
    private static final int SEND_FAILURES = REJECTED + RejectReason.values().length;
    private static final int BACK_PRESSURE = SEND_FAILURES + SendOutcome.values().length;
    private static final int AERON_RECONNECTS = BACK_PRESSURE + 1;
    private static final int INBOX_IMAGES_LOST = AERON_RECONNECTS + 1;
    private static final int INBOX_GAP_BYTES = INBOX_IMAGES_LOST + 1;
    private static final int SLOTS = INBOX_GAP_BYTES + 1;

    private final MeterRegistry registry;
    private final String[] typeNames = new String[TEMPLATES];
    private final boolean[] receivedRegistered = new boolean[TEMPLATES];
    private final boolean[] sentRegistered = new boolean[TEMPLATES];
    /** The agent's counts: written and read by the agent thread only. */
    private final long[] counts = new long[SLOTS];
    /** What scrapes read: the counts as of the last {@link #publish()}, or current for rare counts. */
    private final AtomicLongArray values = new AtomicLongArray(SLOTS);
    /** Per template: counted since the last publish; the list holds each such template once. */
    private final boolean[] receivedDirty = new boolean[TEMPLATES];
    private final boolean[] sentDirty = new boolean[TEMPLATES];
    private final int[] dirtyReceived = new int[TEMPLATES];
    private final int[] dirtySent = new int[TEMPLATES];
    private int dirtyReceivedCount;
    private int dirtySentCount;

    public UrpcMetrics(final MeterRegistry registry)
    {
        this.registry = registry;
        for (final RejectReason reason : RejectReason.values())
        {
            register("mk.urpc.rejected", "Inbound frames rejected, by reason", "reason", reason.metricTag(), null,
                REJECTED + reason.ordinal());
        }
        for (final SendOutcome outcome : SendOutcome.values())
        {
            if (SendOutcome.SENT != outcome)
            {
                register("mk.urpc.send.failures", "Sends that did not reach the interconnect, by reason",
                    "reason", outcome.metricTag(), null, SEND_FAILURES + outcome.ordinal());
            }
        }
        register("mk.urpc.back.pressure.events", "Sends that met back pressure at least once", null, null, null,
            BACK_PRESSURE);
        register("mk.urpc.aeron.reconnects", "Times the core found its Aeron client closed and connected a new one",
            null, null, null, AERON_RECONNECTS);
        register("mk.urpc.inbox.images.lost", "Inbox streams from peers that went away: the peer is gone, or its " +
            "stream was silent past the driver's liveness timeout", null, null, null, INBOX_IMAGES_LOST);
        register("mk.urpc.inbox.gap", "Bytes of messages lost when a peer's stream came back after going silent " +
            "past the liveness timeout", null, null, "bytes", INBOX_GAP_BYTES);
    }

    /**
     * Name a template for the {@code type} tag; unnamed templates are tagged {@code template_<id>}.
     *
     * @param templateId of the message.
     * @param typeName   short lower-case name such as {@code ping}.
     */
    public void nameType(final int templateId, final String typeName)
    {
        checkTemplateId(templateId);
        typeNames[templateId] = typeName;
    }

    /**
     * Count a dispatched message; visible to scrapes after the next {@link #publish()}.
     *
     * @param templateId  of the message, in 0..{@link #TEMPLATE_ID_MAX}.
     * @param lengthBytes of the message.
     */
    public void onReceived(final int templateId, final int lengthBytes)
    {
        if (!receivedDirty[templateId])
        {
            markReceived(templateId);
        }
        counts[RECEIVED_MESSAGES + templateId]++;
        counts[RECEIVED_BYTES + templateId] += lengthBytes;
    }

    /**
     * Count a message handed to the interconnect (or queued in a batch); visible to scrapes after the
     * next {@link #publish()}.
     *
     * @param templateId  of the message, in 0..{@link #TEMPLATE_ID_MAX}.
     * @param lengthBytes of the message.
     */
    public void onSent(final int templateId, final int lengthBytes)
    {
        if (!sentDirty[templateId])
        {
            markSent(templateId);
        }
        counts[SENT_MESSAGES + templateId]++;
        counts[SENT_BYTES + templateId] += lengthBytes;
    }

    /**
     * Make the per-message counts since the last call visible to scrapes. Costs one ordered write per
     * changed counter, nothing when none changed.
     *
     * @return message types whose counts were published.
     */
    public int publish()
    {
        final int published = dirtyReceivedCount + dirtySentCount;
        publish(dirtyReceived, dirtyReceivedCount, receivedDirty, RECEIVED_MESSAGES, RECEIVED_BYTES);
        dirtyReceivedCount = 0;
        publish(dirtySent, dirtySentCount, sentDirty, SENT_MESSAGES, SENT_BYTES);
        dirtySentCount = 0;
        return published;
    }

    private void publish(final int[] dirtyTemplateIds, final int dirtyCount, final boolean[] dirtyFlags,
        final int messagesBase, final int bytesBase)
    {
        for (int i = 0; i < dirtyCount; i++)
        {
            final int templateId = dirtyTemplateIds[i];
            dirtyFlags[templateId] = false;
            values.lazySet(messagesBase + templateId, counts[messagesBase + templateId]);
            values.lazySet(bytesBase + templateId, counts[bytesBase + templateId]);
        }
    }

    private void markReceived(final int templateId)
    {
        if (!receivedRegistered[templateId])
        {
            receivedRegistered[templateId] = true;
            register("mk.urpc.messages.received", "Messages received", "type", typeName(templateId), null,
                RECEIVED_MESSAGES + templateId);
            register("mk.urpc.received", "Bytes received", "type", typeName(templateId), "bytes",
                RECEIVED_BYTES + templateId);
        }
        receivedDirty[templateId] = true;
        dirtyReceived[dirtyReceivedCount++] = templateId;
    }

    private void markSent(final int templateId)
    {
        if (!sentRegistered[templateId])
        {
            sentRegistered[templateId] = true;
            register("mk.urpc.messages.sent", "Messages sent", "type", typeName(templateId), null,
                SENT_MESSAGES + templateId);
            register("mk.urpc.sent", "Bytes sent", "type", typeName(templateId), "bytes", SENT_BYTES + templateId);
        }
        sentDirty[templateId] = true;
        dirtySent[dirtySentCount++] = templateId;
    }

    public void onRejected(final RejectReason reason)
    {
        add(REJECTED + reason.ordinal(), 1);
    }

    public void onSendFailed(final SendOutcome outcome)
    {
        add(SEND_FAILURES + outcome.ordinal(), 1);
    }

    /**
     * @param outcome  why messages already accepted into a batch could not be delivered.
     * @param messages how many.
     */
    public void onSendFailed(final SendOutcome outcome, final int messages)
    {
        add(SEND_FAILURES + outcome.ordinal(), messages);
    }

    public void onBackPressure()
    {
        add(BACK_PRESSURE, 1);
    }

    public void onAeronReconnect()
    {
        add(AERON_RECONNECTS, 1);
    }

    public long aeronReconnectCount()
    {
        return counts[AERON_RECONNECTS];
    }

    /**
     * A peer's stream into the inbox went away (see {@link InboxImages}).
     */
    public void onInboxImageLost()
    {
        add(INBOX_IMAGES_LOST, 1);
    }

    /**
     * @param bytes a peer's stream skipped when it came back: its messages in them are lost.
     */
    public void onInboxGap(final long bytes)
    {
        add(INBOX_GAP_BYTES, bytes);
    }

    public long inboxImagesLostCount()
    {
        return counts[INBOX_IMAGES_LOST];
    }

    public long inboxGapBytes()
    {
        return counts[INBOX_GAP_BYTES];
    }

    /**
     * The accessors below are for the owning agent (and tests driving it): its current counts,
     * published or not.
     */
    public long rejectedCount(final RejectReason reason)
    {
        return counts[REJECTED + reason.ordinal()];
    }

    public long sendFailureCount(final SendOutcome outcome)
    {
        return counts[SEND_FAILURES + outcome.ordinal()];
    }

    public long backPressureCount()
    {
        return counts[BACK_PRESSURE];
    }

    public long receivedCount(final int templateId)
    {
        return counts[RECEIVED_MESSAGES + templateId];
    }

    public long receivedBytes(final int templateId)
    {
        return counts[RECEIVED_BYTES + templateId];
    }

    public long sentCount(final int templateId)
    {
        return counts[SENT_MESSAGES + templateId];
    }

    public long sentBytes(final int templateId)
    {
        return counts[SENT_BYTES + templateId];
    }

    public MeterRegistry registry()
    {
        return registry;
    }

    static void checkTemplateId(final int templateId)
    {
        Bounds.check("templateId", templateId, 0, TEMPLATE_ID_MAX);
    }

    private void add(final int slot, final long delta)
    {
        // Rare counts are published at once. Single writer: an ordered store is enough for readers
        // on other threads.
        counts[slot] += delta;
        values.lazySet(slot, counts[slot]);
    }

    private String typeName(final int templateId)
    {
        return null == typeNames[templateId] ? "template_" + templateId : typeNames[templateId];
    }

    private void register(
        final String name, final String description, final String tagKey, final String tagValue, final String unit,
        final int slot)
    {
        final FunctionCounter.Builder<AtomicLongArray> builder = FunctionCounter
            .builder(name, values, array -> array.get(slot))
            .description(description);
        if (null != tagKey)
        {
            builder.tag(tagKey, tagValue);
        }
        if (null != unit)
        {
            builder.baseUnit(unit);
        }
        builder.register(registry);
    }
}
