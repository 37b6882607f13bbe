package io.multikernel.node.core;

import io.multikernel.transport.Doorbell;
import io.multikernel.transport.DoorbellRinger;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kernel loop's dozing: backs off while work is recent, raises the flag and runs one more cycle
 * before it blocks, blocks until the next tick of the grid or a ring, treats a ring as work, and
 * never dozes while the core holds something a timer must send.
 */
@Timeout(30)
class DozingIdleStrategyTest
{
    /** Long, so a slow machine's pauses between calls never pass for a quiet spell; the tests move the clock. */
    private static final long DOZE_AFTER_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Counts the awake strategy's idles and resets. */
    private static final class CountingIdle implements IdleStrategy
    {
        int idles;
        int resets;

        public void idle(final int workCount)
        {
            idles++;
        }

        public void idle()
        {
            idles++;
        }

        public void reset()
        {
            resets++;
        }
    }

    /** The real clock, moved forward on demand so quiet spells need no sleeping. */
    private static final class AdvancingClock implements NanoClock
    {
        long offsetNs;

        public long nanoTime()
        {
            return SystemNanoClock.INSTANCE.nanoTime() + offsetNs;
        }
    }

    private final CountingIdle awake = new CountingIdle();
    private final AdvancingClock clock = new AdvancingClock();
    private final List<Boolean> flags = new ArrayList<>();
    private boolean mayDoze = true;
    private Doorbell doorbell;

    @BeforeEach
    void openDoorbell() throws IOException
    {
        doorbell = Doorbell.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void closeDoorbell()
    {
        doorbell.close();
    }

    private DozingIdleStrategy strategy()
    {
        return new DozingIdleStrategy(awake, doorbell, clock, DOZE_AFTER_NS, TICK_NS, () -> mayDoze, flags::add);
    }

    @Test
    void backsOffWhileWorkIsRecentThenRaisesTheFlagBeforeBlocking()
    {
        final DozingIdleStrategy idle = strategy();
        idle.idle(0);
        idle.idle(3);
        idle.idle(0);
        assertThat(awake.idles).isEqualTo(2);
        assertThat(awake.resets).isEqualTo(1);
        assertThat(idle.dozing()).isFalse();

        clock.offsetNs += DOZE_AFTER_NS;
        final long beforeNs = clock.nanoTime();
        idle.idle(0);
        // The flag is up, but this call did not block: one more duty cycle runs first.
        assertThat(idle.dozing()).isTrue();
        assertThat(flags).containsExactly(true);
        assertThat(idle.dozes()).isEqualTo(1);
        assertThat(clock.nanoTime() - beforeNs).isLessThan(TICK_NS);
        assertThat(awake.idles).isEqualTo(2);
    }

    @Test
    void aDozeWithoutRingsEndsOnTheNextTickOfTheGridAndStaysDozing()
    {
        final DozingIdleStrategy idle = strategy();
        clock.offsetNs += DOZE_AFTER_NS;
        idle.idle(0);
        final long startNs = clock.nanoTime();
        idle.idle(0);
        final long endNs = clock.nanoTime();
        final long tickNs = startNs - Math.floorMod(startNs, TICK_NS) + TICK_NS;
        assertThat(endNs).isGreaterThanOrEqualTo(tickNs);
        assertThat(endNs - tickNs).isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(idle.dozing()).isTrue();
        assertThat(idle.rungWakeups()).isZero();
        assertThat(flags).containsExactly(true);
    }

    @Test
    void aRingEndsTheDozeAndCountsAsWork() throws Exception
    {
        final DozingIdleStrategy idle = strategy();
        clock.offsetNs += DOZE_AFTER_NS;
        idle.idle(0);
        final long rungBeforeNs = clock.nanoTime();
        try (DoorbellRinger ringer = new DoorbellRinger())
        {
            assertThat(ringer.ring(doorbell.localAddress())).isTrue();
        }
        idle.idle(0);
        assertThat(clock.nanoTime() - rungBeforeNs).as("woken by the ring, not the tick").isLessThan(TICK_NS * 50);
        assertThat(idle.rungWakeups()).isEqualTo(1);
        assertThat(idle.dozing()).isFalse();
        assertThat(flags).containsExactly(true, false);
        // Awake for a whole quiet spell after the ring: the message it announced may still be on its way.
        idle.idle(0);
        assertThat(idle.dozing()).isFalse();
        assertThat(awake.idles).isEqualTo(1);
    }

    @Test
    void ringsThatCameWhileAwakeDoNotEndTheNextDoze() throws Exception
    {
        final DozingIdleStrategy idle = strategy();
        try (DoorbellRinger ringer = new DoorbellRinger())
        {
            assertThat(ringer.ring(doorbell.localAddress())).isTrue();
            assertThat(ringer.ring(doorbell.localAddress())).isTrue();
        }
        Thread.sleep(50);
        clock.offsetNs += DOZE_AFTER_NS;
        idle.idle(0);
        idle.idle(0);
        assertThat(idle.rungWakeups()).isZero();
        assertThat(idle.dozing()).isTrue();
        assertThat(doorbell.datagramsReceived()).isEqualTo(2);
    }

    @Test
    void workWhileTheFlagIsUpLowersIt()
    {
        final DozingIdleStrategy idle = strategy();
        clock.offsetNs += DOZE_AFTER_NS;
        idle.idle(0);
        idle.idle(1);
        assertThat(idle.dozing()).isFalse();
        assertThat(flags).containsExactly(true, false);
    }

    @Test
    void neverDozesWhileTheCoreHoldsSomethingToSend()
    {
        mayDoze = false;
        final DozingIdleStrategy idle = strategy();
        clock.offsetNs += DOZE_AFTER_NS * 10;
        for (int i = 0; i < 5; i++)
        {
            idle.idle(0);
        }
        assertThat(idle.dozes()).isZero();
        assertThat(awake.idles).isEqualTo(5);

        mayDoze = true;
        idle.idle(0);
        assertThat(idle.dozing()).isTrue();
        // Something to send again, mid-doze: the flag goes down and the core backs off.
        mayDoze = false;
        idle.idle(0);
        assertThat(idle.dozing()).isFalse();
        assertThat(flags).containsExactly(true, false);
    }

    @Test
    void aBrokenDoorbellLeavesTheCoreBackingOffForGood()
    {
        final DozingIdleStrategy idle = strategy();
        clock.offsetNs += DOZE_AFTER_NS;
        idle.idle(0);
        doorbell.close();
        idle.idle(0);
        assertThat(idle.dozing()).isFalse();
        clock.offsetNs += DOZE_AFTER_NS * 10;
        idle.idle(0);
        idle.idle(0);
        assertThat(idle.dozes()).isEqualTo(1);
        assertThat(awake.idles).isEqualTo(2);
    }
}
