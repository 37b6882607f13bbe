package io.multikernel.node.replication;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.multikernel.common.Setting;

/**
 * Property names and defaults of replication in a core. Each can be given as {@code -Dname=value}.
 * The engine's own settings (timeouts, batch limits, {@code mk.replication.fsync}) live in
 * {@link io.multikernel.replication.ReplicationConfiguration}.
 */
public final class CoreReplicationConfiguration
{
    /**
     * Chaos hook, off by default: {@code after-prepare} or {@code after-commit-decision} freezes the
     * kernel loop of a coordinator at that point of its first transaction (see {@link ChaosFreeze}).
     */
    public static final String CHAOS_FREEZE_PROP = "mk.chaos.freeze";
    public static final String CHAOS_FREEZE_DEFAULT = "none";

    /** Commands admin threads may queue for the kernel loop before offers fail. */
    public static final String COMMAND_QUEUE_CAPACITY_PROP = "mk.replication.command.queue.capacity";
    public static final int COMMAND_QUEUE_CAPACITY_DEFAULT = 256;
    public static final int COMMAND_QUEUE_CAPACITY_MAX = 65_536;

    /** Commands the kernel loop takes from the queue in one duty cycle. */
    public static final int COMMANDS_PER_DUTY_CYCLE_MAX = 64;

    /** How long an admin request waits for the kernel loop's answer, ms. */
    public static final String ADMIN_TIMEOUT_PROP = "mk.replication.admin.timeout.ms";
    public static final long ADMIN_TIMEOUT_DEFAULT_MS = 5_000;
    public static final long ADMIN_TIMEOUT_MAX_MS = 600_000;

    /** Entries {@code GET /kv} lists by default, and at most. */
    public static final int KV_LIST_LIMIT_DEFAULT_ENTRIES = 100;
    public static final int KV_LIST_LIMIT_MAX_ENTRIES = 10_000;

    /** Operations one {@code POST /kv} may carry. */
    public static final int KV_OPERATIONS_MAX = 256;

    /** In-doubt transactions {@code GET /2pc} lists at most. */
    public static final int IN_DOUBT_LIST_MAX = 1_000;

    private CoreReplicationConfiguration()
    {
    }

    public static String chaosFreeze()
    {
        return System.getProperty(CHAOS_FREEZE_PROP, CHAOS_FREEZE_DEFAULT);
    }

    public static int commandQueueCapacity()
    {
        return Integer.getInteger(COMMAND_QUEUE_CAPACITY_PROP, COMMAND_QUEUE_CAPACITY_DEFAULT);
    }

    public static long adminTimeoutNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(Long.getLong(ADMIN_TIMEOUT_PROP, ADMIN_TIMEOUT_DEFAULT_MS));
    }

    /**
     * Replication-in-the-core settings for the configuration reference ({@code mk config}).
     *
     * @return every setting above with its default and meaning.
     */
    public static List<Setting> settings()
    {
        return List.of(
            new Setting(COMMAND_QUEUE_CAPACITY_PROP, Integer.toString(COMMAND_QUEUE_CAPACITY_DEFAULT),
                "Admin commands (/kv, /2pc) waiting for the kernel loop before offers fail (at most " +
                COMMAND_QUEUE_CAPACITY_MAX + ").",
                () -> Integer.toString(commandQueueCapacity())),
            new Setting(ADMIN_TIMEOUT_PROP, Long.toString(ADMIN_TIMEOUT_DEFAULT_MS),
                "How long an admin request waits for the kernel loop's answer, ms (at most " + ADMIN_TIMEOUT_MAX_MS +
                "); then it is indefinite.",
                () -> Setting.milliseconds(adminTimeoutNs())),
            new Setting(CHAOS_FREEZE_PROP, CHAOS_FREEZE_DEFAULT,
                "Chaos hook: after-prepare or after-commit-decision freezes a coordinator's kernel loop there in its " +
                "first transaction.",
                CoreReplicationConfiguration::chaosFreeze));
    }
}
