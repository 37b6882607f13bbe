package io.multikernel.node.bench;

import io.multikernel.replication.wal.FsyncPolicy;

import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * One row of {@code mk bench 2pc}: one system at one fsync setting and replica count.
 *
 * @param system          {@code multikernel} or {@code zookeeper}.
 * @param fsync           our fsync setting the row was measured at.
 * @param replicas        replicas per write.
 * @param p50Ns           median commit latency with one write outstanding, ns.
 * @param p99Ns           99th percentile of the same, ns.
 * @param throughputPerS  committed writes per second with pipelining.
 */
public record ReplicatedWriteResult(
    String system, FsyncPolicy fsync, int replicas, long p50Ns, long p99Ns, double throughputPerS)
{
    /**
     * The per-field median of repeated runs of one configuration; single runs on a small machine
     * swing with whatever else runs.
     *
     * @param runs at least one, all of the same system, fsync and replicas.
     * @return the medians (upper median for an even count).
     */
    public static ReplicatedWriteResult median(final List<ReplicatedWriteResult> runs)
    {
        if (runs.isEmpty())
        {
            throw new IllegalArgumentException("no runs to take the median of");
        }
        final ReplicatedWriteResult first = runs.get(0);
        for (final ReplicatedWriteResult run : runs)
        {
            if (!run.system.equals(first.system) || run.fsync != first.fsync || run.replicas != first.replicas)
            {
                throw new IllegalArgumentException("runs of different configurations: " + first + " and " + run);
            }
        }
        return new ReplicatedWriteResult(first.system, first.fsync, first.replicas,
            medianLong(runs, ReplicatedWriteResult::p50Ns), medianLong(runs, ReplicatedWriteResult::p99Ns),
            medianDouble(runs, ReplicatedWriteResult::throughputPerS));
    }

    private static long medianLong(final List<ReplicatedWriteResult> runs, final ToLongFunction<ReplicatedWriteResult> field)
    {
        return runs.stream().mapToLong(field).sorted().toArray()[runs.size() / 2];
    }

    private static double medianDouble(final List<ReplicatedWriteResult> runs, final ToDoubleFunction<ReplicatedWriteResult> field)
    {
        return runs.stream().mapToDouble(field).sorted().toArray()[runs.size() / 2];
    }
}
