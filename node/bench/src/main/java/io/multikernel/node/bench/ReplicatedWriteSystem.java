package io.multikernel.node.bench;

import io.multikernel.replication.wal.FsyncPolicy;

/**
 * A system that replicates a small write to a set of replicas and answers once the write is
 * committed: our cores (a replicated put through two-phase commit) or a peer system such as
 * ZooKeeper ({@code setData} through its atomic broadcast). {@link ReplicatedWriteBenchmark} drives
 * each the same way: start, measure latency with one write outstanding, measure throughput with
 * many, close.
 *
 * <p>One instance runs one deployment: {@link #start} once, then the measurements, then
 * {@link #close}, which must stop every process it started and may be called after a failed start.
 */
public interface ReplicatedWriteSystem extends AutoCloseable
{
    /** How long the writes still outstanding when a throughput phase ends may take, s. */
    long THROUGHPUT_DRAIN_TIMEOUT_S = 60;

    /**
     * @return the name used in output and JSON rows, e.g. {@code zookeeper}.
     */
    String name();

    /**
     * Starts the replicas and returns once a write commits.
     *
     * @param replicas how many replicas each write goes to.
     * @param fsync    our fsync policy; a peer system maps it to its closest setting.
     * @throws Exception when a replica does not come up; the message names it and where its log is.
     */
    void start(int replicas, FsyncPolicy fsync) throws Exception;

    /**
     * Writes one at a time: {@code warmupOps} unmeasured, then {@code ops} measured.
     *
     * @param warmupOps writes before measuring.
     * @param ops       measured writes, at least 1.
     * @return the commit latency percentiles.
     * @throws Exception when a write fails or the phase overruns its time limit.
     */
    LatencyPercentiles measureLatency(int warmupOps, int ops) throws Exception;

    /**
     * Writes with up to {@code inflight} outstanding (pipelined) for {@code durationNs}, then waits
     * for the outstanding ones. Also the warm-up: a run whose result is dropped.
     *
     * @param durationNs how long new writes are submitted, ns, at least 1.
     * @param inflight   most writes outstanding at once, at least 1.
     * @return committed writes per second, from the first submission to the last commit.
     * @throws Exception when a write fails or the outstanding writes do not finish within a bound.
     */
    double measureThroughput(long durationNs, int inflight) throws Exception;

    /**
     * Stops every process this instance started and removes their data unless asked to keep it.
     */
    @Override
    void close();
}
