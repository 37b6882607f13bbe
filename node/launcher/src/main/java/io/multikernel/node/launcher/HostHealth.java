package io.multikernel.node.launcher;

import io.multikernel.node.cluster.ClusterMap;
import io.multikernel.node.cluster.CoreDescriptor;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Whether every core of one host answers {@code GET /health} with 200: a container's health check
 * ({@code mk host --check}). {@code /health} needs no token, wherever the admin API listens.
 *
 * <p>A diverged core (503 with status {@code diverged}: its log lost records of committed
 * transactions) counts as alive. Restarting its container would not bring those records back, and an
 * orchestrator restarting it again and again would keep the host's other cores down too; its log,
 * {@code mk status} and the MkReplicasDiverged alert say it.
 */
public final class HostHealth
{
    /** Longest wait for a core's admin port to accept, ms. */
    public static final int CONNECT_TIMEOUT_MS = 2_000;
    /** Longest wait for a core's answer, ms. */
    public static final int READ_TIMEOUT_MS = 3_000;
    /** How a diverged core's {@code /health} answer starts. */
    static final String DIVERGED_HEALTH_PREFIX = "{\"status\":\"" + ClusterStatus.DIVERGED + "\"";
    /** Most bytes of an unhealthy answer quoted in the problem. */
    static final int QUOTED_BODY_MAX_BYTES = 200;

    private HostHealth()
    {
    }

    /**
     * @param map    the cluster map.
     * @param hostId one of its hosts.
     * @return null when every core of the host answers 200, else one sentence naming the first core that does not.
     * @throws io.multikernel.node.cluster.ClusterMapException when the map has no such host.
     */
    public static String problem(final ClusterMap map, final int hostId)
    {
        map.host(hostId);
        final List<CoreDescriptor> cores = map.coresOn(hostId);
        if (cores.isEmpty())
        {
            return "host " + hostId + " runs no core";
        }
        for (final CoreDescriptor core : cores)
        {
            final String url = localAdminUrl(core) + "/health";
            try
            {
                final HttpURLConnection connection = (HttpURLConnection)URI.create(url).toURL().openConnection();
                connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
                connection.setReadTimeout(READ_TIMEOUT_MS);
                final int status = connection.getResponseCode();
                if (200 != status)
                {
                    final String body = quote(connection.getErrorStream());
                    if (503 == status && body.startsWith(DIVERGED_HEALTH_PREFIX))
                    {
                        continue;
                    }
                    return "core " + core.id() + " answers " + status + " at " + url + ": " + body;
                }
                connection.getInputStream().close();
            }
            catch (final IOException ex)
            {
                return "core " + core.id() + " does not answer at " + url + ": " + ex.getMessage();
            }
        }
        return null;
    }

    /** The check runs on the host itself: a wildcard bind is reached on loopback. */
    private static String localAdminUrl(final CoreDescriptor core)
    {
        final String bind = core.adminBindAddress();
        final String address = "0.0.0.0".equals(bind) ? "127.0.0.1" : "::".equals(bind) ? "[::1]" :
            bind.indexOf(':') >= 0 ? "[" + bind + "]" : bind;
        return "http://" + address + ":" + core.adminPort();
    }

    private static String quote(final InputStream body) throws IOException
    {
        if (null == body)
        {
            return "(no body)";
        }
        try (body)
        {
            return new String(body.readNBytes(QUOTED_BODY_MAX_BYTES), StandardCharsets.UTF_8).strip();
        }
    }
}
