package io.multikernel.transport;

import io.multikernel.common.Bounds;
import io.multikernel.common.Sizes;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.multikernel.common.Setting;

/**
 * The one place transport settings get their property names and defaults. Every setting can be given
 * as a system property ({@code -Dmk.urpc.term.length=1m}); contexts read these as defaults and
 * validate them in {@code conclude()}.
 *
 * <h2>/dev/shm budget</h2>
 * Each core's inbox is one shared IPC log of {@code 3 x termLength} plus a small metadata page, and
 * the driver's CnC file is about 11.5 MiB (its counters sized by the driver). With the default
 * 256 KiB term that is about 0.8 MiB per core over IPC: 16 cores ~ 24 MiB, 64 cores ~ 63 MiB. Over UDP each (sending host,
 * inbox) pair costs one such log at the sender and one at the receiver.
 */
public final class TransportConfiguration
{
    /** Directory of the media driver (CnC file, logs). */
    public static final String AERON_DIR_PROP = "mk.aeron.dir";

    /** Term length of every URPC log, bytes; power of two between 64 KiB and 1 GiB. */
    public static final String TERM_LENGTH_PROP = "mk.urpc.term.length";
    public static final int TERM_LENGTH_DEFAULT_BYTES = 256 * 1024;
    public static final int TERM_LENGTH_MIN_BYTES = 64 * 1024;
    public static final int TERM_LENGTH_MAX_BYTES = 1024 * 1024 * 1024;

    /** Largest URPC message, bytes; at most termLength / 8 (Aeron's limit). */
    public static final String MESSAGE_LENGTH_MAX_PROP = "mk.urpc.message.length.max";

    /** Attempts a send makes while the destination is back pressured before reporting it. */
    public static final String SEND_RETRY_ATTEMPTS_PROP = "mk.urpc.send.retry.attempts";
    public static final int SEND_RETRY_ATTEMPTS_DEFAULT = 64;
    public static final int SEND_RETRY_ATTEMPTS_MAX = 1_000_000;

    /** Pack the messages a core sends to one peer in one duty cycle into one frame: true or false. */
    public static final String BATCHING_PROP = "mk.urpc.batching";

    /** Fragments read from the inbox per poll. */
    public static final String POLL_FRAGMENTS_MAX_PROP = "mk.urpc.poll.fragments.max";
    public static final int POLL_FRAGMENTS_MAX_DEFAULT = 64;

    /**
     * How long the Aeron client's conductor thread (keepalives to the driver, image callbacks) sleeps
     * between duty cycles in an endpoint that owns its client, ms (1..1000). Aeron's default of 16 ms
     * woke each idle core's conductor ~130 times a second; it only has to beat the driver's client
     * liveness timeout ({@value #LIVENESS_TIMEOUT_PROP}, 5 s by default) with 500 ms keepalives. Aeron's own
     * {@code aeron.client.idle.sleep.duration} wins when it is set.
     */
    public static final String AERON_CLIENT_IDLE_SLEEP_PROP = "mk.aeron.client.idle.sleep.ms";
    public static final long AERON_CLIENT_IDLE_SLEEP_DEFAULT_MS = 100;
    public static final long AERON_CLIENT_IDLE_SLEEP_MAX_MS = 1_000;

    /** Idle strategy of the media driver's threads. */
    public static final String DRIVER_IDLE_PROP = "mk.driver.idle";
    public static final String DRIVER_IDLE_DEFAULT = "backoff";

    /** Longest park of the backoff and sleeping idle strategies, microseconds. */
    public static final String IDLE_PARK_MAX_PROP = "mk.idle.park.max.us";
    public static final long IDLE_PARK_MAX_DEFAULT_US = 1000;

    /**
     * How long an endpoint whose Aeron client closed keeps trying to connect a new one while its
     * media driver is silent (stopped, or gone), ms; then the core stops.
     */
    public static final String DRIVER_RECONNECT_TIMEOUT_PROP = "mk.urpc.driver.reconnect.timeout.ms";
    public static final long DRIVER_RECONNECT_TIMEOUT_DEFAULT_MS = 60_000;
    public static final long DRIVER_RECONNECT_TIMEOUT_MAX_MS = 3_600_000;

    /** Media driver threading mode: SHARED, SHARED_NETWORK or DEDICATED. */
    public static final String DRIVER_THREADING_PROP = "mk.driver.threading";
    public static final String DRIVER_THREADING_DEFAULT = "SHARED";

    /**
     * How long the driver waits for a silent client or image before it declares it gone, ms. This is
     * what turns a kill -9 into "not connected" at the peers.
     */
    public static final String LIVENESS_TIMEOUT_PROP = "mk.driver.liveness.timeout.ms";
    public static final long LIVENESS_TIMEOUT_DEFAULT_MS = 5000;
    public static final long LIVENESS_TIMEOUT_MIN_MS = 200;

    /** IPC and UDP stream ids of core N's inbox are INBOX_STREAM_ID_BASE + N. */
    public static final int INBOX_STREAM_ID_BASE = 1000;

    private TransportConfiguration()
    {
    }

    public static String aeronDirectory()
    {
        final String configured = System.getProperty(AERON_DIR_PROP);
        if (null != configured && !configured.isBlank())
        {
            return configured;
        }
        final File shm = new File("/dev/shm");
        final String base = shm.isDirectory() ? shm.getPath() : System.getProperty("java.io.tmpdir");
        return base + File.separator + "mk-aeron-" + System.getProperty("user.name", "default");
    }

    public static int termLength()
    {
        return Sizes.intProperty(TERM_LENGTH_PROP, TERM_LENGTH_DEFAULT_BYTES);
    }

    /**
     * @param termLength of the URPC logs.
     * @return the configured maximum message length, or {@link #messageLengthLimit} when unset.
     */
    public static int messageLengthMax(final int termLength)
    {
        final String configured = System.getProperty(MESSAGE_LENGTH_MAX_PROP);
        return null == configured ? messageLengthLimit(termLength) : Sizes.parseInt(MESSAGE_LENGTH_MAX_PROP, configured);
    }

    /**
     * @param termLength of the URPC logs.
     * @return the longest message a frame of that term can carry: Aeron's limit of an eighth of a
     *         term, less the seal every frame ends with ({@link FrameAuthenticator#SEAL_LENGTH_BYTES}).
     */
    public static int messageLengthLimit(final int termLength)
    {
        return termLength / 8 - FrameAuthenticator.SEAL_LENGTH_BYTES;
    }

    /**
     * Longest IPC frame, header included. Aeron's default (1,408 bytes, a UDP datagram) is a network
     * limit that shared memory does not have, and a batch is one frame: at a 64-byte payload a
     * 1,408-byte frame carries 12 messages, a 32 KiB one about 300, so the per-frame costs (the seal's
     * tag, the offer, the poll) are spread over 25 times as many messages.
     */
    public static final int IPC_MTU_MAX_BYTES = 32 * 1024;

    /**
     * @param termLength of the URPC logs.
     * @return the IPC frame length: {@link #IPC_MTU_MAX_BYTES}, or an eighth of the term (Aeron's
     *         longest unfragmented message) when that is less.
     */
    public static int ipcMtu(final int termLength)
    {
        return Math.min(IPC_MTU_MAX_BYTES, termLength / 8);
    }

    public static int sendRetryAttempts()
    {
        return Integer.getInteger(SEND_RETRY_ATTEMPTS_PROP, SEND_RETRY_ATTEMPTS_DEFAULT);
    }

    public static boolean batching()
    {
        return Boolean.parseBoolean(System.getProperty(BATCHING_PROP, "true"));
    }

    public static int pollFragmentsMax()
    {
        return Integer.getInteger(POLL_FRAGMENTS_MAX_PROP, POLL_FRAGMENTS_MAX_DEFAULT);
    }

    public static String driverIdle()
    {
        return System.getProperty(DRIVER_IDLE_PROP, DRIVER_IDLE_DEFAULT);
    }

    public static long idleParkMaxNs()
    {
        return TimeUnit.MICROSECONDS.toNanos(Long.getLong(IDLE_PARK_MAX_PROP, IDLE_PARK_MAX_DEFAULT_US));
    }

    /**
     * @return the Aeron client conductor's sleep, ns.
     * @throws IllegalArgumentException when the property is outside 1..1000 ms.
     */
    public static long aeronClientIdleSleepNs()
    {
        final long ms = Bounds.check(AERON_CLIENT_IDLE_SLEEP_PROP,
            Long.getLong(AERON_CLIENT_IDLE_SLEEP_PROP, AERON_CLIENT_IDLE_SLEEP_DEFAULT_MS), 1, AERON_CLIENT_IDLE_SLEEP_MAX_MS, "ms");
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }

    /**
     * @return {@value #DRIVER_RECONNECT_TIMEOUT_PROP}, ms (0..{@value #DRIVER_RECONNECT_TIMEOUT_MAX_MS}).
     * @throws IllegalArgumentException when it is not a whole number in that range.
     */
    public static long driverReconnectTimeoutMs()
    {
        final String configured = System.getProperty(DRIVER_RECONNECT_TIMEOUT_PROP);
        if (null == configured)
        {
            return DRIVER_RECONNECT_TIMEOUT_DEFAULT_MS;
        }
        try
        {
            return Bounds.check(DRIVER_RECONNECT_TIMEOUT_PROP, Long.parseLong(configured.trim()), 0,
                DRIVER_RECONNECT_TIMEOUT_MAX_MS, "ms");
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(DRIVER_RECONNECT_TIMEOUT_PROP + "=" + configured +
                " is not a whole number of milliseconds");
        }
    }

    public static String driverThreading()
    {
        return System.getProperty(DRIVER_THREADING_PROP, DRIVER_THREADING_DEFAULT);
    }

    public static long livenessTimeoutNs()
    {
        return TimeUnit.MILLISECONDS.toNanos(Long.getLong(LIVENESS_TIMEOUT_PROP, LIVENESS_TIMEOUT_DEFAULT_MS));
    }

    /**
     * @param coreId of the inbox owner.
     * @return the stream id of that core's inbox on IPC and UDP.
     */
    public static int inboxStreamId(final int coreId)
    {
        return INBOX_STREAM_ID_BASE + coreId;
    }

    /**
     * The transport's settings for the configuration reference ({@code mk config}). A core's kernel
     * loop takes its idle strategy from {@code mk.core.idle}.
     *
     * @return every setting above with its default and meaning.
     */
    public static List<Setting> settings()
    {
        final String userName = System.getProperty("user.name", "default");
        return List.of(
            new Setting(AERON_DIR_PROP, "/dev/shm/mk-aeron-$USER",
                "Media driver directory (CnC file, logs); under java.io.tmpdir where there is no /dev/shm.",
                () -> aeronDirectory().replace("mk-aeron-" + userName, "mk-aeron-$USER")),
            new Setting(TERM_LENGTH_PROP, Setting.size(TERM_LENGTH_DEFAULT_BYTES),
                "Term length of every URPC log: a power of two, " + Setting.size(TERM_LENGTH_MIN_BYTES) + ".." +
                Setting.size(TERM_LENGTH_MAX_BYTES) + "; each inbox takes 3 terms of /dev/shm.",
                () -> Setting.size(termLength())),
            new Setting(MESSAGE_LENGTH_MAX_PROP, Integer.toString(messageLengthLimit(TERM_LENGTH_DEFAULT_BYTES)),
                "Largest URPC message, bytes: at most term length / 8 (Aeron's limit) less the " +
                FrameAuthenticator.SEAL_LENGTH_BYTES + "-byte frame seal; unset, it follows the term length.",
                () -> Setting.size(messageLengthMax(termLength()))),
            new Setting(SEND_RETRY_ATTEMPTS_PROP, Integer.toString(SEND_RETRY_ATTEMPTS_DEFAULT),
                "Tries while the destination is back pressured before a send reports BACK_PRESSURED (at most " +
                SEND_RETRY_ATTEMPTS_MAX + ").",
                () -> Integer.toString(sendRetryAttempts())),
            new Setting(BATCHING_PROP, "true",
                "Pack the messages a core sends to one peer in one duty cycle into one frame.",
                () -> Boolean.toString(batching())),
            new Setting(POLL_FRAGMENTS_MAX_PROP, Integer.toString(POLL_FRAGMENTS_MAX_DEFAULT),
                "Fragments read from the inbox per poll.",
                () -> Integer.toString(pollFragmentsMax())),
            new Setting(AERON_CLIENT_IDLE_SLEEP_PROP, Long.toString(AERON_CLIENT_IDLE_SLEEP_DEFAULT_MS),
                "Sleep of an endpoint's Aeron client conductor between cycles, ms (1.." +
                AERON_CLIENT_IDLE_SLEEP_MAX_MS + "); aeron.client.idle.sleep.duration wins when set.",
                () -> Setting.milliseconds(aeronClientIdleSleepNs())),
            new Setting(DRIVER_RECONNECT_TIMEOUT_PROP, Long.toString(DRIVER_RECONNECT_TIMEOUT_DEFAULT_MS),
                "How long a core whose Aeron client closed (it, or its media driver, was stopped or starved) keeps " +
                "trying to connect a new one while the driver gives no heartbeat, ms (0.." +
                DRIVER_RECONNECT_TIMEOUT_MAX_MS + "); then the core stops.",
                () -> Long.toString(driverReconnectTimeoutMs())),
            new Setting(DRIVER_IDLE_PROP, DRIVER_IDLE_DEFAULT,
                "Idle strategy of the media driver's threads: busy-spin, yielding, backoff or sleeping.",
                TransportConfiguration::driverIdle),
            new Setting(IDLE_PARK_MAX_PROP, Long.toString(IDLE_PARK_MAX_DEFAULT_US),
                "Longest park of the media driver's backoff and sleeping idle strategies, us.",
                () -> Setting.microseconds(idleParkMaxNs())),
            new Setting(DRIVER_THREADING_PROP, DRIVER_THREADING_DEFAULT,
                "Media driver threading mode: SHARED, SHARED_NETWORK or DEDICATED.",
                TransportConfiguration::driverThreading),
            new Setting(LIVENESS_TIMEOUT_PROP, Long.toString(LIVENESS_TIMEOUT_DEFAULT_MS),
                "Silence after which the driver drops a client or image, ms (at least " + LIVENESS_TIMEOUT_MIN_MS +
                "): how soon a kill -9 reads as not connected.",
                () -> Setting.milliseconds(livenessTimeoutNs())));
    }
}
