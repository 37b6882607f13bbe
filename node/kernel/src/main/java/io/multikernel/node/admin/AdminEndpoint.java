package io.multikernel.node.admin;

/**
 * The admin server's routes. The tag names the route in metrics; every path that is not a route
 * counts as {@link #UNKNOWN}, so request metrics have a fixed, small set of label values.
 */
enum AdminEndpoint
{
    METRICS("/metrics", "metrics"),
    HEALTH("/health", "health"),
    STATUS("/status", "status"),
    SKB("/skb", "skb"),
    /** Replicated key-value store; paths below it too ({@code /kv/<key>}). */
    KV("/kv", "kv"),
    /** Two-phase-commit status and operator decisions; paths below it too ({@code /2pc/decide}). */
    TWO_PC("/2pc", "2pc"),
    BENCH_SHOOTDOWN("/bench/shootdown", "bench_shootdown", "POST"),
    UNKNOWN(null, "unknown");

    private static final AdminEndpoint[] VALUES = values();

    private final String path;
    private final String tag;
    private final String method;

    AdminEndpoint(final String path, final String tag)
    {
        this(path, tag, "GET");
    }

    AdminEndpoint(final String path, final String tag, final String method)
    {
        this.path = path;
        this.tag = tag;
        this.method = method;
    }

    /**
     * @param rawPath the request path as sent, without the query; not decoded.
     * @return the route with exactly that path, or {@link #UNKNOWN}.
     */
    static AdminEndpoint of(final String rawPath)
    {
        for (final AdminEndpoint endpoint : VALUES)
        {
            if (null != endpoint.path && endpoint.path.equals(rawPath))
            {
                return endpoint;
            }
            if (endpoint.isRouted() && null != rawPath && rawPath.startsWith(endpoint.path + "/"))
            {
                return endpoint;
            }
        }
        return UNKNOWN;
    }

    /**
     * @return true for the routes an {@link AdminRoutes} serves, with their subpaths.
     */
    boolean isRouted()
    {
        return this == KV || this == TWO_PC;
    }

    String path()
    {
        return path;
    }

    String tag()
    {
        return tag;
    }

    /**
     * @return the one method the route answers: GET for snapshots, POST for commands.
     */
    String method()
    {
        return method;
    }
}
