package io.multikernel.transport;

import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;

/**
 * Logs operating errors once per kind and interval: the first occurrence of a kind is logged at
 * once, later ones at most once per {@code intervalNs} with the count suppressed in between.
 * Counters carry the exact totals; this only keeps the log readable under a flood of bad input.
 * Single-threaded, like the agent that owns it.
 */
public final class RateLimitedLog
{
    /** Default interval between two log lines of the same kind, nanoseconds. */
    public static final long LOG_INTERVAL_DEFAULT_NS = 10_000_000_000L;

    private final Logger logger;
    private final NanoClock clock;
    private final long intervalNs;
    private final long[] nextLogNs;
    private final long[] suppressed;

    /**
     * @param logger     to write to.
     * @param clock      injected time source.
     * @param intervalNs least time between two lines of the same kind.
     * @param kinds      number of distinct kinds (e.g. an enum's value count).
     */
    public RateLimitedLog(final Logger logger, final NanoClock clock, final long intervalNs, final int kinds)
    {
        this.logger = logger;
        this.clock = clock;
        this.intervalNs = intervalNs;
        this.nextLogNs = new long[kinds];
        this.suppressed = new long[kinds];
        java.util.Arrays.fill(nextLogNs, Long.MIN_VALUE);
    }

    /**
     * @param kind    index of the kind of event.
     * @param message format with up to two {@code {}} placeholders.
     * @param arg1    first argument.
     * @param arg2    second argument.
     * @return true if a line was written.
     */
    public boolean warn(final int kind, final String message, final Object arg1, final Object arg2)
    {
        final long nowNs = clock.nanoTime();
        if (Long.MIN_VALUE != nextLogNs[kind] && nowNs - nextLogNs[kind] < 0)
        {
            suppressed[kind]++;
            return false;
        }
        nextLogNs[kind] = nowNs + intervalNs;
        if (suppressed[kind] > 0)
        {
            logger.warn(message + " ({} similar suppressed)", arg1, arg2, suppressed[kind]);
            suppressed[kind] = 0;
        }
        else
        {
            logger.warn(message, arg1, arg2);
        }
        return true;
    }
}
