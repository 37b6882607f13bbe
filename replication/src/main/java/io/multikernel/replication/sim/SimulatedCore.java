package io.multikernel.replication.sim;

import java.util.ArrayDeque;

import io.multikernel.replication.ReplicationEngine;
import io.multikernel.replication.StateMachine;
import io.multikernel.replication.wal.MemoryStorage;

/**
 * One simulated core: a disk that outlives crashes, and while up, a real engine over a fresh
 * replica rebuilt from that disk.
 *
 * @param <O> the operation type.
 * @param <R> the replica type.
 */
final class SimulatedCore<O, R extends StateMachine<O>>
{
    private final int id;
    private final MemoryStorage disk;
    private final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
    private ReplicationEngine<O> engine;
    private R replica;
    private long epoch;
    private long pausedUntilNs = Long.MIN_VALUE;
    private long downSinceNs;

    SimulatedCore(final int id)
    {
        this.id = id;
        this.disk = new MemoryStorage("core-" + id);
    }

    int id()
    {
        return id;
    }

    MemoryStorage disk()
    {
        return disk;
    }

    ArrayDeque<byte[]> inbox()
    {
        return inbox;
    }

    boolean isUp()
    {
        return null != engine;
    }

    boolean isPaused(final long nowNs)
    {
        return nowNs < pausedUntilNs;
    }

    void pauseUntil(final long untilNs)
    {
        pausedUntilNs = untilNs;
    }

    void resume()
    {
        pausedUntilNs = Long.MIN_VALUE;
    }

    long epoch()
    {
        return epoch;
    }

    long downSinceNs()
    {
        return downSinceNs;
    }

    ReplicationEngine<O> engine()
    {
        return engine;
    }

    R replica()
    {
        return replica;
    }

    void started(final ReplicationEngine<O> engine, final R replica)
    {
        this.engine = engine;
        this.replica = replica;
        this.epoch++;
    }

    /**
     * Drops the engine without closing it, as kill -9 or a power cut would.
     */
    void crashed(final long nowNs)
    {
        engine = null;
        replica = null;
        inbox.clear();
        pausedUntilNs = Long.MIN_VALUE;
        downSinceNs = nowNs;
        epoch++;
    }
}
