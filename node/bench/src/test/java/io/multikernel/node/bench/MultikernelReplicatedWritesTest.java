package io.multikernel.node.bench;

import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The multikernel side's settings for its cores, and its refusals before it has started.
 */
class MultikernelReplicatedWritesTest
{
    @TempDir
    Path dir;

    @Test
    void coresGetAnLrpcWindowForTheInflightWritesAndAVoteTimeoutThatHoldsUnderLoad()
    {
        assertThat(MultikernelReplicatedWrites.coreJvmOptions(3, 32, 256)).contains(
            "-Dmk.lrpc.outstanding.max=256", "-Dmk.lrpc.message.length.max=1024", "-Dmk.lrpc.client.slots=2",
            "-Dmk.replication.prepare.timeout=2s", "-Xms128m", "-Xmn64m");
        assertThat(MultikernelReplicatedWrites.coreJvmOptions(3, 32, 1)).contains("-Dmk.lrpc.outstanding.max=128");
        assertThat(MultikernelReplicatedWrites.coreJvmOptions(3, 32, 1000)).contains("-Dmk.lrpc.outstanding.max=1024");
        assertThat(MultikernelReplicatedWrites.coreJvmOptions(64, 4096, 4096)).contains(
            "-Dmk.lrpc.outstanding.max=4096", "-Dmk.lrpc.message.length.max=" + (128 + 4 * 64 + 4096));
    }

    @Test
    void measuringBeforeStartIsRefusedAndCloseIsHarmless()
    {
        try (MultikernelReplicatedWrites system = new MultikernelReplicatedWrites(
            new ReplicatedWriteSettings(dir, false, 32, new SystemNanoClock(), 16)))
        {
            assertThat(system.name()).isEqualTo("multikernel");
            assertThatThrownBy(() -> system.measureLatency(0, 1)).hasMessage("the multikernel deployment is not started");
            assertThatThrownBy(() -> system.measureThroughput(1, 1)).hasMessage("the multikernel deployment is not started");
        }
    }
}
