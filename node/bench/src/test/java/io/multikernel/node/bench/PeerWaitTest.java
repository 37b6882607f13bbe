package io.multikernel.node.bench;

import io.multikernel.transport.Media;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A ping-pong side gives up on a peer that stopped answering, and payloads fit one raw frame. */
class PeerWaitTest
{
    @Test
    void aWaitEndsWithOneSentenceOnceItsBoundHasPassed() throws InterruptedException
    {
        final PeerWait wait = new PeerWait("echo", TimeUnit.MILLISECONDS.toNanos(20));
        wait.start();
        for (int i = 0; i < 10 * PeerWait.SPINS_PER_CLOCK_READ; i++)
        {
            wait.check();
        }
        Thread.sleep(30);
        assertThatThrownBy(() ->
        {
            for (int i = 0; i < 2 * PeerWait.SPINS_PER_CLOCK_READ; i++)
            {
                wait.check();
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("no echo from the other side within 20 ms");

        wait.start();
        for (int i = 0; i < 2 * PeerWait.SPINS_PER_CLOCK_READ; i++)
        {
            wait.check();
        }
    }

    @Test
    void aPayloadMustFitOneRawFrameOfTheChannel()
    {
        assertThat(UrpcBenchmark.payloadProblem(Media.UDP, 256 * 1024, 1_368)).isNull();
        assertThat(UrpcBenchmark.payloadProblem(Media.UDP, 256 * 1024, 1_369)).contains("1368 bytes in one frame");
        assertThat(UrpcBenchmark.payloadProblem(Media.IPC, 256 * 1024, 16_384)).as("IPC frames are URPC's: 32 KiB")
            .isNull();
        assertThat(UrpcBenchmark.payloadProblem(Media.IPC, 64 * 1024, 16_384)).contains("8152 bytes in one frame");
    }
}
