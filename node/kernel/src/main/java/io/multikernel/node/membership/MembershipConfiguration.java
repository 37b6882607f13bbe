package io.multikernel.node.membership;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.multikernel.common.Setting;

/**
 * The one place membership settings get their property names, defaults and limits. Each setting
 * is a system property in milliseconds ({@code -Dmk.membership.suspect.timeout.ms=800});
 * {@link Membership.Context} reads these as defaults, holds nanoseconds, and validates in
 * {@code conclude()}.
 *
 * <p>Rules between settings: {@code heartbeat interval < suspect timeout < down timeout}, and
 * {@code heartbeat interval <= hello retry interval}, so no peer gets any one kind of message more
 * often than once per heartbeat interval on average (Heartbeats sit on the tick grid of
 * {@link io.multikernel.node.util.Ticks}, never closer than half an interval).
 */
public final class MembershipConfiguration
{
    /**
     * Time between two Heartbeats to one peer. Every core heartbeats every other, so the default is
     * chosen for tens of cores sharing a few CPUs: at 64 cores on 2 CPUs, 250 ms held the idle
     * cluster at about 44% busy where 100 ms held it at about 56%.
     */
    public static final String HEARTBEAT_INTERVAL_PROP = "mk.membership.heartbeat.interval.ms";
    public static final long HEARTBEAT_INTERVAL_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(250);
    public static final long HEARTBEAT_INTERVAL_MIN_NS = TimeUnit.MILLISECONDS.toNanos(1);
    public static final long HEARTBEAT_INTERVAL_MAX_NS = TimeUnit.SECONDS.toNanos(10);

    /** Silence after which an UP peer becomes SUSPECT. */
    public static final String SUSPECT_TIMEOUT_PROP = "mk.membership.suspect.timeout.ms";
    public static final long SUSPECT_TIMEOUT_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(1000);
    public static final long SUSPECT_TIMEOUT_MIN_NS = TimeUnit.MILLISECONDS.toNanos(2);
    public static final long SUSPECT_TIMEOUT_MAX_NS = TimeUnit.MINUTES.toNanos(1);

    /** Silence after which a peer becomes DOWN; this is the kill -9 detection time. */
    public static final String DOWN_TIMEOUT_PROP = "mk.membership.down.timeout.ms";
    public static final long DOWN_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(3);
    public static final long DOWN_TIMEOUT_MIN_NS = TimeUnit.MILLISECONDS.toNanos(3);
    public static final long DOWN_TIMEOUT_MAX_NS = TimeUnit.MINUTES.toNanos(10);

    /** Time between two Hellos to a peer whose Hello has not been heard yet. */
    public static final String HELLO_RETRY_INTERVAL_PROP = "mk.membership.hello.retry.interval.ms";
    public static final long HELLO_RETRY_INTERVAL_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(250);
    public static final long HELLO_RETRY_INTERVAL_MIN_NS = HEARTBEAT_INTERVAL_MIN_NS;
    public static final long HELLO_RETRY_INTERVAL_MAX_NS = TimeUnit.MINUTES.toNanos(1);

    /** Most peers one core tracks; matches the largest cluster map. */
    public static final int PEER_COUNT_MAX = 1_024;

    private MembershipConfiguration()
    {
    }

    public static long heartbeatIntervalNs()
    {
        return millisecondsProperty(HEARTBEAT_INTERVAL_PROP, HEARTBEAT_INTERVAL_DEFAULT_NS);
    }

    public static long suspectTimeoutNs()
    {
        return millisecondsProperty(SUSPECT_TIMEOUT_PROP, SUSPECT_TIMEOUT_DEFAULT_NS);
    }

    public static long downTimeoutNs()
    {
        return millisecondsProperty(DOWN_TIMEOUT_PROP, DOWN_TIMEOUT_DEFAULT_NS);
    }

    public static long helloRetryIntervalNs()
    {
        return millisecondsProperty(HELLO_RETRY_INTERVAL_PROP, HELLO_RETRY_INTERVAL_DEFAULT_NS);
    }

    /**
     * Read a whole number of milliseconds. Unlike {@link Long#getLong}, a malformed value is an
     * error naming the property, not a silent fall back to the default.
     *
     * @param name      of the system property.
     * @param defaultNs used when the property is unset.
     * @return the value in nanoseconds.
     */
    static long millisecondsProperty(final String name, final long defaultNs)
    {
        final String text = System.getProperty(name);
        if (null == text || text.isBlank())
        {
            return defaultNs;
        }
        final long milliseconds;
        try
        {
            milliseconds = Long.parseLong(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + "=" + text + " is not a whole number of milliseconds", ex);
        }
        if (milliseconds < 0 || milliseconds > TimeUnit.NANOSECONDS.toMillis(Long.MAX_VALUE))
        {
            throw new IllegalArgumentException(name + "=" + text + " is not a non-negative number of milliseconds");
        }
        return TimeUnit.MILLISECONDS.toNanos(milliseconds);
    }

    /**
     * Membership's settings for the configuration reference ({@code mk config}).
     *
     * @return every setting above with its default and meaning.
     */
    public static List<Setting> settings()
    {
        return List.of(
            new Setting(HEARTBEAT_INTERVAL_PROP, Setting.milliseconds(HEARTBEAT_INTERVAL_DEFAULT_NS),
                "Time between two Heartbeats to one peer, ms; below the suspect timeout.",
                () -> Setting.milliseconds(heartbeatIntervalNs())),
            new Setting(SUSPECT_TIMEOUT_PROP, Setting.milliseconds(SUSPECT_TIMEOUT_DEFAULT_NS),
                "Silence after which an up peer is suspect, ms; below the down timeout.",
                () -> Setting.milliseconds(suspectTimeoutNs())),
            new Setting(DOWN_TIMEOUT_PROP, Setting.milliseconds(DOWN_TIMEOUT_DEFAULT_NS),
                "Silence after which a peer is down, ms: the kill -9 detection time.",
                () -> Setting.milliseconds(downTimeoutNs())),
            new Setting(HELLO_RETRY_INTERVAL_PROP, Setting.milliseconds(HELLO_RETRY_INTERVAL_DEFAULT_NS),
                "Time between two Hellos to a peer not heard yet, ms; at least the heartbeat interval.",
                () -> Setting.milliseconds(helloRetryIntervalNs())));
    }
}
