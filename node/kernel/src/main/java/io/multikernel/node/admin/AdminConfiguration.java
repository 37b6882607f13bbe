package io.multikernel.node.admin;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.multikernel.common.Setting;
import io.multikernel.node.cluster.ClusterLimits;

/**
 * The one place the admin HTTP server's settings get their property names, defaults and limits.
 * {@link AdminServer.Context} starts from the accessors here and its setters override them; the
 * limits are fixed.
 *
 * <h2>Limits the JDK server enforces for us</h2>
 * The JDK's {@code com.sun.net.httpserver} reads request lines and headers itself (at most
 * {@code sun.net.httpserver.maxReqHeaderSize}, 384 KiB by default) and, when an exchange closes,
 * discards an unread request body of at most {@code sun.net.httpserver.drainAmount} (64 KiB) before
 * it closes the connection instead. A client still sending its request after
 * {@link #REQUEST_READ_TIMEOUT_S} s is disconnected ({@code sun.net.httpserver.maxReqTime}, which
 * {@link AdminServer} sets unless the JVM was started with it; the JDK reads it once per JVM).
 * Responses have no such limit: a request may legitimately wait up to the replication's admin
 * timeout for the kernel loop, and answers are small enough for the socket's buffer.
 */
public final class AdminConfiguration
{
    /** Address the admin server binds to; loopback unless an operator opens it up. */
    public static final String BIND_ADDRESS_PROP_NAME = "mk.admin.bind.address";
    public static final String BIND_ADDRESS_DEFAULT = ClusterLimits.DEFAULT_ADMIN_BIND_ADDRESS;

    /** TCP port of the admin server; 0 asks the kernel for an ephemeral port. */
    public static final String PORT_PROP_NAME = "mk.admin.port";
    public static final int PORT_DEFAULT = 0;
    public static final int PORT_MAX = 65_535;

    /** Worker threads that serve requests. Scrapes and operators are rare; two keep one slow call from blocking all. */
    public static final String THREAD_COUNT_PROP_NAME = "mk.admin.threads";
    /**
     * A worker reads a request's headers and body itself, so a client that sends half a request holds
     * one until {@link #REQUEST_READ_TIMEOUT_S}: with four, three such clients still leave one for
     * {@code /health} and {@code mk status}.
     */
    public static final int THREAD_COUNT_DEFAULT = 4;
    public static final int THREAD_COUNT_MAX = 16;

    /** Requests waiting for a worker; beyond this they are answered 503 at once. */
    public static final String QUEUE_CAPACITY_PROP_NAME = "mk.admin.queue.capacity";
    public static final int QUEUE_CAPACITY_DEFAULT_REQUESTS = 16;
    public static final int QUEUE_CAPACITY_MAX_REQUESTS = 1_024;

    /** Longest request target (path plus query) served; longer ones get 414. Targets are ASCII, so chars are bytes. */
    public static final int REQUEST_URI_LENGTH_MAX_BYTES = 2_048;

    /**
     * Largest request body: a service's endpoint reads at most this much and answers 413 beyond it;
     * the server's own GET routes ignore a body up to this length and answer 413 for a longer or
     * chunked one. Either way the connection is closed after a 413, so at most this much is
     * discarded (the JDK's default drain amount).
     */
    public static final long REQUEST_BODY_LENGTH_MAX_BYTES = 64 * 1024;

    /**
     * Shortest admin token accepted: the cluster's token is 64 hex digits (256 bits); a short one
     * set by hand could be guessed.
     */
    public static final int TOKEN_LENGTH_MIN_CHARS = 32;

    /** Longest request path echoed back in an error body; longer paths are cut and marked. */
    public static final int ERROR_PATH_LENGTH_MAX_CHARS = 128;

    /** Longest exception message echoed in a 500 body; the full error goes to the log. */
    public static final int ERROR_MESSAGE_LENGTH_MAX_CHARS = 200;

    /** Connections the kernel queues before the server accepts them. */
    public static final int ACCEPT_BACKLOG_CONNECTIONS = 64;

    /** Requests the overload responder may hold while answering 503; beyond this connections are closed. */
    public static final int OVERLOAD_QUEUE_CAPACITY_REQUESTS = 64;

    /** How long {@link AdminServer#stop()} waits for running requests after the port is released. */
    public static final long STOP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Longest a client may take to send one request, line, headers and body, s: ample for the largest
     * body ({@link #REQUEST_BODY_LENGTH_MAX_BYTES}) on any link an admin client uses, and short enough
     * that a client stalled mid-request holds a worker for seconds, not tens of them.
     */
    public static final long REQUEST_READ_TIMEOUT_S = 3;
    /** How often requests past {@link #REQUEST_READ_TIMEOUT_S} are looked for, ms (one wake-up of a JDK timer). */
    public static final long REQUEST_READ_CHECK_INTERVAL_MS = 2_000;

    /** Repeats of the same source failure within this interval are counted but not logged. */
    public static final long ERROR_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    /** Seconds a client is told to wait after a 503 for overload. */
    public static final int RETRY_AFTER_SECONDS = 1;

    private AdminConfiguration()
    {
    }

    public static String bindAddress()
    {
        return System.getProperty(BIND_ADDRESS_PROP_NAME, BIND_ADDRESS_DEFAULT);
    }

    public static int port()
    {
        return Integer.getInteger(PORT_PROP_NAME, PORT_DEFAULT);
    }

    public static int threadCount()
    {
        return Integer.getInteger(THREAD_COUNT_PROP_NAME, THREAD_COUNT_DEFAULT);
    }

    public static int queueCapacity()
    {
        return Integer.getInteger(QUEUE_CAPACITY_PROP_NAME, QUEUE_CAPACITY_DEFAULT_REQUESTS);
    }

    /**
     * The admin server's settings for the configuration reference ({@code mk config}).
     *
     * @return every setting above with its default and meaning.
     */
    public static List<Setting> settings()
    {
        return List.of(
            new Setting(BIND_ADDRESS_PROP_NAME, BIND_ADDRESS_DEFAULT,
                "Address the admin server binds to; a core takes its own from the cluster map instead.",
                AdminConfiguration::bindAddress),
            new Setting(PORT_PROP_NAME, Integer.toString(PORT_DEFAULT),
                "Admin server port, 0 for an ephemeral one; a core takes its own from the cluster map instead.",
                () -> Integer.toString(port())),
            new Setting(THREAD_COUNT_PROP_NAME, Integer.toString(THREAD_COUNT_DEFAULT),
                "Worker threads serving admin requests (at most " + THREAD_COUNT_MAX + ").",
                () -> Integer.toString(threadCount())),
            new Setting(QUEUE_CAPACITY_PROP_NAME, Integer.toString(QUEUE_CAPACITY_DEFAULT_REQUESTS),
                "Requests waiting for a worker; beyond this they are answered 503 at once (at most " +
                QUEUE_CAPACITY_MAX_REQUESTS + ").",
                () -> Integer.toString(queueCapacity())));
    }
}
