package io.multikernel.transport;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * URPC counters of one core. The core's agent is the only writer, so an increment is a plain read
 * and an ordered write (no CAS on the hot path); Micrometer reads the values when it is scraped
 * through {@link FunctionCounter}s. Meters are registered up front or on first use of a template,
 * and label cardinality is bounded by the schema (message types) and the enums (reasons).
 *
 * <pre>
 *   mk_urpc_messages_received_total{type}   mk_urpc_received_bytes_total{type}
 *   mk_urpc_messages_sent_total{type}       mk_urpc_sent_bytes_total{type}
 *   mk_urpc_send_failures_total{reason}     mk_urpc_back_pressure_events_total
 *   mk_urpc_rejected_total{reason}
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
    private static final int SLOTS = BACK_PRESSURE + 1;

    private final MeterRegistry registry;
    private final String[] typeNames = new String[TEMPLATES];
    private final boolean[] receivedRegistered = new boolean[TEMPLATES];
    private final boolean[] sentRegistered = new boolean[TEMPLATES];
    private final AtomicLongArray values = new AtomicLongArray(SLOTS);

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

    public void onReceived(final int templateId, final int lengthBytes)
    {
        if (!receivedRegistered[templateId])
        {
            receivedRegistered[templateId] = true;
            register("mk.urpc.messages.received", "Messages received", "type", typeName(templateId), null,
                RECEIVED_MESSAGES + templateId);
            register("mk.urpc.received", "Bytes received", "type", typeName(templateId), "bytes",
                RECEIVED_BYTES + templateId);
        }
        add(RECEIVED_MESSAGES + templateId, 1);
        add(RECEIVED_BYTES + templateId, lengthBytes);
    }

    public void onSent(final int templateId, final int lengthBytes)
    {
        if (!sentRegistered[templateId])
        {
            sentRegistered[templateId] = true;
            register("mk.urpc.messages.sent", "Messages sent", "type", typeName(templateId), null,
                SENT_MESSAGES + templateId);
            register("mk.urpc.sent", "Bytes sent", "type", typeName(templateId), "bytes", SENT_BYTES + templateId);
        }
        add(SENT_MESSAGES + templateId, 1);
        add(SENT_BYTES + templateId, lengthBytes);
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

    public long rejectedCount(final RejectReason reason)
    {
        return values.get(REJECTED + reason.ordinal());
    }

    public long sendFailureCount(final SendOutcome outcome)
    {
        return values.get(SEND_FAILURES + outcome.ordinal());
    }

    public long receivedCount(final int templateId)
    {
        return values.get(RECEIVED_MESSAGES + templateId);
    }

    public long sentCount(final int templateId)
    {
        return values.get(SENT_MESSAGES + templateId);
    }

    public MeterRegistry registry()
    {
        return registry;
    }

    static void checkTemplateId(final int templateId)
    {
        if (templateId < 0 || templateId > TEMPLATE_ID_MAX)
        {
            throw new IllegalArgumentException("templateId=" + templateId + " is outside 0.." + TEMPLATE_ID_MAX);
        }
    }

    private void add(final int slot, final long delta)
    {
        // Single writer: an ordered store is enough for readers on other threads.
        values.lazySet(slot, values.get(slot) + delta);
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
