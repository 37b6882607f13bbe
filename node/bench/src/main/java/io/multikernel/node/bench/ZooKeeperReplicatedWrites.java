package io.multikernel.node.bench;

import io.multikernel.replication.wal.FsyncPolicy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Locale;

/**
 * ZooKeeper as the peer system: an ensemble of separate server JVMs on loopback
 * ({@link ZooKeeperEnsemble}) and a client in this JVM ({@link ZooKeeperWriteLoad}) connected to
 * the leader, so each write skips the follower-to-leader hop (ZooKeeper's best case).
 *
 * <p>fsync mapping: our {@code none} runs with {@code zookeeper.forceSync=no}; {@code group} and
 * {@code always} with {@code forceSync=yes}. ZooKeeper always group-commits (its sync processor
 * flushes a batch of transactions with one fsync), so it has no per-write-fsync mode to match
 * {@code always}.
 */
public final class ZooKeeperReplicatedWrites implements ReplicatedWriteSystem
{
    /** Name in output and JSON rows. */
    public static final String NAME = "zookeeper";
    /** ZooKeeper is measured as a three-server ensemble whatever replica counts ours runs at. */
    public static final int ENSEMBLE_SERVERS = 3;

    private final ReplicatedWriteSettings settings;
    private ZooKeeperEnsemble ensemble;
    private ZooKeeperWriteLoad load;

    public ZooKeeperReplicatedWrites(final ReplicatedWriteSettings settings)
    {
        this.settings = settings;
    }

    /**
     * @param fsync our policy.
     * @return the {@code zookeeper.forceSync} setting that matches it.
     */
    public static boolean forceSync(final FsyncPolicy fsync)
    {
        return FsyncPolicy.NONE != fsync;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public void start(final int replicas, final FsyncPolicy fsync) throws Exception
    {
        if (null != ensemble)
        {
            throw new IllegalStateException("this zookeeper deployment was already started");
        }
        Files.createDirectories(settings.runDirectory());
        ensemble = ZooKeeperEnsemble.start(new ZooKeeperEnsemble.Context()
            .directory(Files.createTempDirectory(settings.runDirectory(),
                "zookeeper-" + fsync.name().toLowerCase(Locale.ROOT) + "-"))
            .servers(replicas)
            .forceSync(forceSync(fsync))
            .keepData(settings.keepData())
            .nanoClock(settings.clock()));
        load = ZooKeeperWriteLoad.connect(ensemble.leaderConnectString(), settings.payloadBytes(), settings.clock());
    }

    @Override
    public LatencyPercentiles measureLatency(final int warmupOps, final int ops) throws Exception
    {
        return started().measureLatency(warmupOps, ops);
    }

    @Override
    public double measureThroughput(final long durationNs, final int inflight) throws Exception
    {
        return started().measureThroughput(durationNs, inflight);
    }

    private ZooKeeperWriteLoad started() throws IOException
    {
        if (null == load)
        {
            throw new IllegalStateException("the zookeeper deployment is not started");
        }
        return load;
    }

    @Override
    public void close()
    {
        if (null != load)
        {
            load.close();
            load = null;
        }
        if (null != ensemble)
        {
            ensemble.close();
            ensemble = null;
        }
    }
}
