package io.multikernel.replication;

import java.util.Random;

import io.multikernel.common.RateLimitedErrorLog;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the coordinator and participant roles of one engine share: identity, the log, the outbox,
 * the durability queue, error reporting, metrics and the current time. Owned by the engine's thread.
 */
final class Services
{
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationEngine.class);

    final int coreId;
    final ReplicationContext<?> context;
    final NanoClock clock;
    final Random random;
    final DurabilityQueue durability = new DurabilityQueue();
    final Outbox outbox;
    final ReplicationMetrics metrics;
    final ReplicationObserver observer;
    final PeerCommits peerCommits;
    long incarnation;
    LogRecords log;
    long nowNs;
    private final RateLimitedErrorLog errorLog;
    private final String errorFormat;

    Services(final ReplicationContext<?> context, final ReplicationMetrics metrics)
    {
        this.coreId = context.coreId();
        this.context = context;
        this.clock = context.nanoClock();
        this.random = context.random();
        this.metrics = metrics;
        this.errorLog = new RateLimitedErrorLog(LOG, clock, context.errorLogIntervalNs(), ErrorKind.values().length);
        this.errorFormat = "core " + coreId + ": {}: {}";
        this.observer = context.observer();
        this.peerCommits = new PeerCommits(coreId);
        this.outbox = new Outbox(coreId, context.network(), context.maxBatchMessages(), context.maxBatchLengthBytes(),
            context.maxSendAttempts(), this::reportError);
    }

    /**
     * An operating error: counted in {@code mk.2pc.errors{kind}}, and logged unless its kind was
     * logged less than ERROR_LOG_INTERVAL_NS ago.
     */
    void reportError(final ErrorKind kind, final String message)
    {
        metrics.onError(kind);
        errorLog.warn(kind, errorFormat, kind, message);
    }

    /** Logged at ERROR every time, whatever the rate limit: it happens once per incarnation. */
    void logLostTransaction(final String divergence)
    {
        LOG.error("core {}: replicas diverged: {}", coreId, divergence);
    }

    /**
     * Takes the caller's time for a duty cycle, never moving back: a caller reads its clock at the
     * start of its cycle, and a proposal earlier in that cycle may have read it later (a transaction's
     * start must not come after the time its commit is seen).
     */
    void advanceTo(final long callerNowNs)
    {
        if (callerNowNs - nowNs > 0)
        {
            nowNs = callerNowNs;
        }
    }

    /**
     * Reads the clock once for the current entry point.
     */
    long tick()
    {
        nowNs = clock.nanoTime();
        return nowNs;
    }

    /**
     * @return {@code intervalNs} plus up to half of it again, at random, so that retries from many
     * cores do not fall into step.
     */
    long jittered(final long intervalNs)
    {
        return intervalNs + (long)(random.nextDouble() * (intervalNs / 2));
    }
}
