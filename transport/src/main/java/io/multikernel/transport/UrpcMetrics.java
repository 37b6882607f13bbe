package io.multikernel.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * URPC counters of one core. All meters are registered up front or on first use of a template, so
 * the hot path only increments. Label cardinality is bounded by the schema (message types) and the
 * enums (reasons).
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

    private final MeterRegistry registry;
    private final String[] typeNames = new String[TEMPLATE_ID_MAX + 1];
    private final Counter[] receivedMessages = new Counter[TEMPLATE_ID_MAX + 1];
    private final Counter[] receivedBytes = new Counter[TEMPLATE_ID_MAX + 1];
    private final Counter[] sentMessages = new Counter[TEMPLATE_ID_MAX + 1];
    private final Counter[] sentBytes = new Counter[TEMPLATE_ID_MAX + 1];
    private final Counter[] rejected = new Counter[RejectReason.values().length];
    private final Counter[] sendFailures = new Counter[SendOutcome.values().length];
    private final Counter backPressureEvents;

    public UrpcMetrics(final MeterRegistry registry)
    {
        this.registry = registry;
        for (final RejectReason reason : RejectReason.values())
        {
            rejected[reason.ordinal()] = Counter.builder("mk.urpc.rejected")
                .description("Inbound frames rejected, by reason")
                .tag("reason", reason.metricTag())
                .register(registry);
        }
        for (final SendOutcome outcome : SendOutcome.values())
        {
            if (SendOutcome.SENT != outcome)
            {
                sendFailures[outcome.ordinal()] = Counter.builder("mk.urpc.send.failures")
                    .description("Sends that did not reach the interconnect, by reason")
                    .tag("reason", outcome.metricTag())
                    .register(registry);
            }
        }
        backPressureEvents = Counter.builder("mk.urpc.back.pressure.events")
            .description("Sends that met back pressure at least once")
            .register(registry);
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
        if (null == receivedMessages[templateId])
        {
            receivedMessages[templateId] = counter("mk.urpc.messages.received", "Messages received", templateId, null);
            receivedBytes[templateId] = counter("mk.urpc.received", "Bytes received", templateId, "bytes");
        }
        receivedMessages[templateId].increment();
        receivedBytes[templateId].increment(lengthBytes);
    }

    public void onSent(final int templateId, final int lengthBytes)
    {
        if (null == sentMessages[templateId])
        {
            sentMessages[templateId] = counter("mk.urpc.messages.sent", "Messages sent", templateId, null);
            sentBytes[templateId] = counter("mk.urpc.sent", "Bytes sent", templateId, "bytes");
        }
        sentMessages[templateId].increment();
        sentBytes[templateId].increment(lengthBytes);
    }

    public void onRejected(final RejectReason reason)
    {
        rejected[reason.ordinal()].increment();
    }

    public void onSendFailed(final SendOutcome outcome)
    {
        sendFailures[outcome.ordinal()].increment();
    }

    public void onBackPressure()
    {
        backPressureEvents.increment();
    }

    public double rejectedCount(final RejectReason reason)
    {
        return rejected[reason.ordinal()].count();
    }

    public double sendFailureCount(final SendOutcome outcome)
    {
        return sendFailures[outcome.ordinal()].count();
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

    private Counter counter(final String name, final String description, final int templateId, final String unit)
    {
        final String type = null == typeNames[templateId] ? "template_" + templateId : typeNames[templateId];
        final Counter.Builder builder = Counter.builder(name).description(description).tag("type", type);
        if (null != unit)
        {
            builder.baseUnit(unit);
        }
        return builder.register(registry);
    }
}
