package io.multikernel.node.caps;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.multikernel.node.util.CounterSlots;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The capability service's meters. The kernel loop is the only writer; Prometheus reads on the
 * admin thread. Every series is registered up front from fixed sets:
 * <pre>
 *   mk_caps_operations_total{operation,outcome}   requests this core served, by operation and outcome
 *   mk_caps_operation_seconds{operation}          request to outcome, for requests that were proposed
 *   mk_caps_live{type}                            capabilities in this core's replica, by type
 *   mk_caps_memory_bytes{state}                   this core's memory server: used (handed out, live) and free
 * </pre>
 */
final class CapabilityMetrics
{
    /** Operations a request can be, one label value each. */
    enum Operation
    {
        ALLOCATE, RETYPE, COPY, MINT, DELETE, REVOKE, IDENTIFY, READ, WRITE;

        String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** LATENCY_BUCKETS: histogram bucket bounds, three a decade ({@link io.multikernel.node.util.LatencyBuckets}). */
    private static final Duration[] LATENCY_BUCKETS = io.multikernel.node.util.LatencyBuckets.bounds();

    private static final int OUTCOMES = CapabilityResult.Outcome.values().length;
    private static final int TYPES = CapabilityType.values().length;
    private static final int LIVE_BASE = Operation.values().length * OUTCOMES;
    private static final int MEMORY_USED = LIVE_BASE + TYPES;
    private static final int MEMORY_FREE = MEMORY_USED + 1;
    private static final int SLOTS = MEMORY_FREE + 1;

    private final CounterSlots values = new CounterSlots(SLOTS);
    private final Timer[] latency = new Timer[Operation.values().length];

    CapabilityMetrics(final MeterRegistry registry)
    {
        for (final Operation operation : Operation.values())
        {
            for (final CapabilityResult.Outcome outcome : CapabilityResult.Outcome.values())
            {
                values.counter(registry, "mk.caps.operations", "Capability requests served by this core, by outcome",
                    slot(operation, outcome), "operation", operation.label(), "outcome",
                    outcome.name().toLowerCase(Locale.ROOT));
            }
            latency[operation.ordinal()] = Timer.builder("mk.caps.operation")
                .description("Capability requests from arrival to their transaction's outcome")
                .tag("operation", operation.label())
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        }
        for (final CapabilityType type : CapabilityType.values())
        {
            values.gauge(registry, "mk.caps.live", "Capabilities in this core's replica, by type",
                LIVE_BASE + type.ordinal(), "type", type.name().toLowerCase(Locale.ROOT));
        }
        values.gauge(registry, "mk.caps.memory.bytes", "This core's memory server: bytes handed out and live, and free",
            MEMORY_USED, "state", "used");
        values.gauge(registry, "mk.caps.memory.bytes", "This core's memory server: bytes handed out and live, and free",
            MEMORY_FREE, "state", "free");
    }

    private static int slot(final Operation operation, final CapabilityResult.Outcome outcome)
    {
        return operation.ordinal() * OUTCOMES + outcome.ordinal();
    }

    void outcome(final Operation operation, final CapabilityResult.Outcome outcome)
    {
        values.increment(slot(operation, outcome));
    }

    long count(final Operation operation, final CapabilityResult.Outcome outcome)
    {
        return values.get(slot(operation, outcome));
    }

    void latency(final Operation operation, final long nanos)
    {
        latency[operation.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Refreshes the gauges from the replica; kernel loop. */
    void refresh(final CapabilityDatabase database, final int serverCore)
    {
        final long[] live = new long[TYPES];
        for (final Capability capability : database.capabilities().values())
        {
            live[database.object(capability.objectId()).type().ordinal()]++;
        }
        for (int i = 0; i < TYPES; i++)
        {
            values.set(LIVE_BASE + i, live[i]);
        }
        values.set(MEMORY_USED, database.allocatedBytes(serverCore));
        values.set(MEMORY_FREE, database.freeBytes(serverCore));
    }
}
