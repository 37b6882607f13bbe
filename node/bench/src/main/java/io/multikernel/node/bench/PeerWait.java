package io.multikernel.node.bench;

import java.util.concurrent.TimeUnit;

/**
 * A bound on how long one side of a ping-pong waits for the other: an echo, or room to send. The
 * other side is a separate JVM that can die or hang; the benchmark then stops with one sentence
 * instead of waiting forever. The clock is read once every {@link #SPINS_PER_CLOCK_READ} waits, so a
 * measured round trip pays nothing for it.
 */
final class PeerWait
{
    /** PEER_WAIT_TIMEOUT_NS: longest one wait for the other side, ns. */
    static final long PEER_WAIT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    /** SPINS_PER_CLOCK_READ: waits between two looks at the clock. */
    static final int SPINS_PER_CLOCK_READ = 1_024;

    private final String what;
    private final long timeoutNs;
    private long deadlineNs;
    private int spins;

    /**
     * @param what      what is waited for, as the failure names it ("an echo").
     * @param timeoutNs how long, ns.
     */
    PeerWait(final String what, final long timeoutNs)
    {
        this.what = what;
        this.timeoutNs = timeoutNs;
    }

    /** @return a wait for the other side's echo, of {@link #PEER_WAIT_TIMEOUT_NS}. */
    static PeerWait forEcho()
    {
        return new PeerWait("echo", PEER_WAIT_TIMEOUT_NS);
    }

    /** @return a wait for room to send to the other side, of {@link #PEER_WAIT_TIMEOUT_NS}. */
    static PeerWait forRoomToSend()
    {
        return new PeerWait("room to send (the publication stayed back pressured or not connected)",
            PEER_WAIT_TIMEOUT_NS);
    }

    /** Starts a wait. */
    void start()
    {
        spins = 0;
        deadlineNs = 0;
    }

    /**
     * One more turn of the wait.
     *
     * @throws IllegalStateException once the wait has lasted its bound.
     */
    void check()
    {
        if (++spins % SPINS_PER_CLOCK_READ != 0)
        {
            return;
        }
        final long nowNs = System.nanoTime();
        if (0 == deadlineNs)
        {
            deadlineNs = nowNs + timeoutNs;
        }
        else if (nowNs - deadlineNs > 0)
        {
            throw new IllegalStateException("no " + what + " from the other side within " +
                TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms: its JVM may have died or hung (see its output above)");
        }
    }
}
