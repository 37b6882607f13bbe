package io.multikernel.node.bench;

import io.multikernel.replication.wal.FsyncPolicy;

/**
 * Our side of {@code mk bench 2pc}: R core JVMs over IPC committing replicated puts through
 * two-phase commit, driven from an application's LRPC client on the coordinator core.
 *
 * <p>Not built yet: the core does not host the replication engine and has no replicated put or
 * LRPC client to drive. Until it does, {@link #checkAvailable()} fails with a one-line reason, so
 * the benchmark refuses to start rather than print a made-up number.
 */
public final class MultikernelReplicatedWrites implements ReplicatedWriteSystem
{
    /** Name in output and JSON rows. */
    public static final String NAME = "multikernel";
    /** Why this side cannot run yet. */
    public static final String UNAVAILABLE = "the multikernel side of the benchmark is not available yet: the core " +
        "has no replicated put and no LRPC client to drive it; run with --systems zookeeper";

    /**
     * @throws IllegalStateException saying why the multikernel side cannot run.
     */
    public static void checkAvailable()
    {
        throw new IllegalStateException(UNAVAILABLE);
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public void start(final int replicas, final FsyncPolicy fsync)
    {
        checkAvailable();
    }

    @Override
    public LatencyPercentiles measureLatency(final int warmupOps, final int ops)
    {
        throw new IllegalStateException(UNAVAILABLE);
    }

    @Override
    public double measureThroughput(final int warmupOps, final int ops, final int inflight)
    {
        throw new IllegalStateException(UNAVAILABLE);
    }

    @Override
    public void close()
    {
    }
}
