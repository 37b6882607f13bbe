package io.multikernel.node.bench;

import org.agrona.concurrent.NanoClock;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives replicated writes into a ZooKeeper ensemble from this JVM: {@code setData} of a fixed
 * payload on one znode, either one at a time (latency) or asynchronously with a bounded number
 * outstanding (throughput). Each {@code setData} returns once the leader has committed it, that is
 * once a quorum has logged it.
 */
final class ZooKeeperWriteLoad implements AutoCloseable
{
    /** The znode every write goes to. */
    static final String ZNODE = "/mk-bench-2pc";
    /** Session timeout asked of the ensemble, ms (it grants at most 20 ticks). */
    static final int SESSION_TIMEOUT_MS = 4_000;
    /** How long connecting and the first write may take, s. */
    static final long CONNECT_TIMEOUT_S = 30;
    /** How long the latency phase (warmup included) may take before it fails, s. */
    static final long PHASE_TIMEOUT_S = 600;
    /** The longest latency the histogram records exactly, ns; slower writes are recorded as this. */
    static final long LATENCY_MAX_NS = TimeUnit.SECONDS.toNanos(30);

    private final ZooKeeper zooKeeper;
    private final byte[] payload;
    private final NanoClock clock;

    private ZooKeeperWriteLoad(final ZooKeeper zooKeeper, final byte[] payload, final NanoClock clock)
    {
        this.zooKeeper = zooKeeper;
        this.payload = payload;
        this.clock = clock;
    }

    /**
     * Connects and creates (or overwrites) the benchmark's znode, which proves a quorum commits writes.
     *
     * @param connectString servers to connect to.
     * @param payloadBytes  length of every write's data.
     * @param clock         for latencies and deadlines.
     * @return a connected load driver.
     * @throws IOException when no session is established or the first write fails within {@link #CONNECT_TIMEOUT_S}.
     */
    static ZooKeeperWriteLoad connect(final String connectString, final int payloadBytes, final NanoClock clock)
        throws IOException, InterruptedException
    {
        final CountDownLatch connected = new CountDownLatch(1);
        final ZooKeeper zooKeeper = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, event ->
        {
            if (Watcher.Event.KeeperState.SyncConnected == event.getState())
            {
                connected.countDown();
            }
        });
        final ZooKeeperWriteLoad load = new ZooKeeperWriteLoad(zooKeeper, payload(payloadBytes), clock);
        try
        {
            if (!connected.await(CONNECT_TIMEOUT_S, TimeUnit.SECONDS))
            {
                throw new IOException("no zookeeper session with " + connectString + " within " + CONNECT_TIMEOUT_S + " s");
            }
            load.createZnode(connectString);
            return load;
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            load.close();
            throw ex;
        }
    }

    static byte[] payload(final int length)
    {
        final byte[] payload = new byte[length];
        for (int i = 0; i < length; i++)
        {
            payload[i] = (byte)('a' + i % 26);
        }
        return payload;
    }

    private void createZnode(final String connectString) throws IOException, InterruptedException
    {
        try
        {
            zooKeeper.create(ZNODE, payload, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        catch (final KeeperException.NodeExistsException ex)
        {
            setData();
        }
        catch (final KeeperException ex)
        {
            throw new IOException("the first write to " + connectString + " failed: " + ex.getMessage(), ex);
        }
    }

    private void setData() throws IOException, InterruptedException
    {
        try
        {
            zooKeeper.setData(ZNODE, payload, -1);
        }
        catch (final KeeperException ex)
        {
            throw new IOException("zookeeper setData failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * @param warmupOps writes before measuring.
     * @param ops       measured writes.
     * @return latency percentiles of the measured writes.
     */
    LatencyPercentiles measureLatency(final int warmupOps, final int ops) throws IOException, InterruptedException
    {
        return LatencyPercentiles.oneAtATime(clock, warmupOps, ops, LATENCY_MAX_NS, PHASE_TIMEOUT_S, this::setData);
    }

    /**
     * @param durationNs how long new writes are submitted, ns.
     * @param inflight   most writes outstanding.
     * @return committed writes per second, from the first submission to the last commit.
     */
    double measureThroughput(final long durationNs, final int inflight) throws IOException, InterruptedException
    {
        final long startNs = clock.nanoTime();
        final long endNs = startNs + durationNs;
        final Semaphore window = new Semaphore(inflight);
        final AtomicLong failures = new AtomicLong();
        final AtomicInteger firstFailure = new AtomicInteger(KeeperException.Code.OK.intValue());
        final AsyncCallback.StatCallback callback = (rc, path, ctx, stat) ->
        {
            if (KeeperException.Code.OK.intValue() != rc)
            {
                failures.incrementAndGet();
                firstFailure.compareAndSet(KeeperException.Code.OK.intValue(), rc);
            }
            window.release();
        };
        long submitted = 0;
        while (window.tryAcquire(remainingNs(endNs), TimeUnit.NANOSECONDS))
        {
            zooKeeper.setData(ZNODE, payload, -1, callback, null);
            submitted++;
            if (clock.nanoTime() - endNs >= 0)
            {
                break;
            }
        }
        final long drainTimeoutS = ReplicatedWriteSystem.THROUGHPUT_DRAIN_TIMEOUT_S;
        if (!window.tryAcquire(inflight, TimeUnit.SECONDS.toNanos(drainTimeoutS), TimeUnit.NANOSECONDS))
        {
            throw new IOException((inflight - window.availablePermits()) + " of " + submitted + " pipelined writes " +
                "were still outstanding " + drainTimeoutS + " s after the phase ended");
        }
        final long elapsedNs = Math.max(1, clock.nanoTime() - startNs);
        if (failures.get() > 0)
        {
            throw new IOException(failures.get() + " of " + submitted + " zookeeper writes failed, the first with " +
                KeeperException.Code.get(firstFailure.get()));
        }
        return submitted * 1e9 / elapsedNs;
    }

    private long remainingNs(final long deadlineNs)
    {
        return Math.max(0, deadlineNs - clock.nanoTime());
    }

    @Override
    public void close()
    {
        try
        {
            zooKeeper.close();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
