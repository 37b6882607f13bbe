package io.multikernel.node.bench;

import io.multikernel.node.launcher.CpuPlacement;
import org.agrona.concurrent.NanoClock;

import java.nio.file.Path;

/**
 * What every {@link ReplicatedWriteSystem} of one benchmark run shares.
 *
 * @param runDirectory where each deployment gets a fresh directory of its own (data, logs).
 * @param keepData     keep each deployment's directory after it closes.
 * @param payloadBytes length of every write's value.
 * @param clock        for latencies, throughput and deadlines.
 * @param inflight     most writes outstanding in the throughput phase (a system sizes its client for it).
 * @param cpus         where our side's core processes and app run.
 */
public record ReplicatedWriteSettings(Path runDirectory, boolean keepData, int payloadBytes, NanoClock clock,
    int inflight, CpuPlacement cpus)
{
    /** Settings with every process placed by the operating system. */
    public ReplicatedWriteSettings(final Path runDirectory, final boolean keepData, final int payloadBytes,
        final NanoClock clock, final int inflight)
    {
        this(runDirectory, keepData, payloadBytes, clock, inflight, CpuPlacement.none());
    }
}
