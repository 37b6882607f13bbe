package io.multikernel.node.admin;

/**
 * Routes a component adds to the admin server, such as replication's {@code /kv} and {@code /2pc}.
 * Called on admin worker threads: an implementation reaches agent-owned state only through a
 * bounded queue and waits for answers with a bounded timeout.
 */
public interface AdminRoutes
{
    /**
     * @param method  HTTP method, such as GET or POST.
     * @param rawPath request path as sent, without the query; not decoded.
     * @param rawQuery query string as sent, or null.
     * @param body    request body, at most {@link AdminConfiguration#REQUEST_BODY_LENGTH_MAX_BYTES}; empty when none.
     * @return the answer; errors as {@link AdminReply#error}.
     */
    AdminReply handle(String method, String rawPath, String rawQuery, byte[] body);

    /**
     * One JSON answer of an added route.
     *
     * @param status HTTP status.
     * @param json   the body.
     */
    record AdminReply(int status, String json)
    {
        /**
         * @param status  a 4xx or 5xx code.
         * @param message one sentence: what failed, the value involved, what to do.
         * @param rawPath the request path.
         * @return {@code {"error":"...","path":"..."}}.
         */
        public static AdminReply error(final int status, final String message, final String rawPath)
        {
            return new AdminReply(status, new String(AdminResponse.error(status, message, rawPath).body(),
                java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
