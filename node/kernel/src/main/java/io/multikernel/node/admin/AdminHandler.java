package io.multikernel.node.admin;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.multikernel.common.RateLimitedErrorLog;
import io.multikernel.node.service.Health;
import io.multikernel.node.service.HealthSource;
import io.multikernel.node.service.JsonSource;
import io.multikernel.node.service.ServiceException;
import io.multikernel.node.service.ServiceRequest;
import io.multikernel.node.service.ServiceResponse;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every request of the admin server: checks the request, routes it, calls the source or the
 * service's handler on the worker thread, turns any failure into a JSON error, writes the answer and
 * counts it.
 *
 * <p>Checks run in this order, and the first that fails answers: overload (503), request target
 * longer than {@link AdminConfiguration#REQUEST_URI_LENGTH_MAX_BYTES} (414), on a server bound
 * beyond loopback a missing, malformed or wrong bearer token on anything but {@code GET /metrics}
 * and {@code GET /health} (401 with {@code WWW-Authenticate: Bearer}, counted by reason; the body is
 * never read and the connection is closed), a path no route answers (404, naming the paths served), a method the route does not take (405 with {@code Allow};
 * HEAD included, so HEAD gets 405 too). Then the server's own routes refuse a declared body longer
 * than {@link AdminConfiguration#REQUEST_BODY_LENGTH_MAX_BYTES} or chunked (413, connection closed),
 * ignore a shorter one and ignore the query. A service's route reads a body of at most that length
 * (413 beyond it), decodes the query ({@link AdminQuery}, 400 when malformed) and hands both to the
 * service's handler.
 */
final class AdminHandler implements HttpHandler
{
    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final int ECHO_LENGTH_MAX_CHARS = 16;
    /**
     * Sent with every 401. The connection closes so the JDK does not drain an unauthenticated body
     * to keep it alive for the next request.
     */
    private static final Map<String, String> UNAUTHORIZED_HEADERS =
        Map.of("WWW-Authenticate", AdminAuthorization.SCHEME, "Connection", "close");

    /** This process, as {@link AdminServer#EXPECTED_PID_HEADER} names it. */
    private static final String SELF_PID = Long.toString(ProcessHandle.current().pid());

    private final PrometheusMeterRegistry meterRegistry;
    private final HealthSource healthSource;
    private final JsonSource statusSource;
    private final JsonSource skbSource;
    private final AdminEndpoints endpoints;
    private final AdminAuthorization authorization;
    private final NanoClock nanoClock;
    private final AdminRequestMetrics metrics;
    private final Runnable kernelWaker;
    /** Failures of sources, rate limited per endpoint; shared by the worker threads, so used under its lock. */
    private final RateLimitedErrorLog errorLog;

    AdminHandler(final AdminServer.Context ctx, final AdminRequestMetrics metrics)
    {
        this.meterRegistry = ctx.meterRegistry();
        this.healthSource = ctx.healthSource();
        this.statusSource = ctx.statusSource();
        this.skbSource = ctx.skbSource();
        this.endpoints = ctx.endpoints();
        this.authorization = ctx.authorization();
        this.nanoClock = ctx.nanoClock();
        this.metrics = metrics;
        this.kernelWaker = ctx.kernelWaker();
        this.errorLog = new RateLimitedErrorLog(LOG, ctx.nanoClock(), AdminConfiguration.ERROR_LOG_INTERVAL_NS,
            Math.max(1, endpoints.count()));
    }

    @Override
    public void handle(final HttpExchange exchange)
    {
        final long startNs = nanoClock.nanoTime();
        final String rawPath = exchange.getRequestURI().getRawPath();
        final AdminEndpoint endpoint = endpoints.route(rawPath);
        boolean counted = false;
        try
        {
            final AdminResponse response = respond(exchange, endpoint, rawPath);
            // Counted before the answer is written: a client that has its answer finds it counted.
            metrics.onRequest(endpoint, response.status(), nanoClock.nanoTime() - startNs);
            counted = true;
            send(exchange, response);
        }
        catch (final IOException ex)
        {
            LOG.debug("admin client went away before the answer to {} was written: {}", endpoint.tag(), ex.toString());
        }
        finally
        {
            if (!counted)
            {
                metrics.onRequest(endpoint, 500, nanoClock.nanoTime() - startNs);
            }
            exchange.close();
        }
    }

    private AdminResponse respond(final HttpExchange exchange, final AdminEndpoint endpoint, final String rawPath)
    {
        if (AdminWorkers.isOverloadResponder())
        {
            return AdminResponse.error(503, "admin server is busy; retry after " +
                AdminConfiguration.RETRY_AFTER_SECONDS + " s", rawPath,
                Map.of("Retry-After", Integer.toString(AdminConfiguration.RETRY_AFTER_SECONDS)));
        }
        final int targetLength = exchange.getRequestURI().toString().length();
        if (targetLength > AdminConfiguration.REQUEST_URI_LENGTH_MAX_BYTES)
        {
            return AdminResponse.error(414, "request target of " + targetLength +
                " bytes is longer than the limit of " + AdminConfiguration.REQUEST_URI_LENGTH_MAX_BYTES + " bytes", rawPath);
        }
        final String method = exchange.getRequestMethod();
        final AdminAuthorization.Refusal refusal = authorization.check(endpoint, method, exchange.getRequestHeaders());
        if (null != refusal)
        {
            metrics.onUnauthorized(refusal);
            return AdminResponse.error(401, refusal.message(), rawPath, UNAUTHORIZED_HEADERS);
        }
        final String expectedPid = exchange.getRequestHeaders().getFirst(AdminServer.EXPECTED_PID_HEADER);
        if (null != expectedPid && !expectedPid.strip().equals(SELF_PID))
        {
            return AdminResponse.error(409, AdminServer.OTHER_PROCESS_ERROR + SELF_PID + ", not by process " +
                expectedPid.strip() + " that the request is for: that core is not running, and another process " +
                "holds its port (another cluster?)", rawPath);
        }
        if (AdminEndpoint.UNKNOWN == endpoint)
        {
            return AdminResponse.error(404, "no such endpoint; use " + endpoints.served(), rawPath);
        }
        if (!endpoint.methods().contains(method))
        {
            return refused(ServiceException.methodNotAllowed(method, rawPath, endpoint.methods()), rawPath);
        }
        if (AdminEndpoint.Kind.SERVICE == endpoint.kind())
        {
            return service(exchange, endpoint, method, rawPath);
        }
        final String bodyProblem = bodyProblem(exchange.getRequestHeaders());
        if (null != bodyProblem)
        {
            return AdminResponse.error(413, bodyProblem, rawPath, Map.of("Connection", "close"));
        }
        return serve(endpoint, rawPath);
    }

    /**
     * A service's route: a body of at most {@link AdminConfiguration#REQUEST_BODY_LENGTH_MAX_BYTES},
     * the decoded query, then the handler.
     */
    private AdminResponse service(
        final HttpExchange exchange, final AdminEndpoint endpoint, final String method, final String rawPath)
    {
        final byte[] body;
        try
        {
            body = exchange.getRequestBody().readNBytes((int)AdminConfiguration.REQUEST_BODY_LENGTH_MAX_BYTES + 1);
        }
        catch (final IOException ex)
        {
            return AdminResponse.error(400, "request body could not be read: " +
                AdminResponse.cut(ex.getMessage(), AdminConfiguration.ERROR_MESSAGE_LENGTH_MAX_CHARS), rawPath);
        }
        if (body.length > AdminConfiguration.REQUEST_BODY_LENGTH_MAX_BYTES)
        {
            return AdminResponse.error(413, "request body is longer than " +
                AdminConfiguration.REQUEST_BODY_LENGTH_MAX_BYTES + " bytes", rawPath, Map.of("Connection", "close"));
        }
        try
        {
            final ServiceRequest request = new ServiceRequest(
                method, rawPath, AdminQuery.parse(exchange.getRequestURI().getRawQuery()), body);
            kernelWaker.run();
            final ServiceResponse response = endpoint.service().handler().handle(request);
            return AdminResponse.json(response.status(), response.json());
        }
        catch (final ServiceException ex)
        {
            return refused(ex, rawPath);
        }
        catch (final RuntimeException ex)
        {
            onSourceError(endpoint, ex);
            return AdminResponse.error(500, endpoint.tag() + " failed: " + detail(ex) + "; see the core's log", rawPath);
        }
    }

    private static AdminResponse refused(final ServiceException refusal, final String rawPath)
    {
        final String message = AdminResponse.cut(refusal.getMessage(), AdminConfiguration.ERROR_MESSAGE_LENGTH_MAX_CHARS);
        return refusal.allowedMethods().isEmpty() ?
            AdminResponse.error(refusal.status(), message, rawPath) :
            AdminResponse.error(refusal.status(), message, rawPath,
                Map.of("Allow", String.join(", ", refusal.allowedMethods())));
    }

    /**
     * @return why the declared request body is refused, or null when there is none or it is small
     * enough to be ignored.
     */
    static String bodyProblem(final Headers headers)
    {
        if (null != headers.getFirst("Transfer-Encoding"))
        {
            return "a chunked request body is not accepted; GET takes no body";
        }
        final String contentLength = headers.getFirst("Content-Length");
        if (null == contentLength)
        {
            return null;
        }
        long length;
        try
        {
            length = Long.parseLong(contentLength.trim());
        }
        catch (final NumberFormatException ex)
        {
            length = -1;
        }
        if (length < 0 || length > AdminConfiguration.REQUEST_BODY_LENGTH_MAX_BYTES)
        {
            return "request body of Content-Length=" + AdminResponse.cut(contentLength, ECHO_LENGTH_MAX_CHARS) +
                " is outside 0.." + AdminConfiguration.REQUEST_BODY_LENGTH_MAX_BYTES + " bytes; GET takes no body";
        }
        return null;
    }

    private AdminResponse serve(final AdminEndpoint endpoint, final String rawPath)
    {
        try
        {
            return switch (endpoint.kind())
            {
                case METRICS -> AdminResponse.text(200, METRICS_CONTENT_TYPE, meterRegistry.scrape());
                case HEALTH -> health();
                case STATUS -> published(endpoint, statusSource.json(), rawPath);
                case SKB -> published(endpoint, skbSource.json(), rawPath);
                case SERVICE, UNKNOWN -> throw new IllegalStateException(endpoint + " reached serve()");
            };
        }
        catch (final Exception ex)
        {
            onSourceError(endpoint, ex);
            return AdminResponse.error(500, endpoint.tag() + " source failed: " + detail(ex) + "; see the core's log",
                rawPath);
        }
    }

    private static String detail(final Exception ex)
    {
        return AdminResponse.cut(ex.getClass().getSimpleName() + (null == ex.getMessage() ? "" : ": " + ex.getMessage()),
            AdminConfiguration.ERROR_MESSAGE_LENGTH_MAX_CHARS);
    }

    private AdminResponse health()
    {
        final Health health = healthSource.health();
        if (null == health)
        {
            throw new IllegalStateException("health source returned null");
        }
        return AdminResponse.json(health.isUp() ? 200 : 503, health.toJson());
    }

    private static AdminResponse published(final AdminEndpoint endpoint, final String json, final String rawPath)
    {
        if (null == json)
        {
            return AdminResponse.error(503, endpoint.tag() + " has not been published yet; the core is starting, " +
                "retry shortly", rawPath);
        }
        return AdminResponse.json(200, json);
    }

    /**
     * Logs a failing source at most once per {@link AdminConfiguration#ERROR_LOG_INTERVAL_NS} per
     * endpoint, with how many failures were folded into the line; the HTTP client never sees it.
     */
    private void onSourceError(final AdminEndpoint endpoint, final Throwable error)
    {
        synchronized (errorLog)
        {
            errorLog.warn(endpoint.tag(), "admin {} source failed, answering 500: {}", endpoint.tag(), error.toString());
        }
    }

    private static void send(final HttpExchange exchange, final AdminResponse response) throws IOException
    {
        final Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", response.contentType());
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        response.headers().forEach(headers::set);
        final byte[] body = response.body();
        if ("HEAD".equals(exchange.getRequestMethod()) || 0 == body.length)
        {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(body);
        }
    }
}
