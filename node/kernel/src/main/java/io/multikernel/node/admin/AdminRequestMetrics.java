package io.multikernel.node.admin;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Request metrics of the admin server: {@code mk_admin_requests_total{endpoint,status}},
 * {@code mk_admin_request_latency_seconds{endpoint}},
 * {@code mk_admin_connections_dropped_total} and {@code mk_admin_unauthorized_total{reason}}. Label values come from the routes fixed when the server
 * starts ({@link AdminEndpoints}) and from the status codes answered, so cardinality stays bounded
 * whatever clients send.
 */
final class AdminRequestMetrics
{
    static final String REQUESTS_NAME = "mk.admin.requests";
    static final String LATENCY_NAME = "mk.admin.request.latency";
    static final String DROPPED_NAME = "mk.admin.connections.dropped";
    static final String UNAUTHORIZED_NAME = "mk.admin.unauthorized";
    static final String REASON_TAG = "reason";
    static final String ENDPOINT_TAG = "endpoint";
    static final String STATUS_TAG = "status";

    private final MeterRegistry registry;
    private final Timer[] latencyByEndpoint;
    private final Counter droppedConnections;
    private final Counter[] unauthorizedByRefusal;

    AdminRequestMetrics(final MeterRegistry registry, final AdminEndpoints endpoints)
    {
        this.registry = registry;
        latencyByEndpoint = new Timer[endpoints.count()];
        for (final AdminEndpoint endpoint : endpoints.all())
        {
            latencyByEndpoint[endpoint.index()] = Timer.builder(LATENCY_NAME)
                .description("Time to answer one admin HTTP request, from handler entry to response written")
                .tag(ENDPOINT_TAG, endpoint.tag())
                .register(registry);
        }
        droppedConnections = Counter.builder(DROPPED_NAME)
            .description("Admin connections closed unanswered: workers and overload responder were both full")
            .register(registry);
        final AdminAuthorization.Refusal[] refusals = AdminAuthorization.Refusal.values();
        unauthorizedByRefusal = new Counter[refusals.length];
        for (final AdminAuthorization.Refusal refusal : refusals)
        {
            unauthorizedByRefusal[refusal.ordinal()] = Counter.builder(UNAUTHORIZED_NAME)
                .description("Admin requests refused with 401 because the cluster's bearer token was missing, " +
                    "malformed or wrong; only counted when the server listens beyond loopback")
                .tag(REASON_TAG, refusal.tag())
                .register(registry);
        }
    }

    /**
     * Count one answered request. Not a hot path: the counter lookup per request is fine.
     *
     * @param endpoint   route, or {@link AdminEndpoint#UNKNOWN}.
     * @param status     HTTP status sent.
     * @param durationNs time spent answering.
     */
    void onRequest(final AdminEndpoint endpoint, final int status, final long durationNs)
    {
        Counter.builder(REQUESTS_NAME)
            .description("Admin HTTP requests answered, by endpoint and status code")
            .tag(ENDPOINT_TAG, endpoint.tag())
            .tag(STATUS_TAG, Integer.toString(status))
            .register(registry)
            .increment();
        latencyByEndpoint[endpoint.index()].record(durationNs, TimeUnit.NANOSECONDS);
    }

    /**
     * Count one request refused for want of the cluster's token; it is counted in
     * {@link #onRequest} too, as a 401.
     */
    void onUnauthorized(final AdminAuthorization.Refusal refusal)
    {
        unauthorizedByRefusal[refusal.ordinal()].increment();
    }

    /** Count one connection closed without an answer because the server was overloaded. */
    void onConnectionDropped()
    {
        droppedConnections.increment();
    }
}
