package io.multikernel.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The engine's meters. Gauges read values the engine thread publishes after each duty cycle, so a
 * scrape from another thread never touches protocol state.
 *
 * <pre>
 * mk.2pc.transactions{outcome=committed|aborted|indefinite|rejected}  counter, at the coordinator
 * mk.2pc.commit.latency        timer: propose to durable commit decision, 1 us .. 10 s buckets
 * mk.2pc.in.doubt              gauge: transactions voted yes on here whose decision is unknown
 * mk.2pc.locks.held            gauge
 * mk.2pc.in.flight             gauge: unfinished transactions this core coordinates
 * mk.wal.fsync.latency, mk.wal.bytes.written   see WriteAheadLog
 * mk.2pc.cooperative.decisions{decision=commit|abort}  counter: decisions a participant in doubt
 *                              learned from another participant (coordinator unreachable)
 * mk.2pc.refusals              counter: promises to vote no given to a peer in doubt
 * mk.2pc.snapshots             counter: snapshots written (each lets old log segments go)
 * mk.2pc.errors{kind}          see ErrorKind
 * </pre>
 */
final class ReplicationMetrics
{
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Counter committed;
    private final Counter aborted;
    private final Counter indefinite;
    private final Counter rejected;
    private final Timer commitLatency;
    private final Counter cooperativeCommits;
    private final Counter cooperativeAborts;
    private final Counter refusals;
    private final Counter snapshots;
    private final Map<ErrorKind, Counter> errors = new EnumMap<>(ErrorKind.class);
    private final AtomicLong inDoubt = new AtomicLong();
    private final AtomicLong locksHeld = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();

    ReplicationMetrics(final MeterRegistry registry, final Tags tags)
    {
        this.registry = registry;
        committed = outcomeCounter(tags, "committed");
        aborted = outcomeCounter(tags, "aborted");
        indefinite = outcomeCounter(tags, "indefinite");
        rejected = outcomeCounter(tags, "rejected");
        commitLatency = Timer.builder("mk.2pc.commit.latency")
            .description("From propose to the durable commit decision at the coordinator")
            .tags(tags)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(1_000))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
        meters.add(commitLatency);
        cooperativeCommits = counter(cooperativeDecisions().tag("decision", "commit"), tags);
        cooperativeAborts = counter(cooperativeDecisions().tag("decision", "abort"), tags);
        refusals = counter(Counter.builder("mk.2pc.refusals")
            .description("Transactions a participant in doubt asked about before this core had voted: " +
                "it promised to vote no, so they abort"), tags);
        snapshots = counter(Counter.builder("mk.2pc.snapshots")
            .description("Snapshots written; each lets old write-ahead log segments go"), tags);
        for (final ErrorKind kind : ErrorKind.values())
        {
            errors.put(kind, counter(Counter.builder("mk.2pc.errors")
                .description("Operating errors of the 2PC engine, by kind")
                .tag("kind", kind.name().toLowerCase()), tags));
        }
        gauge("mk.2pc.in.doubt", "Transactions this core voted yes on whose decision it does not know", tags, inDoubt);
        gauge("mk.2pc.locks.held", "Keys locked by prepared transactions on this core", tags, locksHeld);
        gauge("mk.2pc.in.flight", "Unfinished transactions this core coordinates", tags, inFlight);
    }

    private static Counter.Builder cooperativeDecisions()
    {
        return Counter.builder("mk.2pc.cooperative.decisions")
            .description("Decisions this core, in doubt, learned from another participant while the coordinator was unreachable");
    }

    private Counter outcomeCounter(final Tags tags, final String outcome)
    {
        final Counter counter = Counter.builder("mk.2pc.transactions")
            .description("Transactions this core coordinated, by outcome")
            .tags(tags).tag("outcome", outcome)
            .register(registry);
        meters.add(counter);
        return counter;
    }

    private Counter counter(final Counter.Builder builder, final Tags tags)
    {
        final Counter counter = builder.tags(tags).register(registry);
        meters.add(counter);
        return counter;
    }

    private void gauge(final String name, final String description, final Tags tags, final AtomicLong value)
    {
        final Gauge stale = registry.find(name).tags(tags).gauge();
        if (null != stale)
        {
            // An earlier engine of this core died without closing: its gauge would read a dead value.
            registry.remove(stale);
        }
        meters.add(Gauge.builder(name, value, AtomicLong::get)
            .description(description).tags(tags).strongReference(true).register(registry));
    }

    void onCommitted(final long latencyNs)
    {
        committed.increment();
        commitLatency.record(latencyNs, TimeUnit.NANOSECONDS);
    }

    void onAborted()
    {
        aborted.increment();
    }

    void onIndefinite()
    {
        indefinite.increment();
    }

    void onRejected()
    {
        rejected.increment();
    }

    void onCooperativeDecision(final boolean commit)
    {
        (commit ? cooperativeCommits : cooperativeAborts).increment();
    }

    void onRefusal()
    {
        refusals.increment();
    }

    void onSnapshot()
    {
        snapshots.increment();
    }

    void onError(final ErrorKind kind)
    {
        errors.get(kind).increment();
    }

    long errorCount(final ErrorKind kind)
    {
        return (long)errors.get(kind).count();
    }

    void publish(final long inDoubtCount, final long locksHeldCount, final long inFlightCount)
    {
        inDoubt.lazySet(inDoubtCount);
        locksHeld.lazySet(locksHeldCount);
        inFlight.lazySet(inFlightCount);
    }

    void close()
    {
        meters.forEach(registry::remove);
    }
}
