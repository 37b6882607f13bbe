package io.multikernel.node.vm;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.multikernel.node.caps.CapabilityResult.Outcome;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.util.CounterSlots;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The address-space service's meters. The kernel loop is the only writer; Prometheus reads on the
 * admin thread. Every series is registered up front from fixed sets:
 * <pre>
 *   mk_vm_operations_total{operation,outcome}  requests this core served (faults are outcome="fault")
 *   mk_vm_operation_seconds{operation}         request to answer, for changes after their shootdown
 *   mk_vm_shootdown_seconds{protocol}          commit to the last acknowledgement of a change's shootdown
 *   mk_vm_tlb_hits_total, mk_vm_tlb_misses_total, mk_vm_tlb_invalidations_total   this core's TLB
 *   mk_vm_tlb_entries                          entries in this core's TLB
 *   mk_vm_domains, mk_vm_mappings              domains this core runs and their mappings
 *   mk_vm_leaf_tables                          their leaf page tables (VNODE capabilities)
 * </pre>
 */
final class VmMetrics
{
    /** LATENCY_BUCKETS: histogram bucket bounds, three a decade ({@link io.multikernel.node.util.LatencyBuckets}). */
    private static final Duration[] LATENCY_BUCKETS = io.multikernel.node.util.LatencyBuckets.bounds();

    private static final int OUTCOMES = Outcome.values().length;
    private static final int OPERATIONS = VmService.Operation.values().length;
    private static final int TLB_HITS = OPERATIONS * OUTCOMES;
    private static final int TLB_MISSES = TLB_HITS + 1;
    private static final int TLB_INVALIDATIONS = TLB_MISSES + 1;
    private static final int TLB_ENTRIES = TLB_INVALIDATIONS + 1;
    private static final int DOMAINS = TLB_ENTRIES + 1;
    private static final int MAPPINGS = DOMAINS + 1;
    private static final int LEAF_TABLES = MAPPINGS + 1;
    private static final int SLOTS = LEAF_TABLES + 1;

    private final CounterSlots values = new CounterSlots(SLOTS);
    private final Timer[] latency = new Timer[OPERATIONS];
    private final Timer[] shootdown = new Timer[RoutingProtocol.values().length];
    private final Tlb tlb;
    private final AddressSpaces spaces;
    /** SIZES_REFRESH_INTERVAL_NS: how often the domain and mapping gauges are recounted. */
    static final long SIZES_REFRESH_INTERVAL_NS = 100_000_000L;
    private long nextSizesNs = Long.MIN_VALUE;

    VmMetrics(final MeterRegistry registry, final Tlb tlb, final AddressSpaces spaces)
    {
        this.tlb = tlb;
        this.spaces = spaces;
        for (final VmService.Operation operation : VmService.Operation.values())
        {
            for (final Outcome outcome : Outcome.values())
            {
                values.counter(registry, "mk.vm.operations", "Address-space requests served by this core, by outcome",
                    slot(operation, outcome), "operation", operation.metricName(), "outcome",
                    outcome.name().toLowerCase(Locale.ROOT));
            }
            latency[operation.ordinal()] = Timer.builder("mk.vm.operation")
                .description("Address-space requests from arrival to answer (a change after its TLB shootdown)")
                .tag("operation", operation.metricName())
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        }
        for (final RoutingProtocol protocol : RoutingProtocol.values())
        {
            shootdown[protocol.ordinal()] = Timer.builder("mk.vm.shootdown")
                .description("TLB shootdowns of committed changes, from the commit to the last acknowledgement")
                .tag("protocol", protocol.cliName())
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        }
        values.counter(registry, "mk.vm.tlb.hits", "Translations this core's TLB answered", TLB_HITS);
        values.counter(registry, "mk.vm.tlb.misses", "Translations this core's TLB did not hold", TLB_MISSES);
        values.counter(registry, "mk.vm.tlb.invalidations", "TLB entries dropped by shootdowns and changes",
            TLB_INVALIDATIONS);
        values.gauge(registry, "mk.vm.tlb.entries", "Entries in this core's TLB", TLB_ENTRIES);
        values.gauge(registry, "mk.vm.domains", "Domains (address spaces) this core runs", DOMAINS);
        values.gauge(registry, "mk.vm.mappings", "Mappings of the domains this core runs", MAPPINGS);
        values.gauge(registry, "mk.vm.leaf.tables", "Leaf page tables (VNODE capabilities) of the domains this core runs",
            LEAF_TABLES);
    }

    private static int slot(final VmService.Operation operation, final Outcome outcome)
    {
        return operation.ordinal() * OUTCOMES + outcome.ordinal();
    }

    void outcome(final VmService.Operation operation, final Outcome outcome)
    {
        values.increment(slot(operation, outcome));
    }

    void latency(final VmService.Operation operation, final long nanos)
    {
        latency[operation.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    void shootdown(final RoutingProtocol protocol, final long nanos)
    {
        shootdown[protocol.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Copies the TLB's counters, and every {@link #SIZES_REFRESH_INTERVAL_NS} the replica's sizes; kernel loop. */
    void refresh(final long nowNs)
    {
        values.set(TLB_HITS, tlb.hits());
        values.set(TLB_MISSES, tlb.misses());
        values.set(TLB_INVALIDATIONS, tlb.invalidations());
        values.set(TLB_ENTRIES, tlb.size());
        if (Long.MIN_VALUE == nextSizesNs || nowNs - nextSizesNs >= 0)
        {
            nextSizesNs = nowNs + SIZES_REFRESH_INTERVAL_NS;
            long mappings = 0;
            long leafTables = 0;
            for (final Domain domain : spaces.domains())
            {
                mappings += domain.mappingCount();
                leafTables += domain.leafTables();
            }
            values.set(DOMAINS, spaces.domains().size());
            values.set(MAPPINGS, mappings);
            values.set(LEAF_TABLES, leafTables);
        }
    }
}
