package io.multikernel.common;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;

/**
 * The one rate-limited log of operating errors (bad frames, back pressure, peers going away): each
 * distinct error, named by a key such as an enum constant, is logged the first time it happens; its
 * repeats are logged at most once per interval, and the line after a quiet spell says how many were
 * suppressed since the line before. Counters (each owner's metrics) carry the exact totals; this only
 * keeps the log readable under a flood of bad input.
 * <p>
 * Memory is bounded: at most {@code distinctKeysMax} keys get a rate limit of their own. Errors with
 * further keys share one overflow limit, so a flood of ever-new keys still writes at most one line per
 * interval; {@link #overflowCount()} counts them.
 * <p>
 * Why not Agrona's {@code DistinctErrorLog}: it records {@code Throwable}s (type, message and stack
 * trace) with their counts into a shared buffer that a separate tool reads, as Aeron's CnC error log
 * does. Our operating errors are not exceptions (building one per bad frame would cost a stack walk on
 * the path a flood takes), nothing here reads such a buffer, and operators read the core's log. The
 * idea is the same: distinct errors once, repeats counted.
 * <p>
 * Time comes from the injected clock. Not thread safe: owned by one agent, like the state whose errors
 * it logs.
 */
public final class RateLimitedErrorLog
{
    /** INTERVAL_DEFAULT_NS: least time between two lines of one error, unless the owner configures another. */
    public static final long INTERVAL_DEFAULT_NS = 10_000_000_000L;
    /** DISTINCT_KEYS_DEFAULT_MAX: errors with a rate limit of their own, unless the owner says otherwise. */
    public static final int DISTINCT_KEYS_DEFAULT_MAX = 256;
    /** DISTINCT_KEYS_LIMIT_MAX: the most any owner may ask for; bounds this log's memory. */
    public static final int DISTINCT_KEYS_LIMIT_MAX = 65_536;

    private static final String SUPPRESSED_SUFFIX = " ({} suppressed since the last line)";
    private static final String OVERFLOW_SUFFIX =
        " (more distinct errors than distinctKeysMax={}: rate-limited together; {} suppressed since the last line)";

    private final Logger logger;
    private final NanoClock clock;
    private final long intervalNs;
    private final int distinctKeysMax;
    private final Map<Object, Limit> limitByKey;
    private final Limit overflow = new Limit();
    private long overflowCount;

    /** The rate limit of one key. */
    private static final class Limit
    {
        boolean logged;
        long nextLineNs;
        long suppressed;
    }

    /**
     * {@link #RateLimitedErrorLog(Logger, NanoClock, long, int)} with {@link #DISTINCT_KEYS_DEFAULT_MAX}.
     */
    public RateLimitedErrorLog(final Logger logger, final NanoClock clock, final long intervalNs)
    {
        this(logger, clock, intervalNs, DISTINCT_KEYS_DEFAULT_MAX);
    }

    /**
     * @param logger          to write to (at WARN).
     * @param clock           injected time source.
     * @param intervalNs      least time between two lines of one error, nanoseconds; at least 1.
     * @param distinctKeysMax errors with a rate limit of their own, 1..{@link #DISTINCT_KEYS_LIMIT_MAX}.
     * @throws IllegalArgumentException naming a bound that is out of range.
     */
    public RateLimitedErrorLog(final Logger logger, final NanoClock clock, final long intervalNs, final int distinctKeysMax)
    {
        this.logger = Objects.requireNonNull(logger, "logger");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.intervalNs = Bounds.check("intervalNs", intervalNs, 1, Long.MAX_VALUE, "ns");
        this.distinctKeysMax = Bounds.check("distinctKeysMax", distinctKeysMax, 1, DISTINCT_KEYS_LIMIT_MAX);
        this.limitByKey = new HashMap<>(Math.min(distinctKeysMax, DISTINCT_KEYS_DEFAULT_MAX) * 2);
    }

    /**
     * @param key     which error this is; equal keys share one rate limit. Enum constants suit best.
     * @param message the line, written as it is (braces in it are not placeholders).
     * @return true when a line was written, false when the error was only counted as suppressed.
     */
    public boolean warn(final Object key, final String message)
    {
        return warn(key, "{}", message, null, 1);
    }

    /**
     * @param key    which error this is.
     * @param format SLF4J format with one {@code {}}.
     * @param arg    its argument.
     * @return true when a line was written.
     */
    public boolean warn(final Object key, final String format, final Object arg)
    {
        return warn(key, format, arg, null, 1);
    }

    /**
     * @param key    which error this is.
     * @param format SLF4J format with two {@code {}}.
     * @param arg1   first argument.
     * @param arg2   second argument.
     * @return true when a line was written.
     */
    public boolean warn(final Object key, final String format, final Object arg1, final Object arg2)
    {
        return warn(key, format, arg1, arg2, 2);
    }

    /**
     * @return errors logged or suppressed under the shared overflow limit because
     *         {@code distinctKeysMax} keys had a limit of their own already.
     */
    public long overflowCount()
    {
        return overflowCount;
    }

    /**
     * @return keys with a rate limit of their own, at most {@code distinctKeysMax}.
     */
    public int distinctKeys()
    {
        return limitByKey.size();
    }

    private boolean warn(final Object key, final String format, final Object arg1, final Object arg2, final int argCount)
    {
        final Limit limit = limitOf(key);
        final long nowNs = clock.nanoTime();
        if (limit.logged && nowNs - limit.nextLineNs < 0)
        {
            limit.suppressed++;
            return false;
        }
        limit.logged = true;
        limit.nextLineNs = nowNs + intervalNs;
        final long suppressed = limit.suppressed;
        limit.suppressed = 0;
        if (limit == overflow)
        {
            write(format + OVERFLOW_SUFFIX, arg1, arg2, argCount, distinctKeysMax, suppressed);
        }
        else if (suppressed > 0)
        {
            write(format + SUPPRESSED_SUFFIX, arg1, arg2, argCount, suppressed, null);
        }
        else
        {
            write(format, arg1, arg2, argCount, null, null);
        }
        return true;
    }

    private Limit limitOf(final Object key)
    {
        Limit limit = limitByKey.get(key);
        if (null == limit)
        {
            if (limitByKey.size() >= distinctKeysMax)
            {
                overflowCount++;
                return overflow;
            }
            limit = new Limit();
            limitByKey.put(key, limit);
        }
        return limit;
    }

    private void write(
        final String format, final Object arg1, final Object arg2, final int argCount, final Object extra1, final Object extra2)
    {
        if (1 == argCount)
        {
            logger.warn(format, arg1, extra1, extra2);
        }
        else
        {
            logger.warn(format, arg1, arg2, extra1, extra2);
        }
    }
}
