package io.multikernel.node.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;


import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.multikernel.common.Bounds;
import io.multikernel.node.service.Health;
import io.multikernel.node.service.HealthSource;
import io.multikernel.node.service.JsonSnapshot;
import io.multikernel.node.service.JsonSource;
import io.multikernel.node.service.ServiceApi;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * A core's admin HTTP server: {@code GET /metrics} (Prometheus text), {@code /health},
 * {@code /status} and {@code /skb} (JSON), bound to loopback unless configured otherwise; and the
 * views and commands of the services it is given ({@link ServiceApi}), routed by the paths they
 * declare.
 *
 * <p>Bound to loopback, the server trusts every local process. Bound to any other address, the
 * wildcard {@code 0.0.0.0} included, it demands the cluster's admin token
 * ({@link Context#token(String)}, from {@code ClusterSecret}) as {@code Authorization: Bearer <token>}
 * on every request but {@code GET /metrics} and {@code GET /health}, and refuses to start without
 * one. A refusal is 401 with {@code WWW-Authenticate: Bearer}, counted in
 * {@code mk_admin_unauthorized_total{reason}}.
 *
 * <p>Requests run on a few named worker threads with a bounded queue (see {@link AdminWorkers});
 * when those are full the answer is 503. The server never touches agent-owned state: the JSON comes
 * from {@link JsonSource}s and the health from a {@link HealthSource}, which return what the core's
 * agent has published (see {@link JsonSnapshot}), and services reach their agent through their own
 * bounded queues. Every answer is counted in
 * {@code mk_admin_requests_total{endpoint,status}} and timed in
 * {@code mk_admin_request_latency_seconds{endpoint}}. Errors are JSON
 * {@code {"error":"...","path":"..."}}, never a stack trace.
 *
 * <pre>{@code
 * AdminServer server = AdminServer.launch(new AdminServer.Context()
 *     .meterRegistry(coreMetrics.registry())
 *     .port(9400)
 *     .statusSource(statusSnapshot)
 *     .skbSource(skbSnapshot)
 *     .healthSource(healthReference::get)
 *     .services(List.of(replicationAdmin, shootdownBenchProxy))
 *     .token(clusterSecret.adminToken()));
 * ...
 * server.close(); // releases the port
 * }</pre>
 */
public final class AdminServer implements AutoCloseable
{
    /**
     * A request header naming the process the client means to reach: a client that knows which
     * process is the core (the CLI reads it from the run directory {@code mk up} recorded) sends it,
     * and a server in any other process refuses the request with 409. A core that died while another
     * cluster took its admin port is then not mistaken for that cluster's core, whose state would be
     * read or changed instead.
     */
    public static final String EXPECTED_PID_HEADER = "X-Mk-Core-Pid";

    /** How the refusal of a request meant for another process begins (409), for a client to recognise it. */
    public static final String OTHER_PROCESS_ERROR = "this admin port is served by process ";

    /**
     * The JDK server's switch for TCP_NODELAY on accepted connections, read once when its first server
     * starts. Off, it writes a response's headers and body in two segments and Nagle holds the body
     * until the client acknowledges the headers, which a client with delayed ACKs does after about
     * 40 ms: every request took about 48 ms instead of 1 ms.
     */
    static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";
    /**
     * The JDK server's limit on reading one request (line, headers and body), s: a connection still
     * sending its request after this long is closed, which frees the worker blocked reading it.
     * Without it a client that sends half a request holds a worker for good, and two such clients
     * stop the admin API. Read once when its first server starts.
     */
    static final String MAX_REQUEST_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";
    /** How often the JDK server looks for requests past {@link #MAX_REQUEST_TIME_PROPERTY}, ms. */
    static final String REQUEST_TIMER_PROPERTY = "sun.net.httpserver.timerMillis";

    static
    {
        defaultProperty(NO_DELAY_PROPERTY, "true");
        defaultProperty(MAX_REQUEST_TIME_PROPERTY, Long.toString(AdminConfiguration.REQUEST_READ_TIMEOUT_S));
        defaultProperty(REQUEST_TIMER_PROPERTY, Long.toString(AdminConfiguration.REQUEST_READ_CHECK_INTERVAL_MS));
    }

    /** Sets a JVM-wide property of the JDK server unless the JVM was started with one. */
    private static void defaultProperty(final String name, final String value)
    {
        if (null == System.getProperty(name))
        {
            System.setProperty(name, value);
        }
    }

    private final Context ctx;
    private final AdminWorkers workers;
    private final HttpServer httpServer;
    private final InetSocketAddress boundAddress;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private AdminServer(final Context ctx)
    {
        this.ctx = ctx;
        final AdminRequestMetrics metrics = new AdminRequestMetrics(ctx.meterRegistry(), ctx.endpoints());
        workers = new AdminWorkers(ctx.threadNamePrefix(), ctx.threadCount(), ctx.queueCapacity(), metrics);
        try
        {
            final InetSocketAddress address = new InetSocketAddress(ctx.bindInetAddress(), ctx.port());
            httpServer = HttpServer.create(address, AdminConfiguration.ACCEPT_BACKLOG_CONNECTIONS);
        }
        catch (final IOException ex)
        {
            workers.shutdown(0);
            throw new UncheckedIOException("admin server could not bind " + ctx.bindAddress() + ":" + ctx.port() +
                ": " + ex.getMessage() + "; choose another port or stop the process that holds it", ex);
        }
        httpServer.setExecutor(workers);
        httpServer.createContext("/", new AdminHandler(ctx, metrics));
        httpServer.start();
        boundAddress = httpServer.getAddress();
    }

    /**
     * Validate the context, bind and start serving.
     *
     * @param ctx settings; concluded here.
     * @return the running server.
     * @throws IllegalArgumentException naming a bad setting.
     * @throws UncheckedIOException     when the address cannot be bound.
     */
    public static AdminServer launch(final Context ctx)
    {
        return new AdminServer(ctx.conclude());
    }

    /** @return the concluded settings. */
    public Context context()
    {
        return ctx;
    }

    /** @return the address and port actually bound; the port is the kernel's choice when 0 was asked. */
    public InetSocketAddress boundAddress()
    {
        return boundAddress;
    }

    /** @return the port actually bound. */
    public int port()
    {
        return boundAddress.getPort();
    }

    /**
     * @return a base URL a local client can use, such as {@code http://127.0.0.1:9400}; a wildcard
     * bind is reported as loopback.
     */
    public String url()
    {
        InetAddress address = boundAddress.getAddress();
        if (address.isAnyLocalAddress())
        {
            address = InetAddress.getLoopbackAddress();
        }
        final String host = address.getHostAddress();
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port();
    }

    /** @return requests waiting for a worker right now. */
    int queuedRequests()
    {
        return workers.queuedRequests();
    }

    /**
     * Close the listening socket and every connection at once, then interrupt running requests and
     * wait up to {@link AdminConfiguration#STOP_TIMEOUT_NS} for the workers. The port is free when
     * this returns. Idempotent. Call it on shutdown: the JDK's {@code HTTP-Dispatcher} thread is not
     * a daemon and keeps the JVM alive until then.
     */
    public void stop()
    {
        if (stopped.compareAndSet(false, true))
        {
            httpServer.stop(0);
            workers.shutdown(AdminConfiguration.STOP_TIMEOUT_NS);
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close()
    {
        stop();
    }

    /**
     * Settings of an {@link AdminServer}. Defaults come from {@link AdminConfiguration}; a
     * {@link #meterRegistry(PrometheusMeterRegistry)} is required.
     */
    public static final class Context
    {
        private String bindAddress = AdminConfiguration.bindAddress();
        private InetAddress bindInetAddress;
        private int port = AdminConfiguration.port();
        private int threadCount = AdminConfiguration.threadCount();
        private int queueCapacity = AdminConfiguration.queueCapacity();
        private String threadNamePrefix = "mk-admin";
        private PrometheusMeterRegistry meterRegistry;
        private HealthSource healthSource = () -> Health.UP;
        private JsonSource statusSource = () -> null;
        private JsonSource skbSource = () -> null;
        private List<ServiceApi> services = List.of();
        private AdminEndpoints endpoints;
        private NanoClock nanoClock = SystemNanoClock.INSTANCE;
        private String token;
        private Runnable kernelWaker = () -> { };
        private AdminAuthorization authorization;

        /**
         * Validate once and resolve the bind address.
         *
         * @return this.
         * @throws IllegalArgumentException naming the bad value and the limit.
         */
        public Context conclude()
        {
            if (null == meterRegistry)
            {
                throw new IllegalArgumentException(
                    "meterRegistry is not set; /metrics needs a PrometheusMeterRegistry");
            }
            Bounds.check("port", port, 0, AdminConfiguration.PORT_MAX);
            Bounds.check("threadCount", threadCount, 1, AdminConfiguration.THREAD_COUNT_MAX);
            Bounds.check("queueCapacity", queueCapacity, 1, AdminConfiguration.QUEUE_CAPACITY_MAX_REQUESTS);
            if (null == threadNamePrefix || threadNamePrefix.isBlank())
            {
                throw new IllegalArgumentException("threadNamePrefix='" + threadNamePrefix + "' is blank");
            }
            bindInetAddress = resolve(bindAddress);
            authorization = authorization(bindAddress, bindInetAddress, token);
            Objects.requireNonNull(healthSource, "healthSource");
            Objects.requireNonNull(statusSource, "statusSource");
            Objects.requireNonNull(skbSource, "skbSource");
            Objects.requireNonNull(nanoClock, "nanoClock");
            endpoints = AdminEndpoints.of(services);
            return this;
        }

        /**
         * Loopback trusts every local process; any other address, the wildcard included, is reachable
         * from other machines, so it needs the cluster's token.
         */
        private static AdminAuthorization authorization(
            final String bindAddress, final InetAddress bindInetAddress, final String token)
        {
            if (null != token)
            {
                if (token.isBlank() || token.length() < AdminConfiguration.TOKEN_LENGTH_MIN_CHARS)
                {
                    throw new IllegalArgumentException("token of " + token.length() + " characters is shorter than " +
                        AdminConfiguration.TOKEN_LENGTH_MIN_CHARS + " or blank; give the cluster secret's admin token");
                }
            }
            if (bindInetAddress.isLoopbackAddress())
            {
                return AdminAuthorization.OPEN;
            }
            if (null == token)
            {
                throw new IllegalArgumentException("the admin API binds " + bindAddress +
                    ", beyond loopback, and has no token: give the cluster secret");
            }
            return AdminAuthorization.bearer(token);
        }

        private static InetAddress resolve(final String bindAddress)
        {
            if (null == bindAddress || bindAddress.isBlank())
            {
                throw new IllegalArgumentException(
                    "bindAddress='" + bindAddress + "' is blank; use 127.0.0.1 or 0.0.0.0");
            }
            try
            {
                return InetAddress.getByName(bindAddress);
            }
            catch (final UnknownHostException ex)
            {
                throw new IllegalArgumentException(
                    "bindAddress=" + bindAddress + " does not resolve to an address", ex);
            }
        }

        /** Address to bind: an IP literal or a host name; {@code 0.0.0.0} opens the server to every interface. */
        public Context bindAddress(final String bindAddress)
        {
            this.bindAddress = bindAddress;
            return this;
        }

        public String bindAddress()
        {
            return bindAddress;
        }

        InetAddress bindInetAddress()
        {
            return bindInetAddress;
        }

        /** TCP port; 0 lets the kernel choose (read it back with {@link AdminServer#port()}). */
        public Context port(final int port)
        {
            this.port = port;
            return this;
        }

        public int port()
        {
            return port;
        }

        /** Worker threads, 1..{@value AdminConfiguration#THREAD_COUNT_MAX}. */
        public Context threadCount(final int threadCount)
        {
            this.threadCount = threadCount;
            return this;
        }

        public int threadCount()
        {
            return threadCount;
        }

        /** Requests that may wait for a worker, 1..{@value AdminConfiguration#QUEUE_CAPACITY_MAX_REQUESTS}. */
        public Context queueCapacity(final int queueCapacity)
        {
            this.queueCapacity = queueCapacity;
            return this;
        }

        public int queueCapacity()
        {
            return queueCapacity;
        }

        /** Prefix of the worker thread names, for example {@code mk-admin-3} for core 3. */
        public Context threadNamePrefix(final String threadNamePrefix)
        {
            this.threadNamePrefix = threadNamePrefix;
            return this;
        }

        public String threadNamePrefix()
        {
            return threadNamePrefix;
        }

        /** Registry scraped by {@code /metrics}; the server's own request metrics register here too. */
        public Context meterRegistry(final PrometheusMeterRegistry meterRegistry)
        {
            this.meterRegistry = meterRegistry;
            return this;
        }

        public PrometheusMeterRegistry meterRegistry()
        {
            return meterRegistry;
        }

        /** Answers {@code /health}; defaults to always up. */
        public Context healthSource(final HealthSource healthSource)
        {
            this.healthSource = healthSource;
            return this;
        }

        public HealthSource healthSource()
        {
            return healthSource;
        }

        /** Answers {@code /status}: the core's identity, peers and their states; defaults to unpublished (503). */
        public Context statusSource(final JsonSource statusSource)
        {
            this.statusSource = statusSource;
            return this;
        }

        public JsonSource statusSource()
        {
            return statusSource;
        }

        /** Answers {@code /skb}: the core's System Knowledge Base facts; defaults to unpublished (503). */
        public Context skbSource(final JsonSource skbSource)
        {
            this.skbSource = skbSource;
            return this;
        }

        public JsonSource skbSource()
        {
            return skbSource;
        }

        /**
         * The services whose endpoints the server serves besides its own; none by default. Their
         * endpoints are read once, by {@link #conclude()}.
         */
        public Context services(final List<? extends ServiceApi> services)
        {
            this.services = List.copyOf(services);
            return this;
        }

        public List<ServiceApi> services()
        {
            return services;
        }

        /** @return the routing table built by {@link #conclude()}. */
        AdminEndpoints endpoints()
        {
            return endpoints;
        }

        /**
         * The cluster's admin token ({@code ClusterSecret.adminToken()}), or null for none. Required
         * when the server binds beyond loopback: every request but {@code GET /metrics} and
         * {@code GET /health} must then carry {@code Authorization: Bearer <token>}. A server bound to
         * loopback ignores it.
         */
        public Context token(final String token)
        {
            this.token = token;
            return this;
        }

        public String token()
        {
            return token;
        }

        /** @return the check built by {@link #conclude()}: open on loopback, the bearer token beyond. */
        AdminAuthorization authorization()
        {
            return authorization;
        }

        /**
         * Called before a service request is handed to its handler: wakes a dozing kernel loop, which
         * every service but the snapshot reads goes through. Must not block.
         */
        public Context kernelWaker(final Runnable kernelWaker)
        {
            this.kernelWaker = Objects.requireNonNull(kernelWaker, "kernelWaker");
            return this;
        }

        public Runnable kernelWaker()
        {
            return kernelWaker;
        }

        /** Clock for request latency and log rate limits. */
        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public NanoClock nanoClock()
        {
            return nanoClock;
        }
    }
}
