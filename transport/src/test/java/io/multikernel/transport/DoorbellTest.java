package io.multikernel.transport;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A doorbell on loopback: rings, in-process wakeups and interrupts end a wait early; nothing ends it
 * before its deadline otherwise; a flood is drained in bounded steps; ringing never throws.
 */
@Timeout(30)
class DoorbellTest
{
    private static final NanoClock CLOCK = SystemNanoClock.INSTANCE;
    private static final long WAIT_NS = TimeUnit.MILLISECONDS.toNanos(80);
    /** A ring on loopback arrives well within this, even on a busy machine. */
    private static final long PROMPT_NS = TimeUnit.SECONDS.toNanos(5);

    private static Doorbell openOnLoopback() throws IOException
    {
        return Doorbell.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @Test
    void aWaitNobodyRingsEndsAtItsDeadlineAndNotBefore() throws IOException
    {
        try (Doorbell doorbell = openOnLoopback())
        {
            final long startNs = CLOCK.nanoTime();
            assertThat(doorbell.await(startNs + WAIT_NS, CLOCK)).isFalse();
            assertThat(CLOCK.nanoTime() - startNs).isGreaterThanOrEqualTo(WAIT_NS);
            assertThat(doorbell.datagramsReceived()).isZero();
            // A deadline already past returns at once.
            assertThat(doorbell.await(startNs, CLOCK)).isFalse();
        }
    }

    @Test
    void aRingEndsTheWaitAndIsCounted() throws Exception
    {
        try (Doorbell doorbell = openOnLoopback(); DoorbellRinger ringer = new DoorbellRinger())
        {
            final CompletableFuture<Boolean> rung = waitInAnotherThread(doorbell);
            Thread.sleep(50);
            final long ringNs = CLOCK.nanoTime();
            assertThat(ringer.ring(doorbell.localAddress())).isTrue();
            assertThat(rung.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(CLOCK.nanoTime() - ringNs).isLessThan(PROMPT_NS);
            assertThat(doorbell.datagramsReceived()).isEqualTo(1);

            // A ring that came while nobody waited ends the next wait at once.
            assertThat(ringer.ring(doorbell.localAddress())).isTrue();
            final long startNs = CLOCK.nanoTime();
            assertThat(doorbell.await(startNs + TimeUnit.SECONDS.toNanos(20), CLOCK)).isTrue();
            assertThat(CLOCK.nanoTime() - startNs).isLessThan(PROMPT_NS);
        }
    }

    @Test
    void aWakeupFromThisProcessEndsTheWaitEvenBeforeItStarts() throws Exception
    {
        try (Doorbell doorbell = openOnLoopback())
        {
            doorbell.wakeup();
            final long startNs = CLOCK.nanoTime();
            assertThat(doorbell.await(startNs + TimeUnit.SECONDS.toNanos(20), CLOCK)).isTrue();
            assertThat(CLOCK.nanoTime() - startNs).isLessThan(PROMPT_NS);
            assertThat(doorbell.wakeupsInProcess()).isEqualTo(1);

            // Consumed: the next wait runs to its deadline.
            assertThat(doorbell.await(CLOCK.nanoTime() + WAIT_NS, CLOCK)).isFalse();

            final CompletableFuture<Boolean> woken = waitInAnotherThread(doorbell);
            Thread.sleep(50);
            doorbell.wakeup();
            assertThat(woken.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(doorbell.datagramsReceived()).isZero();
        }
    }

    @Test
    void anInterruptedWaitReturnsAtOnce() throws Exception
    {
        try (Doorbell doorbell = openOnLoopback())
        {
            final boolean[] result = new boolean[1];
            final long[] tookNs = new long[1];
            final Thread waiter = new Thread(() ->
            {
                final long startNs = CLOCK.nanoTime();
                try
                {
                    result[0] = doorbell.await(startNs + TimeUnit.SECONDS.toNanos(20), CLOCK);
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
                tookNs[0] = CLOCK.nanoTime() - startNs;
            });
            waiter.start();
            Thread.sleep(50);
            waiter.interrupt();
            waiter.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(waiter.isAlive()).isFalse();
            assertThat(result[0]).isFalse();
            assertThat(tookNs[0]).isLessThan(TimeUnit.SECONDS.toNanos(10));
        }
    }

    @Test
    void aFloodIsReadInBoundedStepsAndAnythingSentWakesIt() throws Exception
    {
        final int drainMax = 4;
        try (Doorbell doorbell = Doorbell.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), drainMax);
            DatagramChannel sender = DatagramChannel.open())
        {
            // Longer than a ring: cut, still read as one datagram.
            final ByteBuffer junk = ByteBuffer.allocate(Doorbell.DATAGRAM_LENGTH_MAX_BYTES * 4);
            final int sent = 10;
            for (int i = 0; i < sent; i++)
            {
                junk.clear();
                sender.send(junk, doorbell.localAddress());
            }
            Thread.sleep(100);
            final long[] afterEachWait = new long[4];
            for (int i = 0; i < afterEachWait.length; i++)
            {
                final long startNs = CLOCK.nanoTime();
                final boolean rung = doorbell.await(startNs + TimeUnit.SECONDS.toNanos(2), CLOCK);
                afterEachWait[i] = doorbell.datagramsReceived();
                assertThat(rung).as("wait %d", i).isEqualTo(i < 3);
            }
            assertThat(afterEachWait).containsExactly(4, 8, 10, 10);
        }
    }

    @Test
    void discardingForgetsRingsButKeepsAnInProcessWakeup() throws Exception
    {
        try (Doorbell doorbell = openOnLoopback(); DoorbellRinger ringer = new DoorbellRinger())
        {
            assertThat(ringer.ring(doorbell.localAddress())).isTrue();
            Thread.sleep(50);
            assertThat(doorbell.discardRings()).isEqualTo(1);
            assertThat(doorbell.await(CLOCK.nanoTime() + WAIT_NS, CLOCK)).isFalse();

            doorbell.wakeup();
            assertThat(doorbell.discardRings()).isZero();
            assertThat(doorbell.await(CLOCK.nanoTime() + TimeUnit.SECONDS.toNanos(20), CLOCK)).isTrue();
        }
    }

    @Test
    void aTakenPortIsAnIoErrorAndRingingNowhereIsFalseNotAnException() throws IOException
    {
        try (Doorbell doorbell = openOnLoopback(); DoorbellRinger ringer = new DoorbellRinger())
        {
            assertThatThrownBy(() -> Doorbell.open(doorbell.localAddress())).isInstanceOf(IOException.class);
            assertThat(ringer.ring(InetSocketAddress.createUnresolved("no-such-host.invalid", 9))).isFalse();
            // The ringer recovers: the next ring to a real doorbell goes.
            assertThat(ringer.ring(doorbell.localAddress())).isTrue();
        }
    }

    /** A wait of up to 20 s on another thread: true when it ended rung or woken. */
    private static CompletableFuture<Boolean> waitInAnotherThread(final Doorbell doorbell)
    {
        return CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return doorbell.await(CLOCK.nanoTime() + TimeUnit.SECONDS.toNanos(20), CLOCK);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
    }
}
