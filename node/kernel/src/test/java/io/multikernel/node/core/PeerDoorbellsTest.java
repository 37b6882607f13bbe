package io.multikernel.node.core;

import io.multikernel.schema.HeartbeatEncoder;
import io.multikernel.schema.HelloEncoder;
import io.multikernel.schema.PingEncoder;
import io.multikernel.schema.PongEncoder;
import io.multikernel.schema.SkbRowEncoder;
import io.multikernel.transport.Doorbell;
import io.multikernel.transport.DoorbellRinger;
import io.multikernel.transport.UrpcPublisher;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which sends ring a peer: work (probes and held frames included) after a quiet spell of half the
 * peers' doze delay, once per peer per duty cycle, measured from the start of the cycle that last
 * sent work; never heartbeats, SKB rows or probe answers; never a peer without a doorbell; a ring
 * that cannot be sent is counted, not thrown.
 */
@Timeout(30)
class PeerDoorbellsTest
{
    private static final long DOZE_AFTER_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int WORK = HelloEncoder.TEMPLATE_ID;

    private static final class ManualClock implements NanoClock
    {
        long nowNs = 1_000_000_000L;

        public long nanoTime()
        {
            return nowNs;
        }
    }

    private final ManualClock clock = new ManualClock();
    private Doorbell peer1;
    private Doorbell peer2;
    private PeerDoorbells doorbells;

    @BeforeEach
    void open() throws IOException
    {
        peer1 = Doorbell.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        peer2 = Doorbell.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        final InetSocketAddress[] byCore = {null, peer1.localAddress(), peer2.localAddress(),
            InetSocketAddress.createUnresolved("no-such-host.invalid", 9)};
        doorbells = new PeerDoorbells(byCore, DOZE_AFTER_NS, clock, new DoorbellRinger());
    }

    @AfterEach
    void close()
    {
        doorbells.close();
        peer1.close();
        peer2.close();
    }

    @Test
    void heartbeatsSkbRowsAndProbeAnswersNeverRing() throws IOException
    {
        for (final int template : new int[]{HeartbeatEncoder.TEMPLATE_ID, SkbRowEncoder.TEMPLATE_ID,
            PongEncoder.TEMPLATE_ID})
        {
            assertThat(PeerDoorbells.ringless(template)).isTrue();
            doorbells.onSent(1, template);
        }
        assertThat(doorbells.ringAfterFlush(clock.nowNs)).isZero();
        assertThat(rungWithin(peer1, 50)).isFalse();
        for (final int template : new int[]{WORK, PingEncoder.TEMPLATE_ID, UrpcPublisher.SendObserver.HELD_FRAME})
        {
            assertThat(PeerDoorbells.ringless(template)).isFalse();
        }
        doorbells.onSent(1, PingEncoder.TEMPLATE_ID);
        assertThat(doorbells.ringAfterFlush(clock.nowNs)).isEqualTo(1);
        assertThat(rungWithin(peer1, 5_000)).isTrue();
    }

    @Test
    void theQuietSpellCountsFromTheStartOfTheCycleThatSentTheLastWork() throws IOException
    {
        final long cycleStartNs = clock.nowNs;
        // A sender preempted after its flush: the clock reads much later than the cycle began.
        clock.nowNs += DOZE_AFTER_NS;
        doorbells.onSent(1, WORK);
        assertThat(doorbells.ringAfterFlush(cycleStartNs)).isEqualTo(1);
        assertThat(rungWithin(peer1, 5_000)).isTrue();
        // Half a doze delay after that cycle began, though only just after the last clock read: ring.
        clock.nowNs = cycleStartNs + DOZE_AFTER_NS / 2;
        doorbells.onSent(1, WORK);
        assertThat(doorbells.ringAfterFlush(clock.nowNs)).isEqualTo(1);
    }

    @Test
    void workAfterAQuietSpellRingsOncePerPeerAndCycle() throws IOException
    {
        doorbells.onSent(1, WORK);
        doorbells.onSent(1, WORK);
        doorbells.onSent(2, WORK);
        assertThat(doorbells.ringAfterFlush(clock.nowNs)).isEqualTo(2);
        assertThat(rungWithin(peer1, 5_000)).isTrue();
        assertThat(peer1.datagramsReceived()).isEqualTo(1);
        assertThat(rungWithin(peer2, 5_000)).isTrue();

        // Within half the doze delay the peer is still awake: no ring.
        clock.nowNs += DOZE_AFTER_NS / 2 - 1;
        doorbells.onSent(1, WORK);
        assertThat(doorbells.ringAfterFlush(clock.nowNs)).isZero();
        // Measured from the last work sent, not the last ring.
        clock.nowNs += DOZE_AFTER_NS / 2 - 1;
        doorbells.onSent(1, WORK);
        assertThat(doorbells.ringAfterFlush(clock.nowNs)).isZero();
        clock.nowNs += DOZE_AFTER_NS / 2;
        doorbells.onSent(1, WORK);
        assertThat(doorbells.ringAfterFlush(clock.nowNs)).isEqualTo(1);
        assertThat(rungWithin(peer1, 5_000)).isTrue();
        assertThat(doorbells.ringsSent()).isEqualTo(3);
        assertThat(doorbells.ringsFailed()).isZero();
    }

    @Test
    void selfUnknownCoresAndUnreachableDoorbellsAreSkippedOrCounted() throws IOException
    {
        doorbells.onSent(0, WORK);
        doorbells.onSent(-1, WORK);
        doorbells.onSent(99, WORK);
        assertThat(doorbells.ringAfterFlush(clock.nowNs)).isZero();
        doorbells.onSent(3, WORK);
        assertThat(doorbells.ringAfterFlush(clock.nowNs)).isZero();
        assertThat(doorbells.ringsFailed()).isEqualTo(1);
        assertThat(doorbells.ringsSent()).isZero();
    }

    private static boolean rungWithin(final Doorbell doorbell, final long ms) throws IOException
    {
        final NanoClock clock = SystemNanoClock.INSTANCE;
        return doorbell.await(clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms), clock);
    }
}
