package io.multikernel.node.lrpc;

import io.multikernel.common.Bounds;
import io.multikernel.common.Setting;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Property names and defaults of a core's LRPC channel and its clients. Each can be given as
 * {@code -Dname=value}; the core publishes the sizes it used in the channel header, so clients
 * follow the core.
 */
public final class LrpcConfiguration
{
    /** Apps that can attach to one core at once. */
    public static final String CLIENT_SLOTS_PROP = "mk.lrpc.client.slots";
    public static final int CLIENT_SLOTS_DEFAULT = 8;

    /** Bytes of the request ring all apps share; a power of two. */
    public static final String REQUEST_RING_CAPACITY_PROP = "mk.lrpc.request.ring.capacity";
    public static final int REQUEST_RING_CAPACITY_DEFAULT_BYTES = 256 * 1024;

    /** Largest request or reply body (24-byte request header included), bytes. */
    public static final String MESSAGE_LENGTH_MAX_PROP = "mk.lrpc.message.length.max";
    public static final int MESSAGE_LENGTH_MAX_DEFAULT_BYTES = 1024;

    /** Calls one app may have in flight; a power of two; sizes each reply ring. */
    public static final String OUTSTANDING_MAX_PROP = "mk.lrpc.outstanding.max";
    public static final int OUTSTANDING_MAX_DEFAULT = 128;

    /** Requests the kernel loop takes from the ring per duty cycle, so other duties keep running. */
    public static final String REQUESTS_PER_DUTY_CYCLE_MAX_PROP = "mk.lrpc.requests.per.duty.cycle.max";
    public static final int REQUESTS_PER_DUTY_CYCLE_MAX_DEFAULT = 256;
    /** REQUESTS_PER_DUTY_CYCLE_LIMIT: the largest value the setting above may take. */
    public static final int REQUESTS_PER_DUTY_CYCLE_LIMIT = 65_536;

    /** A client slot whose app has not heartbeated for this long and whose process is gone is freed, ms. */
    public static final String CLIENT_LIVENESS_TIMEOUT_PROP = "mk.lrpc.client.liveness.timeout.ms";
    public static final long CLIENT_LIVENESS_TIMEOUT_DEFAULT_MS = 5_000;

    /**
     * A core whose liveness timestamp is older than this is treated as not running, ms. An idle core
     * updates it at least every park (10 ms), a dozing one at every timer tick (at most 250 ms); this
     * leaves room for GC pauses.
     */
    public static final String CORE_LIVENESS_TIMEOUT_PROP = "mk.lrpc.core.liveness.timeout.ms";
    public static final long CORE_LIVENESS_TIMEOUT_DEFAULT_MS = 3_000;

    /** Per-call timeout of a client unless given, ms. */
    public static final String CALL_TIMEOUT_PROP = "mk.lrpc.call.timeout.ms";
    public static final long CALL_TIMEOUT_DEFAULT_MS = 5_000;

    /** Bounds of the timeouts above, ms. */
    public static final long TIMEOUT_MIN_MS = 1;
    public static final long TIMEOUT_MAX_MS = 600_000;

    /** How often the kernel loop looks for client slots of dead apps, ms. */
    public static final long SLOT_CHECK_INTERVAL_MS = 1_000;
    /** How often a client heartbeats its slot and checks the core's liveness, ms. */
    public static final long CLIENT_HEARTBEAT_INTERVAL_MS = 100;

    private LrpcConfiguration()
    {
    }

    /**
     * @return the layout from the properties (or defaults), checked.
     */
    public static LrpcLayout layout()
    {
        return LrpcLayout.of(
            Integer.getInteger(CLIENT_SLOTS_PROP, CLIENT_SLOTS_DEFAULT),
            Integer.getInteger(REQUEST_RING_CAPACITY_PROP, REQUEST_RING_CAPACITY_DEFAULT_BYTES),
            Integer.getInteger(MESSAGE_LENGTH_MAX_PROP, MESSAGE_LENGTH_MAX_DEFAULT_BYTES),
            Integer.getInteger(OUTSTANDING_MAX_PROP, OUTSTANDING_MAX_DEFAULT));
    }

    public static int requestsPerDutyCycleMax()
    {
        return Integer.getInteger(REQUESTS_PER_DUTY_CYCLE_MAX_PROP, REQUESTS_PER_DUTY_CYCLE_MAX_DEFAULT);
    }

    public static long clientLivenessTimeoutMs()
    {
        return Long.getLong(CLIENT_LIVENESS_TIMEOUT_PROP, CLIENT_LIVENESS_TIMEOUT_DEFAULT_MS);
    }

    public static long coreLivenessTimeoutMs()
    {
        return Long.getLong(CORE_LIVENESS_TIMEOUT_PROP, CORE_LIVENESS_TIMEOUT_DEFAULT_MS);
    }

    public static long callTimeoutNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(Long.getLong(CALL_TIMEOUT_PROP, CALL_TIMEOUT_DEFAULT_MS));
    }

    static void checkTimeoutMs(final String name, final long valueMs)
    {
        Bounds.check(name, valueMs, TIMEOUT_MIN_MS, TIMEOUT_MAX_MS, "ms");
    }

    /**
     * LRPC's settings for the configuration reference ({@code mk config}). The sizes are the core's;
     * clients read them from the channel's header.
     *
     * @return every setting above with its default and meaning.
     */
    public static List<Setting> settings()
    {
        return List.of(
            new Setting(CLIENT_SLOTS_PROP, Integer.toString(CLIENT_SLOTS_DEFAULT),
                "Apps that can attach to one core at once (at most " + LrpcLayout.CLIENT_SLOTS_MAX + ").",
                () -> Integer.toString(layout().clientSlots())),
            new Setting(REQUEST_RING_CAPACITY_PROP, Integer.toString(REQUEST_RING_CAPACITY_DEFAULT_BYTES),
                "Bytes of the request ring all apps share: a power of two, " + LrpcLayout.RING_CAPACITY_MIN_BYTES +
                ".." + LrpcLayout.RING_CAPACITY_MAX_BYTES + ".",
                () -> Integer.toString(layout().requestRingCapacity())),
            new Setting(MESSAGE_LENGTH_MAX_PROP, Integer.toString(MESSAGE_LENGTH_MAX_DEFAULT_BYTES),
                "Largest request or reply body, bytes (" + LrpcLayout.MESSAGE_LENGTH_MIN_BYTES + ".." +
                LrpcLayout.MESSAGE_LENGTH_MAX_BYTES + ").",
                () -> Integer.toString(layout().messageLengthMax())),
            new Setting(OUTSTANDING_MAX_PROP, Integer.toString(OUTSTANDING_MAX_DEFAULT),
                "Calls one app may have in flight: a power of two; sizes each app's reply ring.",
                () -> Integer.toString(layout().outstandingMax())),
            new Setting(REQUESTS_PER_DUTY_CYCLE_MAX_PROP, Integer.toString(REQUESTS_PER_DUTY_CYCLE_MAX_DEFAULT),
                "Requests the kernel loop takes from the ring per duty cycle.",
                () -> Integer.toString(requestsPerDutyCycleMax())),
            new Setting(CLIENT_LIVENESS_TIMEOUT_PROP, Long.toString(CLIENT_LIVENESS_TIMEOUT_DEFAULT_MS),
                "The slot of an app silent this long whose process is gone is freed, ms.",
                () -> Long.toString(clientLivenessTimeoutMs())),
            new Setting(CORE_LIVENESS_TIMEOUT_PROP, Long.toString(CORE_LIVENESS_TIMEOUT_DEFAULT_MS),
                "Client side: a core whose liveness stamp is older than this is not running, ms.",
                () -> Long.toString(coreLivenessTimeoutMs())),
            new Setting(CALL_TIMEOUT_PROP, Long.toString(CALL_TIMEOUT_DEFAULT_MS),
                "Client side: a call's timeout unless the call gives one, ms; it then ends TIMED_OUT (indefinite).",
                () -> Setting.milliseconds(callTimeoutNs())));
    }
}
