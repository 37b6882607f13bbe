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
        }
        return UNKNOWN;
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
