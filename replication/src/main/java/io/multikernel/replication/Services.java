package io.multikernel.replication;

import java.util.Random;

import org.agrona.concurrent.NanoClock;

/**
 * What the coordinator and participant roles of one engine share: identity, the log, the outbox,
 * the durability queue, errors, metrics and the current time. Owned by the engine's thread.
 */
final class Services
{
    final int coreId;
    final ReplicationContext<?> context;
    final NanoClock clock;
    final Random random;
    final DurabilityQueue durability = new DurabilityQueue();
    final Outbox outbox;
    final ErrorReporter errors;
    final ReplicationMetrics metrics;
    final ReplicationObserver observer;
    long incarnation;
    LogRecords log;
    long nowNs;

    Services(final ReplicationContext<?> context, final ErrorReporter errors, final ReplicationMetrics metrics)
    {
        this.coreId = context.coreId();
        this.context = context;
        this.clock = context.nanoClock();
        this.random = context.random();
        this.errors = errors;
        this.metrics = metrics;
        this.observer = context.observer();
        this.outbox = new Outbox(coreId, context.network(), context.maxBatchMessages(), context.maxBatchLengthBytes(),
            context.maxSendAttempts(), errors);
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
