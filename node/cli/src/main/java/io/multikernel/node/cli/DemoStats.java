package io.multikernel.node.cli;

import io.multikernel.node.lrpc.LrpcStatus;
import io.multikernel.node.skb.RoutingProtocol;
import io.multikernel.node.vm.VmCalls;
import org.HdrHistogram.Histogram;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the apps of {@code mk demo} count while they run: shared counters the progress line reads
 * every second, and per app ({@link Local}, one thread's) a latency histogram of each kind of call
 * (from {@link VmCalls.Call#issuedNs()} to {@link VmCalls.Call#answeredNs()}) and of each protocol's
 * unmaps, merged once the apps have stopped.
 *
 * <p>Every call of a change (capability or address space: one 2PC transaction each) ends in one of
 * committed, aborted (nothing changed), unavailable (not proposed; retry), indefinite (it may have
 * committed) or refused (the core said why before proposing). A load or store ends done, in a fault
 * (no mapping or right), not found (the app's core left the domain) or unavailable (the page table
 * was changing).
 */
final class DemoStats
{
    /** HISTOGRAM_DIGITS: significant digits of every latency histogram. */
    static final int HISTOGRAM_DIGITS = 3;
    /** REFUSAL_SAMPLES_MAX: distinct refusal kinds whose first sentence is kept. */
    static final int REFUSAL_SAMPLES_MAX = 32;

    final LongAdder steps = new LongAdder();
    final LongAdder calls = new LongAdder();
    final LongAdder faults = new LongAdder();
    final LongAdder notFound = new LongAdder();
    final LongAdder shootdowns = new LongAdder();
    final LongAdder committed = new LongAdder();
    final LongAdder aborted = new LongAdder();
    final LongAdder unavailable = new LongAdder();
    final LongAdder indefinite = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder skipped = new LongAdder();
    private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private final Map<String, String> refusalSamples = new ConcurrentHashMap<>();

    /** One app thread's histograms. */
    static final class Local
    {
        final Map<String, Histogram> calls = new TreeMap<>();
        final EnumMap<RoutingProtocol, Histogram> unmaps = new EnumMap<>(RoutingProtocol.class);
        final EnumMap<RoutingProtocol, Histogram> shootdowns = new EnumMap<>(RoutingProtocol.class);

        void record(final String call, final VmCalls.Call answer)
        {
            calls.computeIfAbsent(call, name -> new Histogram(HISTOGRAM_DIGITS))
                .recordValue(Math.max(0, answer.answeredNs() - answer.issuedNs()));
        }

        void recordUnmap(final RoutingProtocol protocol, final VmCalls.Call answer)
        {
            unmaps.computeIfAbsent(protocol, p -> new Histogram(HISTOGRAM_DIGITS))
                .recordValue(Math.max(0, answer.answeredNs() - answer.issuedNs()));
            shootdowns.computeIfAbsent(protocol, p -> new Histogram(HISTOGRAM_DIGITS)).recordValue(Math.max(0, answer.value()));
        }

        void addTo(final Local total)
        {
            calls.forEach((name, histogram) -> total.calls.computeIfAbsent(name, n -> new Histogram(HISTOGRAM_DIGITS))
                .add(histogram));
            unmaps.forEach((protocol, histogram) -> total.unmaps.computeIfAbsent(protocol,
                p -> new Histogram(HISTOGRAM_DIGITS)).add(histogram));
            shootdowns.forEach((protocol, histogram) -> total.shootdowns.computeIfAbsent(protocol,
                p -> new Histogram(HISTOGRAM_DIGITS)).add(histogram));
        }
    }

    /**
     * Counts the outcome of a change's call.
     *
     * @return the call's answer, for chaining.
     */
    VmCalls.Call change(final Local local, final String call, final VmCalls.Call answer)
    {
        calls.increment();
        local.record(call, answer);
        if (answer.ok())
        {
            committed.increment();
        }
        else if (LrpcStatus.ABORTED == answer.status())
        {
            aborted.increment();
        }
        else if (LrpcStatus.UNAVAILABLE == answer.status())
        {
            unavailable.increment();
        }
        else if (LrpcStatus.INDEFINITE == answer.status() || answer.status() < 0)
        {
            indefinite.increment();
            refusal(call, answer);
        }
        else
        {
            refused.increment();
            refusal(call, answer);
        }
        return answer;
    }

    /**
     * Counts the outcome of a load's or store's call.
     *
     * @return the call's answer, for chaining.
     */
    VmCalls.Call access(final Local local, final String call, final VmCalls.Call answer)
    {
        calls.increment();
        local.record(call, answer);
        if (answer.ok())
        {
            return answer;
        }
        if (answer.fault())
        {
            faults.increment();
        }
        else if (LrpcStatus.NOT_FOUND == answer.status())
        {
            notFound.increment();
        }
        else if (LrpcStatus.UNAVAILABLE == answer.status())
        {
            unavailable.increment();
        }
        else
        {
            refused.increment();
            refusal(call, answer);
        }
        return answer;
    }

    private void refusal(final String call, final VmCalls.Call answer)
    {
        final String kind = call + " " + answer.statusName();
        refusals.computeIfAbsent(kind, k -> new LongAdder()).increment();
        if (refusalSamples.size() < REFUSAL_SAMPLES_MAX)
        {
            refusalSamples.putIfAbsent(kind, String.valueOf(answer.message()));
        }
    }

    /** @return refusals that are not part of the workload's normal contention, by call and status. */
    Map<String, Long> refusals()
    {
        final Map<String, Long> counts = new TreeMap<>();
        refusals.forEach((kind, count) -> counts.put(kind, count.sum()));
        return counts;
    }

    /** @return the first sentence of each kind of {@link #refusals()}. */
    Map<String, String> refusalSamples()
    {
        return new TreeMap<>(refusalSamples);
    }
}
