package io.multikernel.node.admin;

import java.util.List;

import io.multikernel.node.service.ServiceEndpoint;

/**
 * One route of the admin server: one of its own ({@code /metrics}, {@code /health}, {@code /status},
 * {@code /skb}), a service's {@link ServiceEndpoint}, or {@link #UNKNOWN} for every other path. The
 * tag names the route in metrics, so request metrics have a fixed, small set of label values
 * whatever clients send; the index numbers the route for per-route arrays.
 */
final class AdminEndpoint
{
    /** What answers a route. */
    enum Kind
    {
        METRICS, HEALTH, STATUS, SKB, SERVICE, UNKNOWN
    }

    private static final List<String> GET = List.of("GET");

    static final AdminEndpoint METRICS = new AdminEndpoint(0, Kind.METRICS, "metrics", "/metrics", GET, null);
    static final AdminEndpoint HEALTH = new AdminEndpoint(1, Kind.HEALTH, "health", "/health", GET, null);
    static final AdminEndpoint STATUS = new AdminEndpoint(2, Kind.STATUS, "status", "/status", GET, null);
    static final AdminEndpoint SKB = new AdminEndpoint(3, Kind.SKB, "skb", "/skb", GET, null);
    static final AdminEndpoint UNKNOWN = new AdminEndpoint(4, Kind.UNKNOWN, "unknown", null, List.of(), null);
    /** The server's own routes, in the order the 404 message lists them. */
    static final List<AdminEndpoint> BUILT_IN = List.of(METRICS, HEALTH, STATUS, SKB);
    /** Index of the first service route. */
    static final int FIRST_SERVICE_INDEX = UNKNOWN.index + 1;

    private final int index;
    private final Kind kind;
    private final String tag;
    private final String path;
    private final List<String> methods;
    private final ServiceEndpoint service;

    private AdminEndpoint(
        final int index, final Kind kind, final String tag, final String path, final List<String> methods,
        final ServiceEndpoint service)
    {
        this.index = index;
        this.kind = kind;
        this.tag = tag;
        this.path = path;
        this.methods = methods;
        this.service = service;
    }

    /**
     * @param index   this route's index, from {@link #FIRST_SERVICE_INDEX} up.
     * @param service what a service declared.
     * @return the route to it.
     */
    static AdminEndpoint of(final int index, final ServiceEndpoint service)
    {
        return new AdminEndpoint(index, Kind.SERVICE, service.name(), service.path(), service.methods(), service);
    }

    /**
     * @param rawPath the request path as sent, without the query; not decoded.
     * @return true when this route answers it: the server's own routes match their exact path only.
     */
    boolean matches(final String rawPath)
    {
        return null == service ? null != path && path.equals(rawPath) : service.matches(rawPath);
    }

    int index()
    {
        return index;
    }

    Kind kind()
    {
        return kind;
    }

    String tag()
    {
        return tag;
    }

    String path()
    {
        return path;
    }

    /**
     * @return the methods the route answers: GET for the server's own, what the service declared.
     */
    List<String> methods()
    {
        return methods;
    }

    /**
     * @return the service endpoint, or null for the server's own routes.
     */
    ServiceEndpoint service()
    {
        return service;
    }

    @Override
    public String toString()
    {
        return tag;
    }
}
