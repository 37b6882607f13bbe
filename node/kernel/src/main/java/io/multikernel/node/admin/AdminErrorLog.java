package io.multikernel.node.admin;

import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs failures of the admin sources at most once per {@link AdminConfiguration#ERROR_LOG_INTERVAL_NS}
 * per endpoint, with how many were folded into that line. The stack trace goes to the log, never to
 * the HTTP client. Safe to call from any admin worker thread.
 */
final class AdminErrorLog
{
    private static final Logger LOG = LoggerFactory.getLogger(AdminErrorLog.class);

    private final NanoClock nanoClock;
    private final AtomicLong[] nextLogNsByEndpoint;
    private final AtomicLong[] unloggedByEndpoint;

    /**
     * @param nanoClock     for the log interval.
     * @param endpointCount routes of the server ({@link AdminEndpoints#count()}).
     */
    AdminErrorLog(final NanoClock nanoClock, final int endpointCount)
    {
        this.nanoClock = nanoClock;
        nextLogNsByEndpoint = new AtomicLong[endpointCount];
        unloggedByEndpoint = new AtomicLong[endpointCount];
        final long nowNs = nanoClock.nanoTime();
        for (int i = 0; i < endpointCount; i++)
        {
            nextLogNsByEndpoint[i] = new AtomicLong(nowNs);
            unloggedByEndpoint[i] = new AtomicLong();
        }
    }

    /**
     * @param endpoint whose source failed.
     * @param error    what it threw.
     * @return true when this failure was logged, false when it was only counted.
     */
    boolean onSourceError(final AdminEndpoint endpoint, final Throwable error)
    {
        final AtomicLong unlogged = unloggedByEndpoint[endpoint.index()];
        unlogged.incrementAndGet();
        final AtomicLong nextLogNs = nextLogNsByEndpoint[endpoint.index()];
        final long dueNs = nextLogNs.get();
        final long nowNs = nanoClock.nanoTime();
        if (nowNs - dueNs < 0 || !nextLogNs.compareAndSet(dueNs, nowNs + AdminConfiguration.ERROR_LOG_INTERVAL_NS))
        {
            return false;
        }
        final long count = unlogged.getAndSet(0);
        LOG.warn("admin {} source failed ({} failure(s) since the last report); answering 500",
            endpoint.tag(), count, error);
        return true;
    }
}
