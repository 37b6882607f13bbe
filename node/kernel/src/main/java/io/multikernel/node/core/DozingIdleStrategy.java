package io.multikernel.node.core;

import io.multikernel.node.util.Ticks;
import io.multikernel.transport.Doorbell;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.util.function.BooleanSupplier;

/**
 * The kernel loop's idle strategy when it may doze: the paper's "poll for a while, then block until
 * notified". While work a caller waits on came within the last {@code dozeAfterNs}, it idles as
 * {@code awake} (backoff: spin, yield, parks up to 10 ms). After that much quiet the core dozes: it
 * raises its dozing flag (apps' LRPC calls read it and ring), runs one more duty cycle so that
 * whatever was sent before the flag was up is seen, and then blocks on its {@link Doorbell} until a
 * peer, an app or an admin request rings, or until the next tick of the host's shared grid
 * ({@link Ticks}, every {@code dozeTickNs}), when the timers (heartbeats, probes, SKB rows, /status)
 * run and it dozes again. A ring counts as work: the core stays awake for {@code dozeAfterNs}, so a
 * ring that overtook its message (UDP) does not send the core back to sleep before the message lands.
 * <p>
 * Correctness never depends on a ring: a message whose ring was lost waits at most one tick.
 * A doorbell that fails leaves the core backing off as before, never dozing again.
 * Kernel loop only.
 */
final class DozingIdleStrategy implements IdleStrategy
{
    private static final Logger LOGGER = LoggerFactory.getLogger(DozingIdleStrategy.class);

    /** Told when the core starts and stops dozing (it raises and lowers the LRPC dozing flag). */
    interface Listener
    {
        void onDozing(boolean dozing);
    }

    private final IdleStrategy awake;
    private final NanoClock clock;
    private final long dozeAfterNs;
    private final long dozeTickNs;
    private final BooleanSupplier mayDoze;
    private final Listener listener;
    private Doorbell doorbell;
    private long lastWorkNs;
    private boolean dozing;
    private long dozes;
    private long rungWakeups;

    /**
     * @param awake       the strategy while work is recent (backoff).
     * @param doorbell    what a doze blocks on.
     * @param clock       the kernel loop's clock; its ticks must be the host's monotonic clock for the grid.
     * @param dozeAfterNs quiet time before dozing, positive.
     * @param dozeTickNs  longest doze: the core wakes at every multiple of it, positive.
     * @param mayDoze     false while the core holds something a timer must send soon (a back-pressured
     *                    batch, frames a chaos rule delays): it backs off instead.
     * @param listener    told of each change between awake and dozing.
     */
    DozingIdleStrategy(final IdleStrategy awake, final Doorbell doorbell, final NanoClock clock, final long dozeAfterNs,
        final long dozeTickNs, final BooleanSupplier mayDoze, final Listener listener)
    {
        if (dozeAfterNs <= 0 || dozeTickNs <= 0)
        {
            throw new IllegalArgumentException("dozeAfterNs=" + dozeAfterNs + " and dozeTickNs=" + dozeTickNs +
                " must be positive");
        }
        this.awake = awake;
        this.doorbell = doorbell;
        this.clock = clock;
        this.dozeAfterNs = dozeAfterNs;
        this.dozeTickNs = dozeTickNs;
        this.mayDoze = mayDoze;
        this.listener = listener;
        this.lastWorkNs = clock.nanoTime();
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            wake(clock.nanoTime());
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        final long nowNs = clock.nanoTime();
        if (null == doorbell || nowNs - lastWorkNs < dozeAfterNs || !mayDoze.getAsBoolean())
        {
            if (dozing)
            {
                wake(nowNs);
            }
            awake.idle();
            return;
        }
        try
        {
            if (!dozing)
            {
                // Rings that came while awake announced messages the next cycle sees anyway. Then the
                // flag, then that one more duty cycle: an app that committed a call before it saw the
                // flag up is found by the cycle, one that committed after rings.
                doorbell.discardRings();
                dozing = true;
                dozes++;
                listener.onDozing(true);
                return;
            }
            if (doorbell.await(Ticks.nextTick(nowNs, dozeTickNs), clock))
            {
                rungWakeups++;
                wake(clock.nanoTime());
            }
        }
        catch (final IOException | ClosedSelectorException ex)
        {
            LOGGER.warn("the core's doorbell failed ({}); it backs off from now on and no longer dozes", ex.toString());
            doorbell = null;
            wake(clock.nanoTime());
        }
    }

    private void wake(final long nowNs)
    {
        lastWorkNs = nowNs;
        awake.reset();
        if (dozing)
        {
            dozing = false;
            listener.onDozing(false);
        }
    }

    @Override
    public void reset()
    {
        awake.reset();
    }

    @Override
    public String alias()
    {
        return "dozing";
    }

    /** @return true while the core dozes (its flag is up). */
    boolean dozing()
    {
        return dozing;
    }

    /** @return times the core started dozing. */
    long dozes()
    {
        return dozes;
    }

    /** @return dozes ended by a ring or an in-process wakeup rather than the tick. */
    long rungWakeups()
    {
        return rungWakeups;
    }
}
