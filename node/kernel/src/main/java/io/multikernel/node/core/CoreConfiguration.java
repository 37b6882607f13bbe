package io.multikernel.node.core;

import io.multikernel.common.Bounds;
import io.multikernel.common.Setting;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Property names and defaults of a core process. Each can be given as {@code -Dname=value}.
 */
public final class CoreConfiguration
{
    /** How often a core measures its RTT to every live peer with Ping/Pong, ms. */
    public static final String RTT_PROBE_INTERVAL_PROP = "mk.core.rtt.probe.interval.ms";
    public static final long RTT_PROBE_INTERVAL_DEFAULT_MS = 1_000;

    /** How often a core sends its SKB row to every peer, ms. */
    public static final String SKB_ROW_INTERVAL_PROP = "mk.core.skb.row.interval.ms";
    public static final long SKB_ROW_INTERVAL_DEFAULT_MS = 1_000;

    /** How often the agent publishes its /status and /skb snapshots, ms. */
    public static final String STATUS_PUBLISH_INTERVAL_PROP = "mk.core.status.publish.interval.ms";
    public static final long STATUS_PUBLISH_INTERVAL_DEFAULT_MS = 250;

    /** Idle strategy of the kernel loop. */
    public static final String CORE_IDLE_PROP = "mk.core.idle";
    public static final String CORE_IDLE_DEFAULT = "backoff";

    /**
     * Longest park of the kernel loop's backoff when idle, microseconds. Long enough that idle cores
     * cost little (16 idle cores held a 2-core machine at about 8% busy with 10 ms, 15% with 1 ms);
     * a core under load never parks. Heartbeats (250 ms by default) and timers stay far above it.
     */
    public static final String CORE_IDLE_PARK_MAX_PROP = "mk.core.idle.park.max.us";
    public static final long CORE_IDLE_PARK_MAX_DEFAULT_US = 10_000;

    /** Bounds every interval above, ms. */
    public static final long INTERVAL_MIN_MS = 10;
    public static final long INTERVAL_MAX_MS = 60_000;

    private CoreConfiguration()
    {
    }

    public static long rttProbeIntervalNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(Long.getLong(RTT_PROBE_INTERVAL_PROP, RTT_PROBE_INTERVAL_DEFAULT_MS));
    }

    public static long skbRowIntervalNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(Long.getLong(SKB_ROW_INTERVAL_PROP, SKB_ROW_INTERVAL_DEFAULT_MS));
    }

    public static long statusPublishIntervalNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(
            Long.getLong(STATUS_PUBLISH_INTERVAL_PROP, STATUS_PUBLISH_INTERVAL_DEFAULT_MS));
    }

    public static long coreIdleParkMaxNs()
    {
        return TimeUnit.MICROSECONDS.toNanos(Long.getLong(CORE_IDLE_PARK_MAX_PROP, CORE_IDLE_PARK_MAX_DEFAULT_US));
    }

    public static String coreIdle()
    {
        return System.getProperty(CORE_IDLE_PROP, CORE_IDLE_DEFAULT);
    }

    static long checkInterval(final String name, final long valueNs)
    {
        Bounds.check(name, TimeUnit.NANOSECONDS.toMillis(valueNs), INTERVAL_MIN_MS, INTERVAL_MAX_MS, "ms");
        return valueNs;
    }

    /**
     * The core process's settings for the configuration reference ({@code mk config}).
     *
     * @return every setting above with its default and meaning.
     */
    public static List<Setting> settings()
    {
        final String bounds = " (" + INTERVAL_MIN_MS + ".." + INTERVAL_MAX_MS + ")";
        return List.of(
            new Setting(CORE_IDLE_PROP, CORE_IDLE_DEFAULT,
                "Idle strategy of the kernel loop: busy-spin, yielding, backoff or sleeping.",
                CoreConfiguration::coreIdle),
            new Setting(CORE_IDLE_PARK_MAX_PROP, Long.toString(CORE_IDLE_PARK_MAX_DEFAULT_US),
                "Longest park of an idle kernel loop, us; a busy one never parks.",
                () -> Setting.microseconds(coreIdleParkMaxNs())),
            new Setting(RTT_PROBE_INTERVAL_PROP, Long.toString(RTT_PROBE_INTERVAL_DEFAULT_MS),
                "How often a core measures its RTT to every live peer, ms" + bounds + ".",
                () -> Setting.milliseconds(rttProbeIntervalNs())),
            new Setting(SKB_ROW_INTERVAL_PROP, Long.toString(SKB_ROW_INTERVAL_DEFAULT_MS),
                "How often a core sends its row of the SKB's RTT matrix to every peer, ms" + bounds + ".",
                () -> Setting.milliseconds(skbRowIntervalNs())),
            new Setting(STATUS_PUBLISH_INTERVAL_PROP, Long.toString(STATUS_PUBLISH_INTERVAL_DEFAULT_MS),
                "How often the kernel loop captures its /status and /skb snapshots, ms" + bounds + ".",
                () -> Setting.milliseconds(statusPublishIntervalNs())));
    }
}
