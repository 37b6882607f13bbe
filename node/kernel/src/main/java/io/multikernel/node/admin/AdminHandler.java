package io.multikernel.node.admin;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.multikernel.node.service.Health;
import io.multikernel.node.service.HealthSource;
import io.multikernel.node.service.JsonSource;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every request of the admin server: checks the request, routes it, calls the source on
 * the worker thread, turns any failure into a JSON error, writes the answer and counts it.
 *
 * <p>Checks run in this order, and the first that fails answers: overload (503), request target
 * longer than {@link AdminConfiguration#REQUEST_URI_LENGTH_MAX_BYTES} (414), unknown path (404),
 * method other than the route's (GET, or POST for {@code /bench/shootdown}: 405 with {@code Allow}; HEAD
 * included, so HEAD gets 405 too), declared body too long or chunked (413, connection closed). Query
 * strings are ignored, except by POST commands, which get them decoded ({@link AdminQuery}). The
 * request body is never read here, except for {@code /kv} and {@code /2pc}, which go to the configured
 * {@link AdminRoutes} with any method and a body of at most
 * {@link AdminConfiguration#REQUEST_BODY_LENGTH_MAX_BYTES}.
 */
final class AdminHandler implements HttpHandler
{
    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String ALLOWED_METHODS = "GET";

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final int ECHO_LENGTH_MAX_CHARS = 16;

    private final PrometheusMeterRegistry meterRegistry;
    private final HealthSource healthSource;
    private final JsonSource statusSource;
    private final JsonSource skbSource;
    private final AdminRoutes routes;
    private final AdminCommand shootdownBench;
    private final NanoClock nanoClock;
    private final AdminRequestMetrics metrics;
    private final AdminErrorLog errorLog;

    AdminHandler(final AdminServer.Context ctx, final AdminRequestMetrics metrics)
    {
        this.meterRegistry = ctx.meterRegistry();
        this.healthSource = ctx.healthSource();
        this.statusSource = ctx.statusSource();
        this.skbSource = ctx.skbSource();
        this.routes = ctx.routes();
        this.shootdownBench = ctx.shootdownBench();
        this.nanoClock = ctx.nanoClock();
        this.metrics = metrics;
        this.errorLog = new AdminErrorLog(ctx.nanoClock());
    }

    @Override
    public void handle(final HttpExchange exchange)
    {
        final long startNs = nanoClock.nanoTime();
        final String rawPath = exchange.getRequestURI().getRawPath();
        final AdminEndpoint endpoint = AdminEndpoint.of(rawPath);
        AdminResponse response = null;
        try
        {
            response = respond(exchange, endpoint, rawPath);
            send(exchange, response);
        }
        catch (final IOException ex)
        {
            LOG.debug("admin client went away before the answer to {} was written: {}", endpoint.tag(), ex.toString());
        }
        finally
        {
            metrics.onRequest(endpoint, null == response ? 500 : response.status(), nanoClock.nanoTime() - startNs);
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
        if (AdminEndpoint.UNKNOWN == endpoint)
        {
            return AdminResponse.error(404, "no such endpoint; use /metrics, /health, /status, /skb, /kv, /2pc or POST /bench/shootdown", rawPath);
        }
        if (endpoint.isRouted())
        {
            return routed(exchange, endpoint, rawPath);
        }
        final String method = exchange.getRequestMethod();
        if (!endpoint.method().equals(method))
        {
            return AdminResponse.error(405, "method " + AdminResponse.cut(method, ECHO_LENGTH_MAX_CHARS) +
                " is not allowed on " + endpoint.path() + "; use " + endpoint.method(), rawPath,
                Map.of("Allow", endpoint.method()));
        }
        final String bodyProblem = bodyProblem(exchange.getRequestHeaders());
        if (null != bodyProblem)
        {
            return AdminResponse.error(413, bodyProblem, rawPath, Map.of("Connection", "close"));
        }
        if (AdminEndpoint.BENCH_SHOOTDOWN == endpoint)
        {
            return command(endpoint, shootdownBench, exchange.getRequestURI().getRawQuery(), rawPath);
        }
        return serve(endpoint, rawPath);
    }

    private AdminResponse command(
        final AdminEndpoint endpoint, final AdminCommand command, final String rawQuery, final String rawPath)
    {
        try
        {
            return AdminResponse.json(200, command.run(AdminQuery.parse(rawQuery)));
        }
        catch (final AdminCommandException ex)
        {
            return AdminResponse.error(ex.status(), AdminResponse.cut(ex.getMessage(),
                AdminConfiguration.ERROR_MESSAGE_LENGTH_MAX_CHARS), rawPath);
        }
        catch (final RuntimeException ex)
        {
            errorLog.onSourceError(endpoint, ex);
            return AdminResponse.error(500, endpoint.tag() + " failed: " + AdminResponse.cut(ex.getClass().getSimpleName() +
                (null == ex.getMessage() ? "" : ": " + ex.getMessage()), AdminConfiguration.ERROR_MESSAGE_LENGTH_MAX_CHARS) +
                "; see the core's log", rawPath);
        }
    }

    /**
     * An added route ({@link AdminRoutes}): any method, a body of at most
     * {@link AdminConfiguration#REQUEST_BODY_LENGTH_MAX_BYTES}.
     */
    private AdminResponse routed(final HttpExchange exchange, final AdminEndpoint endpoint, final String rawPath)
    {
        if (null == routes)
        {
            return AdminResponse.error(404, endpoint.path() + " is not served: this core runs no replication", rawPath);
        }
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
            final AdminRoutes.AdminReply reply = routes.handle(
                exchange.getRequestMethod(), rawPath, exchange.getRequestURI().getRawQuery(), body);
            return AdminResponse.json(reply.status(), reply.json());
        }
        catch (final RuntimeException ex)
        {
            errorLog.onSourceError(endpoint, ex);
            final String detail = AdminResponse.cut(
                ex.getClass().getSimpleName() + (null == ex.getMessage() ? "" : ": " + ex.getMessage()),
                AdminConfiguration.ERROR_MESSAGE_LENGTH_MAX_CHARS);
            return AdminResponse.error(500, endpoint.tag() + " failed: " + detail + "; see the core's log", rawPath);
        }
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
            return switch (endpoint)
            {
                case METRICS -> AdminResponse.text(200, METRICS_CONTENT_TYPE, meterRegistry.scrape());
                case HEALTH -> health();
                case STATUS -> published(endpoint, statusSource.json(), rawPath);
                case SKB -> published(endpoint, skbSource.json(), rawPath);
                case KV, TWO_PC, BENCH_SHOOTDOWN, UNKNOWN -> throw new IllegalStateException(endpoint + " reached serve()");
            };
        }
        catch (final Exception ex)
        {
            errorLog.onSourceError(endpoint, ex);
            final String detail = AdminResponse.cut(
                ex.getClass().getSimpleName() + (null == ex.getMessage() ? "" : ": " + ex.getMessage()),
                AdminConfiguration.ERROR_MESSAGE_LENGTH_MAX_CHARS);
            return AdminResponse.error(500, endpoint.tag() + " source failed: " + detail + "; see the core's log",
                rawPath);
        }
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
