package io.multikernel.node.admin;

import java.util.List;
import java.util.Locale;

import com.sun.net.httpserver.Headers;
import io.multikernel.common.ClusterSecret;

/**
 * Who may use an admin server that listens beyond loopback: a request must carry
 * {@code Authorization: Bearer <token>} with the cluster's admin token
 * ({@link ClusterSecret#adminToken()}), compared in constant time. {@code GET /metrics} and
 * {@code GET /health} are open so Prometheus and load balancers need no secret; they reveal counters
 * and up/down, never state a command could change.
 *
 * <p>A server bound to loopback trusts every local process, as it always has, and ignores a presented
 * token: the check is {@link #OPEN}.
 */
final class AdminAuthorization
{
    /** The only scheme accepted (RFC 6750); compared without regard to case, as RFC 9110 says. */
    static final String SCHEME = "Bearer";
    static final String AUTHORIZATION_HEADER = "Authorization";

    /** Why a request was refused; each reason is counted on its own. */
    enum Refusal
    {
        /** No {@code Authorization} header. */
        MISSING("missing", "the admin API beyond loopback needs 'Authorization: Bearer <token>'; " +
            "give the cluster secret (MK_CLUSTER_SECRET_FILE or cluster.secret next to the cluster map)"),
        /** A scheme other than Bearer, no token, or the header given twice. */
        MALFORMED("malformed", "the Authorization header is not one 'Bearer <token>'; send the cluster's admin token " +
            "with the Bearer scheme"),
        /** A Bearer token that is not the cluster's. */
        MISMATCH("mismatch", "the bearer token is not this cluster's admin token; use the cluster secret the cores " +
            "were started with");

        private final String tag;
        private final String message;

        Refusal(final String tag, final String message)
        {
            this.tag = tag;
            this.message = message;
        }

        /** @return the value of the {@code reason} label. */
        String tag()
        {
            return tag;
        }

        /** @return the one sentence the client gets. */
        String message()
        {
            return message;
        }
    }

    /** The check of a server bound to loopback: every request passes. */
    static final AdminAuthorization OPEN = new AdminAuthorization(null);

    /** The cluster's admin token, or null when requests are not checked. */
    private final String token;

    private AdminAuthorization(final String token)
    {
        this.token = token;
    }

    /**
     * @param token the cluster's admin token; not null.
     * @return a check that demands it.
     */
    static AdminAuthorization bearer(final String token)
    {
        if (null == token)
        {
            throw new IllegalArgumentException("a bearer check needs the cluster's admin token");
        }
        return new AdminAuthorization(token);
    }

    /** @return whether requests are checked at all. */
    boolean checks()
    {
        return null != token;
    }

    /**
     * Runs before routing decides anything visible: a refused client learns nothing about which paths
     * exist. Reads headers only, never the body.
     *
     * @param endpoint the route the path maps to, {@link AdminEndpoint#UNKNOWN} included.
     * @param method   the request method.
     * @param headers  the request headers.
     * @return why the request is refused, or null when it may go on.
     */
    Refusal check(final AdminEndpoint endpoint, final String method, final Headers headers)
    {
        if (null == token || isOpen(endpoint, method))
        {
            return null;
        }
        final List<String> values = headers.get(AUTHORIZATION_HEADER);
        if (null == values || values.isEmpty())
        {
            return Refusal.MISSING;
        }
        if (values.size() > 1)
        {
            return Refusal.MALFORMED;
        }
        final String presented = bearerToken(values.get(0));
        if (null == presented)
        {
            return Refusal.MALFORMED;
        }
        return ClusterSecret.tokenMatches(presented, token) ? null : Refusal.MISMATCH;
    }

    /** @return true for the routes anyone may read: {@code GET /metrics} and {@code GET /health}. */
    static boolean isOpen(final AdminEndpoint endpoint, final String method)
    {
        return (AdminEndpoint.METRICS == endpoint || AdminEndpoint.HEALTH == endpoint) && "GET".equals(method);
    }

    /**
     * @param value an {@code Authorization} header's value.
     * @return the token of {@code Bearer <token>} (scheme in any case, spaces around the token
     *         ignored), or null when the value is not that.
     */
    static String bearerToken(final String value)
    {
        if (null == value)
        {
            return null;
        }
        final String trimmed = value.strip();
        final int space = trimmed.indexOf(' ');
        if (space != SCHEME.length() ||
            !SCHEME.toLowerCase(Locale.ROOT).equals(trimmed.substring(0, space).toLowerCase(Locale.ROOT)))
        {
            return null;
        }
        final String presented = trimmed.substring(space + 1).strip();
        return presented.isEmpty() || presented.indexOf(' ') >= 0 ? null : presented;
    }
}
