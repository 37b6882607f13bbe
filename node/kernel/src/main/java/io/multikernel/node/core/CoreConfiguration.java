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

    /**
     * How often a dozing core measures its RTTs, ms; unset, ten times {@link #RTT_PROBE_INTERVAL_PROP}.
     * A probe round wakes every core of the cluster for tens of milliseconds, which at rest is most
     * of what a dozing core costs. A core that has work probes every {@link #RTT_PROBE_INTERVAL_PROP};
     * never more often than that.
     */
    public static final String RTT_PROBE_IDLE_INTERVAL_PROP = "mk.core.rtt.probe.idle.interval.ms";
    /** The idle probe interval, unset, as a multiple of the probe interval. */
    public static final long RTT_PROBE_IDLE_INTERVAL_FACTOR = 10;

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

    /**
     * Quiet time after which an idle kernel loop dozes, ms; 0 never dozes. A dozing core blocks on
     * its doorbell until a peer, an app or an admin request rings it, or until the next tick of its
     * timers (the shortest of the heartbeat, status, RTT probe and SKB row intervals), instead of
     * waking every 10 ms. Only cores of the backoff idle strategy doze, and only on a cluster whose
     * cores all share one host (peers ring over loopback).
     */
    public static final String CORE_IDLE_DOZE_AFTER_PROP = "mk.core.idle.doze.after.ms";
    public static final long CORE_IDLE_DOZE_AFTER_DEFAULT_MS = 50;
    /** Longest quiet time before a doze, ms. */
    public static final long CORE_IDLE_DOZE_AFTER_MAX_MS = 60_000;
    /**
     * Longest doze, ms, whatever the timers' intervals: a dozing core still stamps its LRPC liveness
     * (apps give up on a core silent for 3 s) and answers an unrung message within it.
     */
    public static final long CORE_IDLE_DOZE_TICK_MAX_MS = 250;

    /**
     * Fault points for chaos tests, true or false: the link fault point of the transport, driven
     * through {@code /chaos/links}. Off by default; {@code mk core --chaos} and {@code mk up --chaos}
     * turn it on.
     */
    public static final String CHAOS_ENABLED_PROP = "mk.chaos.enabled";

    /**
     * Seed of the link faults' drop decisions, a whole number; unset, the core's incarnation (either
     * way {@code GET /chaos/links} reports it, so a run can be repeated).
     */
    public static final String CHAOS_SEED_PROP = "mk.chaos.seed";

    /** Bounds every interval above, ms. */
    public static final long INTERVAL_MIN_MS = 10;
    public static final long INTERVAL_MAX_MS = 60_000;

    private CoreConfiguration()
    {
    }

    /**
     * @return {@link #CORE_IDLE_DOZE_AFTER_PROP} in ns; 0 when cores never doze.
     * @throws IllegalArgumentException naming a value out of range.
     */
    public static long coreIdleDozeAfterNs()
    {
        final long ms = Long.getLong(CORE_IDLE_DOZE_AFTER_PROP, CORE_IDLE_DOZE_AFTER_DEFAULT_MS);
        Bounds.check(CORE_IDLE_DOZE_AFTER_PROP, ms, 0, CORE_IDLE_DOZE_AFTER_MAX_MS, "ms");
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }

    public static long rttProbeIntervalNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(Long.getLong(RTT_PROBE_INTERVAL_PROP, RTT_PROBE_INTERVAL_DEFAULT_MS));
    }

    /** @return the idle probe interval, ns: the property, or ten probe intervals (at most {@link #INTERVAL_MAX_MS}). */
    public static long rttProbeIdleIntervalNs()
    {
        final long unsetMs = Math.min(INTERVAL_MAX_MS,
            TimeUnit.NANOSECONDS.toMillis(rttProbeIntervalNs()) * RTT_PROBE_IDLE_INTERVAL_FACTOR);
        return TimeUnit.MILLISECONDS.toNanos(Long.getLong(RTT_PROBE_IDLE_INTERVAL_PROP, unsetMs));
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

    /**
     * @return whether the core runs with its chaos fault points.
     * @throws IllegalArgumentException when the property is neither true nor false.
     */
    public static boolean chaosEnabled()
    {
        final String value = System.getProperty(CHAOS_ENABLED_PROP, "false").trim();
        if (!"true".equals(value) && !"false".equals(value))
        {
            throw new IllegalArgumentException(CHAOS_ENABLED_PROP + "=" + value + " is not true or false");
        }
        return Boolean.parseBoolean(value);
    }

    /**
     * @return the configured seed of the link faults, or {@link Long#MIN_VALUE} when unset.
     * @throws IllegalArgumentException when the property is not a whole number.
     */
    public static long chaosSeed()
    {
        final String value = System.getProperty(CHAOS_SEED_PROP);
        if (null == value || value.isBlank())
        {
            return Long.MIN_VALUE;
        }
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(CHAOS_SEED_PROP + "=" + value + " is not a whole number", ex);
        }
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
            new Setting(CORE_IDLE_DOZE_AFTER_PROP, Long.toString(CORE_IDLE_DOZE_AFTER_DEFAULT_MS),
                "Quiet time after which an idle kernel loop dozes until rung or its next timer tick, ms " +
                "(0.." + CORE_IDLE_DOZE_AFTER_MAX_MS + "; 0 never dozes). Backoff cores on a one-host cluster only.",
                () -> Setting.milliseconds(coreIdleDozeAfterNs())),
            new Setting(RTT_PROBE_INTERVAL_PROP, Long.toString(RTT_PROBE_INTERVAL_DEFAULT_MS),
                "How often a core measures its RTT to every live peer, ms" + bounds + ".",
                () -> Setting.milliseconds(rttProbeIntervalNs())),
            new Setting(RTT_PROBE_IDLE_INTERVAL_PROP,
                Long.toString(RTT_PROBE_IDLE_INTERVAL_FACTOR * RTT_PROBE_INTERVAL_DEFAULT_MS),
                "How often a dozing core with nothing but probes to do measures its RTTs, ms" + bounds + "; unset, " +
                RTT_PROBE_IDLE_INTERVAL_FACTOR + " times " + RTT_PROBE_INTERVAL_PROP + "; never more often than that.",
                () -> Setting.milliseconds(rttProbeIdleIntervalNs())),
            new Setting(SKB_ROW_INTERVAL_PROP, Long.toString(SKB_ROW_INTERVAL_DEFAULT_MS),
                "How often a core sends its row of the SKB's RTT matrix to every peer, ms" + bounds + ".",
                () -> Setting.milliseconds(skbRowIntervalNs())),
            new Setting(STATUS_PUBLISH_INTERVAL_PROP, Long.toString(STATUS_PUBLISH_INTERVAL_DEFAULT_MS),
                "How often the kernel loop captures its /status and /skb snapshots, ms" + bounds + ".",
                () -> Setting.milliseconds(statusPublishIntervalNs())),
            new Setting(CHAOS_ENABLED_PROP, "false",
                "Chaos fault points: link faults (drop, delay) per peer and direction through /chaos/links; " +
                "mk core --chaos and mk up --chaos set it.",
                () -> Boolean.toString(chaosEnabled())),
            new Setting(CHAOS_SEED_PROP, "the core's incarnation",
                "Seed of the link faults' drop decisions, a whole number; GET /chaos/links reports the one in use.",
                () -> Long.MIN_VALUE == chaosSeed() ? "the core's incarnation" : Long.toString(chaosSeed())));
    }
}
