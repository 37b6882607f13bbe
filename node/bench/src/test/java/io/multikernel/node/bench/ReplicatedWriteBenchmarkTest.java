package io.multikernel.node.bench;

import java.nio.file.Path;
import java.util.List;

import io.multikernel.replication.wal.FsyncPolicy;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

import static io.multikernel.node.bench.ReplicatedWriteSystems.MULTIKERNEL;
import static io.multikernel.node.bench.ReplicatedWriteSystems.ZOOKEEPER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order deployments run in.
 */
class ReplicatedWriteBenchmarkTest
{
    @Test
    void repeatsOfTheTwoSystemsInterleaveWithinEachFsyncSetting()
    {
        final ReplicatedWriteBenchmark.Config config = new ReplicatedWriteBenchmark.Config(
            List.of(MULTIKERNEL, ZOOKEEPER), List.of(FsyncPolicy.NONE, FsyncPolicy.GROUP), List.of(3, 4),
            1000, 100, 7, 5, 256, 32, 2, Path.of("run"), false, new SystemNanoClock());

        assertThat(ReplicatedWriteBenchmark.schedule(config)).containsExactly(
            new ReplicatedWriteBenchmark.Run(MULTIKERNEL, FsyncPolicy.NONE, 3, 1),
            new ReplicatedWriteBenchmark.Run(MULTIKERNEL, FsyncPolicy.NONE, 4, 1),
            new ReplicatedWriteBenchmark.Run(ZOOKEEPER, FsyncPolicy.NONE, 3, 1),
            new ReplicatedWriteBenchmark.Run(MULTIKERNEL, FsyncPolicy.NONE, 3, 2),
            new ReplicatedWriteBenchmark.Run(MULTIKERNEL, FsyncPolicy.NONE, 4, 2),
            new ReplicatedWriteBenchmark.Run(ZOOKEEPER, FsyncPolicy.NONE, 3, 2),
            new ReplicatedWriteBenchmark.Run(MULTIKERNEL, FsyncPolicy.GROUP, 3, 1),
            new ReplicatedWriteBenchmark.Run(MULTIKERNEL, FsyncPolicy.GROUP, 4, 1),
            new ReplicatedWriteBenchmark.Run(ZOOKEEPER, FsyncPolicy.GROUP, 3, 1),
            new ReplicatedWriteBenchmark.Run(MULTIKERNEL, FsyncPolicy.GROUP, 3, 2),
            new ReplicatedWriteBenchmark.Run(MULTIKERNEL, FsyncPolicy.GROUP, 4, 2),
            new ReplicatedWriteBenchmark.Run(ZOOKEEPER, FsyncPolicy.GROUP, 3, 2));
    }
}
