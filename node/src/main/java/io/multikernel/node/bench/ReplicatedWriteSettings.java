package io.multikernel.node.bench;

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
 */
public record ReplicatedWriteSettings(Path runDirectory, boolean keepData, int payloadBytes, NanoClock clock,
    int inflight)
{
}
