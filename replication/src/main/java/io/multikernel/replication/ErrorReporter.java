package io.multikernel.replication;

import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts every operating error by kind and logs each kind at most once per ERROR_LOG_INTERVAL_NS,
 * saying how many were suppressed since the last line.
 */
final class ErrorReporter
{
    private static final Logger LOG = LoggerFactory.getLogger(ErrorReporter.class);

    private final Map<ErrorKind, Counter> counters = new EnumMap<>(ErrorKind.class);
    private final long[] lastLogNs = new long[ErrorKind.values().length];
    private final long[] suppressed = new long[ErrorKind.values().length];
    private final boolean[] logged = new boolean[ErrorKind.values().length];
    private final NanoClock clock;
    private final long intervalNs;
    private final int coreId;

    ErrorReporter(
        final MeterRegistry registry, final Tags tags, final NanoClock clock, final long intervalNs, final int coreId)
    {
        this.clock = clock;
        this.intervalNs = intervalNs;
        this.coreId = coreId;
        for (final ErrorKind kind : ErrorKind.values())
        {
            counters.put(kind, Counter.builder("mk.2pc.errors")
                .description("Operating errors of the 2PC engine, by kind")
                .tags(tags).tag("kind", kind.name().toLowerCase())
                .register(registry));
        }
    }

    void report(final ErrorKind kind, final String message)
    {
        counters.get(kind).increment();
        final int index = kind.ordinal();
        final long nowNs = clock.nanoTime();
        if (!logged[index] || nowNs - lastLogNs[index] >= intervalNs)
        {
            final String more = suppressed[index] > 0 ? " (" + suppressed[index] + " more since the last report)" : "";
            LOG.warn("core {}: {}: {}{}", coreId, kind, message, more);
            logged[index] = true;
            lastLogNs[index] = nowNs;
            suppressed[index] = 0;
        }
        else
        {
            suppressed[index]++;
        }
    }

    long count(final ErrorKind kind)
    {
        return (long)counters.get(kind).count();
    }

    void removeFrom(final MeterRegistry registry)
    {
        for (final Meter meter : counters.values())
        {
            registry.remove(meter);
        }
    }
}
