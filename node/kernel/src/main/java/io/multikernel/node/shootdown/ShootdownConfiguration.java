package io.multikernel.node.shootdown;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.multikernel.common.Setting;
import io.multikernel.node.cluster.ClusterLimits;

/**
 * Property names, defaults and limits of the shootdown protocol. Each property can be given as
 * {@code -Dname=value} to a core.
 */
public final class ShootdownConfiguration
{
    /** A round not fully acknowledged this long after its first send fails, ms. */
    public static final String ROUND_TIMEOUT_PROP = "mk.shootdown.round.timeout.ms";
    public static final long ROUND_TIMEOUT_DEFAULT_MS = 1_000;
    public static final long ROUND_TIMEOUT_MIN_MS = 1;
    public static final long ROUND_TIMEOUT_MAX_MS = 60_000;

    /** Rounds one initiator may have unacknowledged at once; more are refused. */
    public static final String ROUNDS_IN_FLIGHT_PROP = "mk.shootdown.rounds.in.flight.max";
    public static final int ROUNDS_IN_FLIGHT_DEFAULT = 16;
    public static final int ROUNDS_IN_FLIGHT_LIMIT = 1_024;

    /** Rounds one core may be forwarding (waiting for its subtree's acks) at once; more are refused. */
    public static final String RELAYS_IN_FLIGHT_PROP = "mk.shootdown.relays.in.flight.max";
    public static final int RELAYS_IN_FLIGHT_DEFAULT = 64;
    public static final int RELAYS_IN_FLIGHT_LIMIT = 4_096;

    /** Most entries in one request's forward list: every other core of the largest cluster. */
    public static final int FORWARD_ENTRIES_MAX = ClusterLimits.CORE_COUNT_MAX - 1;

    private ShootdownConfiguration()
    {
    }

    public static long roundTimeoutNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(Long.getLong(ROUND_TIMEOUT_PROP, ROUND_TIMEOUT_DEFAULT_MS));
    }

    public static int roundsInFlightMax()
    {
        return Integer.getInteger(ROUNDS_IN_FLIGHT_PROP, ROUNDS_IN_FLIGHT_DEFAULT);
    }

    public static int relaysInFlightMax()
    {
        return Integer.getInteger(RELAYS_IN_FLIGHT_PROP, RELAYS_IN_FLIGHT_DEFAULT);
    }

    /**
     * The shootdown protocol's settings for the configuration reference ({@code mk config}).
     *
     * @return every setting above with its default and meaning.
     */
    public static List<Setting> settings()
    {
        return List.of(
            new Setting(ROUND_TIMEOUT_PROP, Long.toString(ROUND_TIMEOUT_DEFAULT_MS),
                "A round not fully acknowledged this long after its first send fails, naming the silent cores, ms (" +
                ROUND_TIMEOUT_MIN_MS + ".." + ROUND_TIMEOUT_MAX_MS + ").",
                () -> Setting.milliseconds(roundTimeoutNs())),
            new Setting(ROUNDS_IN_FLIGHT_PROP, Integer.toString(ROUNDS_IN_FLIGHT_DEFAULT),
                "Rounds one initiator may have unacknowledged at once; more are refused (at most " +
                ROUNDS_IN_FLIGHT_LIMIT + ").",
                () -> Integer.toString(roundsInFlightMax())),
            new Setting(RELAYS_IN_FLIGHT_PROP, Integer.toString(RELAYS_IN_FLIGHT_DEFAULT),
                "Rounds one core may be forwarding at once; more are refused (at most " + RELAYS_IN_FLIGHT_LIMIT + ").",
                () -> Integer.toString(relaysInFlightMax())));
    }
}
