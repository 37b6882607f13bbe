package io.multikernel.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.List;

/**
 * Named idle strategies. Busy-spin and yielding are for benchmarks on spare CPUs; the default,
 * backoff, spins briefly, then yields, then parks up to {@link TransportConfiguration#IDLE_PARK_MAX_PROP}
 * so a cluster at rest does not eat the machine.
 */
public final class IdleStrategies
{
    /** The names accepted by {@link #of(String, long)}. */
    public static final List<String> NAMES = List.of("busy-spin", "yielding", "backoff", "sleeping");

    private static final long BACKOFF_MAX_SPINS = 10;
    private static final long BACKOFF_MAX_YIELDS = 5;
    /**
     * Shortest park of the backoff. Linux rounds shorter sleeps up to its default 50 us timer slack,
     * so a shorter first park only adds wake-ups to each backoff after work.
     */
    private static final long BACKOFF_MIN_PARK_NS = 50_000;

    private IdleStrategies()
    {
    }

    /**
     * @param name       one of {@link #NAMES}.
     * @param parkMaxNs  longest park for backoff and sleeping, nanoseconds.
     * @return a new idle strategy (they hold state, so never share one between threads).
     * @throws IllegalArgumentException naming the value and the accepted names.
     */
    public static IdleStrategy of(final String name, final long parkMaxNs)
    {
        if (parkMaxNs < BACKOFF_MIN_PARK_NS)
        {
            throw new IllegalArgumentException("idle park max " + parkMaxNs + " ns is below " + BACKOFF_MIN_PARK_NS + " ns");
        }
        return switch (null == name ? "" : name)
        {
            case "busy-spin" -> new BusySpinIdleStrategy();
            case "yielding" -> new YieldingIdleStrategy();
            case "backoff" -> new BackoffIdleStrategy(BACKOFF_MAX_SPINS, BACKOFF_MAX_YIELDS, BACKOFF_MIN_PARK_NS, parkMaxNs);
            case "sleeping" -> new SleepingIdleStrategy(parkMaxNs);
            default -> throw new IllegalArgumentException(
                "idle strategy '" + name + "' is unknown: use one of " + String.join(", ", NAMES));
        };
    }

    /**
     * @param name to check.
     * @return the name, when it is one of {@link #NAMES}.
     * @throws IllegalArgumentException otherwise.
     */
    public static String validate(final String name)
    {
        of(name, BACKOFF_MIN_PARK_NS);
        return name;
    }
}
