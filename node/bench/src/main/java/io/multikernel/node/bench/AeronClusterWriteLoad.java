package io.multikernel.node.bench;

import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Drives replicated writes into an Aeron Cluster from this JVM, through a media driver of its own
 * (shared threading) and an {@link AeronCluster} client: one write at a time (latency) or up to a
 * bound outstanding (throughput). A write is done when the leader's service answers it, that is
 * once a quorum has appended it to the replicated log and the service has applied it.
 *
 * <p>Keys: write i goes to key {@code k<i mod KEY_SPACE>}, the same shape as our side's writes.
 * One thread does everything (offer, poll the egress), yielding when a poll finds nothing.
 */
final class AeronClusterWriteLoad implements EgressListener, AutoCloseable
{
    /** Distinct keys written round robin. */
    static final int KEY_SPACE = 16_384;
    /** How long the first write may take to commit once the client is connected, s. */
    static final long FIRST_WRITE_TIMEOUT_S = 30;
    /** How long the latency phase (warmup included) may take before it fails, s. */
    static final long PHASE_TIMEOUT_S = 600;
    /** The longest latency the histogram records exactly, ns; slower writes are recorded as this. */
    static final long LATENCY_MAX_NS = TimeUnit.SECONDS.toNanos(30);
    /** How long one write may wait for its answer before the phase fails, s. */
    static final long WRITE_TIMEOUT_S = 10;

    private final MediaDriver driver;
    private final AeronCluster cluster;
    private final NanoClock clock;
    private final byte[] value;
    private final UnsafeBuffer write;
    private final IdleStrategy idle = new YieldingIdleStrategy();
    private long nextCorrelationId = 1;
    private long answered;
    private long lastAnsweredCorrelationId;
    private long unexpectedAnswers;

    private AeronClusterWriteLoad(final MediaDriver driver, final AeronCluster.Context context,
        final int payloadBytes, final NanoClock clock)
    {
        this.driver = driver;
        this.clock = clock;
        this.value = ZooKeeperWriteLoad.payload(payloadBytes);
        this.write = new UnsafeBuffer(new byte[AeronClusterKeyValueService.KEY_OFFSET + 16 + payloadBytes]);
        this.cluster = AeronCluster.connect(context.egressListener(this));
    }

    /**
     * Starts the client's media driver, connects to the cluster (retrying while it elects a leader)
     * and commits a first write.
     *
     * @param driverDirectory  the client driver's directory, deleted on close.
     * @param ingressEndpoints Aeron's {@code id=host:port,...} of every member's ingress.
     * @param payloadBytes     length of every write's value.
     * @param clock            for latencies and deadlines.
     * @param connectTimeoutNs how long connecting may take, ns.
     * @return a connected load driver.
     * @throws IOException when no connection or first commit happens in time.
     */
    static AeronClusterWriteLoad connect(final Path driverDirectory, final String ingressEndpoints,
        final int payloadBytes, final NanoClock clock, final long connectTimeoutNs)
        throws IOException, InterruptedException
    {
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(driverDirectory.toAbsolutePath().toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .publicationTermBufferLength(AeronClusterMemberProcess.TERM_LENGTH_BYTES)
            .ipcTermBufferLength(AeronClusterMemberProcess.TERM_LENGTH_BYTES)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final long deadlineNs = clock.nanoTime() + connectTimeoutNs;
        AeronException last = null;
        while (clock.nanoTime() - deadlineNs < 0)
        {
            try
            {
                final AeronClusterWriteLoad load = new AeronClusterWriteLoad(driver, new AeronCluster.Context()
                    .aeronDirectoryName(driver.aeronDirectoryName())
                    .ingressChannel("aeron:udp")
                    .ingressEndpoints(ingressEndpoints)
                    .egressChannel("aeron:udp?endpoint=127.0.0.1:0"), payloadBytes, clock);
                try
                {
                    load.writeAndAwait(TimeUnit.SECONDS.toNanos(FIRST_WRITE_TIMEOUT_S));
                    return load;
                }
                catch (final IOException | RuntimeException ex)
                {
                    CloseHelper.quietClose(load.cluster);
                    driver.close();
                    throw ex;
                }
            }
            catch (final AeronException ex)
            {
                // No leader yet (the members are still electing one): try again until the deadline.
                last = ex;
                Thread.sleep(100);
            }
        }
        driver.close();
        throw new IOException("no aeron cluster client connected to " + ingressEndpoints + " within " +
            TimeUnit.NANOSECONDS.toSeconds(connectTimeoutNs) + " s" + (null == last ? "" : ": " + last.getMessage()));
    }

    @Override
    public void onMessage(final long clusterSessionId, final long timestamp, final DirectBuffer buffer,
        final int offset, final int length, final Header header)
    {
        if (AeronClusterKeyValueService.ANSWER_LENGTH_BYTES != length)
        {
            unexpectedAnswers++;
            return;
        }
        final long correlationId = buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN);
        if (correlationId != lastAnsweredCorrelationId + 1)
        {
            unexpectedAnswers++;
        }
        lastAnsweredCorrelationId = correlationId;
        answered++;
    }

    /**
     * @return true when the write was offered, false under back pressure (try again after a poll).
     * @throws IOException when the client is closed or not connected.
     */
    private boolean tryWrite() throws IOException
    {
        final long correlationId = nextCorrelationId;
        final int length = AeronClusterKeyValueService.encodeWrite(write, correlationId,
            "k" + (correlationId % KEY_SPACE), value);
        final long result = cluster.offer(write, 0, length);
        if (result > 0)
        {
            nextCorrelationId++;
            return true;
        }
        if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result)
        {
            return false;
        }
        throw new IOException("the aeron cluster client could not offer a write: " + Publication.errorString(result));
    }

    private long outstanding()
    {
        return nextCorrelationId - 1 - answered;
    }

    private void writeAndAwait(final long timeoutNs) throws IOException
    {
        final long deadlineNs = clock.nanoTime() + timeoutNs;
        idle.reset();
        while (!tryWrite())
        {
            idle.idle(cluster.pollEgress());
            checkDeadline(deadlineNs, timeoutNs);
        }
        idle.reset();
        while (outstanding() > 0)
        {
            idle.idle(cluster.pollEgress());
            checkDeadline(deadlineNs, timeoutNs);
        }
        checkAnswers();
    }

    private void checkDeadline(final long deadlineNs, final long timeoutNs) throws IOException
    {
        if (clock.nanoTime() - deadlineNs >= 0)
        {
            throw new IOException("write " + (answered + 1) + " to the aeron cluster was not answered within " +
                TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
        }
    }

    private void checkAnswers() throws IOException
    {
        if (unexpectedAnswers > 0)
        {
            throw new IOException(unexpectedAnswers + " answers from the aeron cluster were out of order or malformed");
        }
    }

    /**
     * @param warmupOps writes before measuring.
     * @param ops       measured writes.
     * @return latency percentiles of the measured writes.
     */
    LatencyPercentiles measureLatency(final int warmupOps, final int ops) throws IOException, InterruptedException
    {
        return LatencyPercentiles.oneAtATime(clock, warmupOps, ops, LATENCY_MAX_NS, PHASE_TIMEOUT_S,
            () -> writeAndAwait(TimeUnit.SECONDS.toNanos(WRITE_TIMEOUT_S)));
    }

    /**
     * @param durationNs how long new writes are submitted, ns.
     * @param inflight   most writes outstanding.
     * @return committed writes per second, from the first submission to the last commit.
     */
    double measureThroughput(final long durationNs, final int inflight) throws IOException
    {
        final long startNs = clock.nanoTime();
        final long endNs = startNs + durationNs;
        final long answeredBefore = answered;
        idle.reset();
        while (clock.nanoTime() - endNs < 0)
        {
            int work = 0;
            while (outstanding() < inflight && tryWrite())
            {
                work++;
            }
            work += cluster.pollEgress();
            idle.idle(work);
        }
        final long drainTimeoutS = ReplicatedWriteSystem.THROUGHPUT_DRAIN_TIMEOUT_S;
        final long drainDeadlineNs = clock.nanoTime() + TimeUnit.SECONDS.toNanos(drainTimeoutS);
        while (outstanding() > 0)
        {
            if (clock.nanoTime() - drainDeadlineNs >= 0)
            {
                throw new IOException(outstanding() + " pipelined writes were still outstanding " + drainTimeoutS +
                    " s after the phase ended");
            }
            idle.idle(cluster.pollEgress());
        }
        checkAnswers();
        final long elapsedNs = Math.max(1, clock.nanoTime() - startNs);
        return (answered - answeredBefore) * 1e9 / elapsedNs;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(cluster, driver);
    }
}
